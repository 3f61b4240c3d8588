//! `GET /api/images/{id}/{variant}`: a generated image's original, 1024 px preview or 256 px
//! thumbnail, for its owner only (share grants arrive with sharing).

use crate::server::auth::CurrentSession;
use crate::server::db::entity::images;
use crate::server::error::AppError;
use crate::server::state::AppState;
use crate::server::storage::{BlobKey, StorageError};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/images/{id}/{variant}", get(image_file))
}

async fn image_file(
    State(state): State<AppState>,
    session: CurrentSession,
    Path((id, variant)): Path<(Uuid, String)>,
) -> Result<Response, AppError> {
    let image = images::Entity::find_by_id(id)
        .filter(images::Column::UserId.eq(session.user.id))
        .one(&state.db)
        .await
        .map_err(AppError::internal)?
        .ok_or(AppError::NotFound("image"))?;
    let raw_key = match variant.as_str() {
        "original" => Some(image.file_path.as_str()),
        "thumbnail" => image.metadata["thumbnail_key"].as_str(),
        "preview" => image.metadata["preview_key"].as_str(),
        _ => return Err(AppError::NotFound("image size")),
    };
    let key = raw_key.and_then(|raw| BlobKey::parse(raw).ok()).ok_or(AppError::NotFound("image"))?;
    let bytes = match state.storage.get(&key).await {
        Ok(bytes) => bytes,
        Err(StorageError::NotFound(_)) => return Err(AppError::NotFound("image")),
        Err(e) => return Err(e.into()),
    };
    // An image id's files never change, but they are private: the browser may keep them, caches may not.
    let headers = [
        (header::CONTENT_TYPE, mime_of(key.as_str())),
        (header::CACHE_CONTROL, "private, max-age=31536000, immutable"),
    ];
    Ok((headers, bytes).into_response())
}

fn mime_of(key: &str) -> &'static str {
    match key.rsplit('.').next() {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("webp") => "image/webp",
        _ => "application/octet-stream",
    }
}
