//! The input images a job refers to in its parameters (`image_url`, `mask_url`): one of the user's
//! own images as `atelier:image/<uuid>`, or a data URI. Both are read here and checked through the
//! guarded image door before a provider sees them.

use super::worker::Stop;
use crate::server::db::entity::generation_queue;
use crate::server::imaging::{ImageFormat, SafeImage, decode_untrusted};
use crate::server::jobs::JobError;
use crate::server::state::AppState;
use crate::server::storage::BlobKey;
use atelier_catalogue::IMAGE_REF_PREFIX;
use base64::Engine as _;
use uuid::Uuid;

/// The parameters that may hold an input image.
pub(super) const IMAGE_PARAMS: [&str; 2] = ["image_url", "mask_url"];

/// An input image's bytes, already known to be a supported image.
pub(super) struct InputFile {
    pub bytes: Vec<u8>,
    pub format: ImageFormat,
}

/// The bytes `value` refers to, when it is an image reference or a data URI; `None` for anything else
/// (an `http(s)` URL, which a remote provider fetches itself).
pub(super) async fn read(
    state: &AppState,
    job: &generation_queue::Model,
    param: &str,
    value: &str,
) -> Result<Option<InputFile>, Stop> {
    let limits = state.config.limits.input_images();
    let bytes = if let Some(id) = value.strip_prefix(IMAGE_REF_PREFIX) {
        read_own_image(state, job.user_id, param, id).await?
    } else if value.starts_with("data:") {
        decode_data_uri(value, limits.max_bytes).map_err(|reason| refused(param, &reason))?
    } else {
        return Ok(None);
    };
    let format = ImageFormat::sniff(&bytes).ok_or_else(|| refused(param, "it is not a PNG, JPEG or WebP image"))?;
    Ok(Some(InputFile { bytes, format }))
}

/// Decodes an input image under the upload limits (off the async runtime).
pub(super) async fn decode(state: &AppState, param: &str, file: InputFile) -> Result<SafeImage, Stop> {
    let limits = state.config.limits.input_images();
    let param_owned = param.to_owned();
    tokio::task::spawn_blocking(move || decode_untrusted(&file.bytes, &limits))
        .await
        .map_err(|e| Stop::Abandon(format!("decoding {param_owned} stopped: {e}")))?
        .map_err(|e| refused(param, &e.to_string()).into())
}

async fn read_own_image(state: &AppState, user_id: Uuid, param: &str, id: &str) -> Result<Vec<u8>, Stop> {
    let id = Uuid::parse_str(id).map_err(|_| refused(param, "it names no image"))?;
    let row = crate::server::images::live_image(&state.db, user_id, id)
        .await
        .map_err(|e| Stop::Abandon(e.to_string()))?
        .ok_or_else(|| refused(param, "the image does not exist or was deleted"))?;
    let key = BlobKey::parse(&row.file_path).map_err(|e| Stop::Abandon(e.to_string()))?;
    match state.storage.get(&key).await {
        Ok(bytes) => Ok(bytes.to_vec()),
        Err(crate::server::storage::StorageError::NotFound(_)) => {
            Err(refused(param, "the image's file is missing").into())
        }
        Err(error) => {
            tracing::warn!(%error, "reading an input image failed");
            Err(Stop::Failed(JobError {
                error_type: "storage".into(),
                message: "The input image could not be read from storage; try again.".into(),
                retryable: true,
            }))
        }
    }
}

/// `data:<type>;base64,<data>` → the bytes, refused beyond `max_bytes`.
pub(super) fn decode_data_uri(uri: &str, max_bytes: u64) -> Result<Vec<u8>, String> {
    let rest = uri.strip_prefix("data:").ok_or("it is not a data URI")?;
    let (header, data) = rest.split_once(',').ok_or("the data URI has no ',' before its data")?;
    if !header.ends_with(";base64") {
        return Err("only base64 data URIs are accepted".into());
    }
    if data.len() as u64 / 4 * 3 > max_bytes + 3 {
        return Err(format!("it is larger than {max_bytes} bytes"));
    }
    let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(data.trim_end_matches('='))
        .map_err(|e| format!("the data URI is not valid base64: {e}"))?;
    if bytes.len() as u64 > max_bytes {
        return Err(format!("it is larger than {max_bytes} bytes"));
    }
    Ok(bytes)
}

fn refused(param: &str, reason: &str) -> JobError {
    JobError {
        error_type: "invalid_input".into(),
        message: format!("The input {param} cannot be used: {reason}."),
        retryable: false,
    }
}
