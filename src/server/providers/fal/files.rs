//! Input files for models: inline as a data URI when small, through fal's storage when not.

use super::client::{FalClient, Reply, join};
use super::error::FalError;
use super::retry::Call;
use base64::Engine as _;
use bytes::Bytes;
use reqwest::{Method, Url, header};
use serde::Deserialize;
use serde_json::json;

/// The largest data URI models accept (the whole URI, not the file: base64 adds a third).
pub const DATA_URI_MAX_BYTES: usize = 10 * 1024 * 1024;
/// The largest file the single-request upload takes; larger ones need fal's multipart upload.
pub const UPLOAD_MAX_BYTES: usize = 90 * 1024 * 1024;
const STORAGE_TYPE: &str = "fal-cdn-v3";

/// Where to PUT the file, and the URL models then read it from.
#[derive(Deserialize)]
struct UploadTarget {
    upload_url: String,
    file_url: String,
}

impl FalClient {
    /// A URL a model can read the file from: a data URI when it fits in 10 MiB, else the URL of an
    /// upload to fal's storage.
    pub async fn file_input(&self, bytes: Bytes, content_type: &str, file_name: &str) -> Result<String, FalError> {
        check_content_type(content_type)?;
        if data_uri_len(bytes.len(), content_type) <= DATA_URI_MAX_BYTES {
            Ok(data_uri(&bytes, content_type))
        } else {
            self.upload(bytes, content_type, file_name).await
        }
    }

    /// Uploads the file to fal's storage and returns the URL models read it from.
    pub async fn upload(&self, bytes: Bytes, content_type: &str, file_name: &str) -> Result<String, FalError> {
        check_content_type(content_type)?;
        if bytes.len() > UPLOAD_MAX_BYTES {
            return Err(FalError::InvalidInput(format!(
                "{file_name} is {} MiB; files for fal.ai can be at most {} MiB",
                bytes.len().div_ceil(1024 * 1024),
                UPLOAD_MAX_BYTES / (1024 * 1024)
            )));
        }
        let initiate =
            join(&self.settings().rest_url, &format!("storage/upload/initiate?storage_type={STORAGE_TYPE}"))?;
        let request = Bytes::from(json!({"content_type": content_type, "file_name": file_name}).to_string());
        let target: UploadTarget =
            self.call(Call::UploadInitiate, || self.post_json(initiate.clone(), &request, None), Reply::json).await?;
        // The upload URL is pre-signed for another host: the key does not go there.
        let upload = parse_url(&target.upload_url)?;
        let timeout = self.settings().long_request_timeout;
        self.call(
            Call::UploadPut,
            || {
                Ok(self
                    .anonymous(Method::PUT, upload.clone())
                    .header(header::CONTENT_TYPE, content_type)
                    .timeout(timeout)
                    .body(bytes.clone()))
            },
            Reply::success,
        )
        .await?;
        Ok(target.file_url)
    }
}

/// `data:{content_type};base64,{bytes}`.
pub fn data_uri(bytes: &[u8], content_type: &str) -> String {
    let mut uri = format!("data:{content_type};base64,");
    base64::engine::general_purpose::STANDARD.encode_string(bytes, &mut uri);
    uri
}

fn data_uri_len(file_len: usize, content_type: &str) -> usize {
    "data:;base64,".len() + content_type.len() + file_len.div_ceil(3) * 4
}

/// A media type such as `image/png`: what goes in a data URI and a `Content-Type` header.
fn check_content_type(content_type: &str) -> Result<(), FalError> {
    let is_token =
        |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b));
    match content_type.split_once('/') {
        Some((kind, subtype)) if is_token(kind) && is_token(subtype) => Ok(()),
        _ => Err(FalError::InvalidInput(format!("'{content_type}' is not a media type such as image/png"))),
    }
}

/// A URL fal answered.
fn parse_url(url: &str) -> Result<Url, FalError> {
    Url::parse(url).map_err(|e| FalError::Decode(format!("'{url}' is not a URL: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_data_uri_carries_the_type_and_the_base64_bytes() {
        assert_eq!(data_uri(b"hi!", "text/plain"), "data:text/plain;base64,aGkh");
        assert_eq!(data_uri_len(3, "text/plain"), data_uri(b"hi!", "text/plain").len());
        assert_eq!(data_uri_len(4, "image/png"), data_uri(b"1234", "image/png").len());
    }

    #[test]
    fn only_plain_media_types_are_accepted() {
        assert!(check_content_type("image/png").is_ok());
        assert!(check_content_type("image/svg+xml").is_ok());
        for bad in ["png", "image/", "image/png;base64,x", "text/html\r\nX: y", "a/b c"] {
            assert!(check_content_type(bad).is_err(), "{bad}");
        }
    }
}
