//! Input images of a request: `data:` URIs or http(s) URLs, fetched and decoded behind size limits.

use atelier_catalogue::FieldError;
use atelier_renderer::Inputs;
use base64::Engine;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use image::{DynamicImage, ImageReader, Limits};
use serde_json::{Map, Value};
use std::io::Cursor;
use std::time::Duration;

/// Largest decoded `data:` URI, as fal documents.
pub const MAX_DATA_URI_BYTES: usize = 10 * 1024 * 1024;
/// Largest image downloaded from a URL.
pub const MAX_DOWNLOAD_BYTES: usize = 100 * 1024 * 1024;
const MAX_SIDE: u32 = 8192;
const MAX_DECODE_ALLOC: u64 = 256 * 1024 * 1024;
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(30);
/// Browsers and clients differ on padding; accept both.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Fetches and decodes `image_url` and `mask_url` when the parameters hold them.
pub async fn load(http: &reqwest::Client, params: &Map<String, Value>) -> Result<Inputs, FieldError> {
    let mut inputs = Inputs::default();
    if let Some(url) = params.get("image_url").and_then(Value::as_str) {
        inputs.image = Some(load_one(http, "image_url", url).await?);
    }
    if let Some(url) = params.get("mask_url").and_then(Value::as_str) {
        inputs.mask = Some(load_one(http, "mask_url", url).await?);
    }
    Ok(inputs)
}

async fn load_one(http: &reqwest::Client, field: &str, url: &str) -> Result<DynamicImage, FieldError> {
    let problem = |message: String| FieldError { field: field.to_owned(), message };
    let bytes = if url.starts_with("data:") {
        decode_data_uri(url).map_err(problem)?
    } else if url.starts_with("http://") || url.starts_with("https://") {
        download(http, url).await.map_err(|reason| problem(format!("Could not download {field}: {reason}")))?
    } else {
        return Err(problem(format!("{field} must be an http(s) URL or a data: URI")));
    };
    tokio::task::spawn_blocking(move || decode(&bytes))
        .await
        .map_err(|_| problem(format!("{field} could not be decoded")))?
        .map_err(|reason| problem(format!("{field} is not a readable image: {reason}")))
}

/// The bytes of a base64 `data:` URI.
pub fn decode_data_uri(uri: &str) -> Result<Vec<u8>, String> {
    let Some((header, payload)) = uri.strip_prefix("data:").and_then(|rest| rest.split_once(',')) else {
        return Err("the data: URI has no ',' before its data".to_owned());
    };
    if !header.split(';').any(|part| part.eq_ignore_ascii_case("base64")) {
        return Err("only base64 data: URIs are accepted".to_owned());
    }
    if payload.len() / 4 * 3 > MAX_DATA_URI_BYTES {
        return Err(format!("the data: URI is larger than {} MiB", MAX_DATA_URI_BYTES / 1024 / 1024));
    }
    let payload: String = payload.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let bytes = BASE64.decode(payload).map_err(|_| "the data: URI is not valid base64".to_owned())?;
    if bytes.len() > MAX_DATA_URI_BYTES {
        return Err(format!("the data: URI is larger than {} MiB", MAX_DATA_URI_BYTES / 1024 / 1024));
    }
    Ok(bytes)
}

async fn download(http: &reqwest::Client, url: &str) -> Result<Vec<u8>, String> {
    let mut response = http.get(url).timeout(DOWNLOAD_TIMEOUT).send().await.map_err(|error| describe(&error))?;
    if !response.status().is_success() {
        return Err(format!("the server answered HTTP {}", response.status().as_u16()));
    }
    let too_large = || format!("the file is larger than {} MiB", MAX_DOWNLOAD_BYTES / 1024 / 1024);
    if response.content_length().is_some_and(|length| length > MAX_DOWNLOAD_BYTES as u64) {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|error| describe(&error))? {
        if bytes.len() + chunk.len() > MAX_DOWNLOAD_BYTES {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "the download timed out".to_owned()
    } else if error.is_connect() {
        "could not connect to the server".to_owned()
    } else {
        "the download failed".to_owned()
    }
}

/// Decodes an image with explicit bounds: the `image` crate's defaults are unlimited.
pub fn decode(bytes: &[u8]) -> Result<DynamicImage, String> {
    let mut reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|error| error.to_string())?;
    if reader.format().is_none() {
        return Err("unknown image format".to_owned());
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    reader.decode().map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base64_data_uri_decodes_to_its_bytes() {
        assert_eq!(decode_data_uri("data:image/png;base64,aGVsbG8=").unwrap(), b"hello");
        assert_eq!(decode_data_uri("data:image/png;base64,aGVsbG8").unwrap(), b"hello");
    }

    #[test]
    fn a_data_uri_that_is_not_base64_or_too_large_is_refused() {
        assert!(decode_data_uri("data:text/plain,hello").unwrap_err().contains("base64"));
        assert!(decode_data_uri("data:image/png;base64").unwrap_err().contains(','));
        let huge = format!("data:image/png;base64,{}", "A".repeat(MAX_DATA_URI_BYTES / 3 * 4 + 8));
        assert!(decode_data_uri(&huge).unwrap_err().contains("10 MiB"));
    }

    #[test]
    fn bytes_that_are_no_image_are_refused_with_a_reason() {
        assert!(decode(b"definitely not an image").is_err());
    }
}
