//! An image the user brings into the library: checked and decoded through the guarded image door,
//! re-encoded so only its pixels are kept, given the thumbnail and preview a generated image has,
//! stored under the same keys and recorded as an `images` row without a model. All or nothing: when
//! the row cannot be written, the files already stored are deleted.

use super::files::{ImageFiles, remove_files};
use crate::server::auth::rate_limit::LimitedAction;
use crate::server::auth::session::ClientInfo;
use crate::server::db::entity::{images, users};
use crate::server::error::AppError;
use crate::server::imaging::{
    GenerationMetadata, ImageError, ImageFormat, ImageLimits, PreparedImage, SafeImage, decode_untrusted, encode_jpeg,
    encode_png, encode_webp_lossless, prepare_generated,
};
use crate::server::state::AppState;
use bytes::Bytes;
use sea_orm::ActiveModelTrait;
use serde_json::{Map, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The form field that carries the file.
pub const UPLOAD_FIELD: &str = "image";

/// A re-encoded JPEG loses a little each time: high quality keeps the loss out of sight, since the
/// picture is usually the input of further work.
const REENCODED_JPEG_QUALITY: u8 = 92;

/// Whether `user` may add an image now: with a confirmed email when the studio asks for one (as for
/// generating), and within the upload rate limit. Checked before the file is read.
pub fn may_upload(state: &AppState, user: &users::Model, client: &ClientInfo) -> Result<(), AppError> {
    if state.config.auth.require_verified_email && !user.email_verified {
        return Err(AppError::invalid(
            "email",
            "Confirm your email address before uploading: the link is in your inbox.",
        ));
    }
    state.rate_limiter.allow(LimitedAction::Upload, client, &user.id.to_string())
}

/// Adds `upload` (the bytes of a PNG, JPEG or WebP file) to `owner`'s library and returns its row.
/// Anything that is not such an image, or is over the limits, is refused as `Invalid` on the field
/// [`UPLOAD_FIELD`] with a sentence for the person who sent it.
pub async fn upload_image(state: &AppState, owner: Uuid, upload: Bytes) -> Result<images::Model, AppError> {
    let limits = state.config.limits.input_images();
    let prepared =
        tokio::task::spawn_blocking(move || prepare_upload(&upload, &limits)).await.map_err(AppError::internal)??;

    let id = Uuid::now_v7();
    let files = ImageFiles::of(owner, id, &prepared).map_err(|e| AppError::internal(format!("{e:?}")))?;
    let storage = state.storage.as_ref();
    let mut written = Vec::new();
    if let Err(error) = files.store(storage, &prepared, &mut written).await {
        remove_files(storage, &written).await;
        return Err(error.into());
    }
    let source = Map::from_iter([("source".to_owned(), json!("upload"))]);
    match files.row(owner, id, &prepared, source).insert(&state.db).await {
        Ok(row) => Ok(row),
        Err(error) => {
            remove_files(storage, &files.keys()).await;
            Err(error.into())
        }
    }
}

/// Decodes the upload once to make the derivatives (as for a generated image) and once more for the
/// pixels of the stored original, which is re-encoded in the upload's own format.
fn prepare_upload(upload: &[u8], limits: &ImageLimits) -> Result<PreparedImage, AppError> {
    // `prepare_generated` also refuses a JPEG cut short, which decodes with grey where data is missing.
    // The copy it embeds generation metadata in is replaced below: an upload was not generated.
    let mut prepared = prepare_generated(upload, limits, &not_generated()).map_err(refused)?;
    let decoded = decode_untrusted(upload, limits).map_err(refused)?;
    let original = reencoded(&decoded).map_err(refused)?;
    // Job inputs are read under the same limits: a file that grew past them could not be used.
    if u64::try_from(original.len()).unwrap_or(u64::MAX) > limits.max_bytes {
        return Err(AppError::invalid(
            UPLOAD_FIELD,
            "Once re-encoded for the studio this image would be too large to use. Upload a smaller image, \
             or save it as a JPEG first.",
        ));
    }
    prepared.sha256 = hex::encode(Sha256::digest(&original));
    prepared.original = original;
    prepared.metadata_embedded = false;
    Ok(prepared)
}

/// Only the pixels survive (and the orientation, applied to them): EXIF, location, colour profiles,
/// text chunks and bytes hidden after the image are dropped.
fn reencoded(decoded: &SafeImage) -> Result<Vec<u8>, ImageError> {
    match decoded.format {
        ImageFormat::Png => encode_png(&decoded.image),
        ImageFormat::Jpeg => encode_jpeg(&decoded.image, REENCODED_JPEG_QUALITY),
        ImageFormat::Webp => encode_webp_lossless(&decoded.image),
    }
}

fn not_generated() -> GenerationMetadata {
    GenerationMetadata {
        prompt: String::new(),
        negative_prompt: None,
        model: String::new(),
        parameters: json!({}),
        seed: None,
    }
}

/// The uploader's mistakes become a 422 naming the field; our own encoding failures a 500.
fn refused(error: ImageError) -> AppError {
    if error.is_client_error() {
        tracing::info!(?error, "an upload was refused");
        AppError::invalid(UPLOAD_FIELD, error.to_string())
    } else {
        AppError::internal(format!("{error:?}"))
    }
}
