//! Fetching a provider's output file: `http(s)` with a size cap and timeouts, or a data URI.

use super::inputs::decode_data_uri;
use crate::server::imaging::ImageFormat;
use crate::server::jobs::JobError;
use futures_util::StreamExt;
use std::sync::OnceLock;
use std::time::Duration;

/// The largest output file accepted.
pub(super) const MAX_OUTPUT_BYTES: u64 = 50 * 1024 * 1024;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(120);

fn http() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(DOWNLOAD_TIMEOUT)
            .user_agent(concat!("atelier/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default()
    })
}

/// The bytes at `url`, which must be an image (sniffed from the bytes, whatever the content type
/// said) of at most [`MAX_OUTPUT_BYTES`].
pub(super) async fn fetch(url: &str) -> Result<Vec<u8>, JobError> {
    let bytes = if url.starts_with("data:") {
        decode_data_uri(url, MAX_OUTPUT_BYTES).map_err(|reason| unusable(&reason, false))?
    } else {
        fetch_http(url).await?
    };
    if ImageFormat::sniff(&bytes).is_none() {
        return Err(unusable("it is not a PNG, JPEG or WebP image", false));
    }
    Ok(bytes)
}

async fn fetch_http(url: &str) -> Result<Vec<u8>, JobError> {
    let parsed = reqwest::Url::parse(url).map_err(|_| unusable("its address is not a URL", false))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(unusable("its address is not an http(s) URL", false));
    }
    let response = http().get(parsed).send().await.map_err(|e| transport(&e))?;
    let status = response.status();
    if !status.is_success() {
        let retryable = status.is_server_error() || status.as_u16() == 429;
        return Err(unusable(&format!("the download answered HTTP {}", status.as_u16()), retryable));
    }
    if response.content_length().is_some_and(|length| length > MAX_OUTPUT_BYTES) {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    let mut body = response.bytes_stream();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| transport(&e))?;
        if (bytes.len() + chunk.len()) as u64 > MAX_OUTPUT_BYTES {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

fn transport(error: &reqwest::Error) -> JobError {
    tracing::warn!(%error, "downloading an output failed");
    let what = if error.is_timeout() { "the download timed out" } else { "the download broke off" };
    unusable(what, true)
}

fn too_large() -> JobError {
    JobError {
        error_type: "output_too_large".into(),
        message: format!("The generated image is larger than {} MB; it was not kept.", MAX_OUTPUT_BYTES >> 20),
        retryable: false,
    }
}

fn unusable(reason: &str, retryable: bool) -> JobError {
    JobError {
        error_type: "output_unusable".into(),
        message: format!("The generated image could not be fetched: {reason}."),
        retryable,
    }
}
