//! `POST /api/images/upload`: a signed-in user adds an image to their library, to use as the input
//! of image-to-image, inpainting or an upscale. A `multipart/form-data` body with one file field,
//! `image`; the answer is `201 Created` with the new image as an `ImageView`.
//!
//! Every refusal of the file is a 422 naming `image`, with a sentence the person can act on: no file,
//! an empty one, one that is not PNG, JPEG or WebP, or one over the size or pixel limits. Before the
//! file is read: a 422 naming `email` when the studio wants a confirmed address first, and a 429
//! with `Retry-After` past the upload rate limit.

use crate::server::auth::CurrentSession;
use crate::server::auth::session::ClientInfo;
use crate::server::config::LimitsConfig;
use crate::server::error::AppError;
use crate::server::images::{UPLOAD_FIELD, image_view, may_upload, upload_image};
use crate::server::imaging::ImageError;
use crate::server::state::AppState;
use crate::types::ImageView;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Extension, Json, Router};
use bytes::Bytes;

/// Room for the multipart framing around the file. A file over the limit by less than this still
/// reaches the image door, which refuses it naming the size; a body beyond it is cut off unread.
const FORM_OVERHEAD: u64 = 64 * 1024;

/// The route, with a body limit of the studio's largest upload plus the form around it.
pub fn router(limits: &LimitsConfig) -> Router<AppState> {
    let body_limit = usize::try_from(limits.max_upload_bytes.saturating_add(FORM_OVERHEAD)).unwrap_or(usize::MAX);
    Router::new().route(ImageView::UPLOAD_PATH, post(upload)).layer(DefaultBodyLimit::max(body_limit))
}

async fn upload(
    State(state): State<AppState>,
    session: CurrentSession,
    Extension(client): Extension<ClientInfo>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<ImageView>), AppError> {
    may_upload(&state, &session.user, &client)?;
    let multipart = multipart.map_err(|_| choose_a_file())?;
    let file = image_field(multipart, state.config.limits.max_upload_bytes).await?;
    let row = upload_image(&state, session.user.id, file).await?;
    Ok((StatusCode::CREATED, Json(image_view(row))))
}

/// The bytes of the `image` field; other fields are skipped.
async fn image_field(mut multipart: Multipart, max_bytes: u64) -> Result<Bytes, AppError> {
    let broken = |e: MultipartError| read_error(e, max_bytes);
    while let Some(field) = multipart.next_field().await.map_err(broken)? {
        if field.name() == Some(UPLOAD_FIELD) {
            let bytes = field.bytes().await.map_err(broken)?;
            if bytes.is_empty() {
                return Err(AppError::invalid(UPLOAD_FIELD, "The file is empty. Choose an image file to upload."));
            }
            return Ok(bytes);
        }
    }
    Err(choose_a_file())
}

fn choose_a_file() -> AppError {
    AppError::invalid(UPLOAD_FIELD, "Choose an image file to upload.")
}

/// A body cut off at the limit says how large a file may be, in the words the image door uses.
fn read_error(e: MultipartError, max_bytes: u64) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::invalid(
            UPLOAD_FIELD,
            ImageError::TooLarge { size: max_bytes.saturating_add(1), max_bytes }.to_string(),
        )
    } else {
        AppError::invalid(UPLOAD_FIELD, "The upload did not arrive whole. Try again.")
    }
}
