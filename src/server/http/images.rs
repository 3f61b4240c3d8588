//! A generated image's files: original, 1024 px preview and 256 px thumbnail.
//!
//! - `GET /api/images/{id}/{variant}`: for the image's owner only (privately cached).
//! - `GET /api/shared/{token}/{variant}`: for whoever holds a live share link (briefly cached, so a
//!   revoked link stops working within minutes everywhere).

use crate::server::auth::CurrentSession;
use crate::server::db::entity::images;
use crate::server::error::AppError;
use crate::server::shares;
use crate::server::state::AppState;
use crate::server::storage::{BlobKey, StorageError};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

/// An image id's files never change, but they are private: the browser may keep them, caches may not.
const OWNER_CACHE: &str = "private, max-age=31536000, immutable";
const SHARED_CACHE: &str = "public, max-age=300";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/images/{id}/{variant}", get(owned_file))
        .route("/api/shared/{token}/{variant}", get(shared_file))
}

async fn owned_file(
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
    serve(&state, &image, &variant, OWNER_CACHE).await
}

async fn shared_file(
    State(state): State<AppState>,
    Path((token, variant)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let image = shares::shared_image(&state.db, &token, Utc::now()).await?;
    serve(&state, &image, &variant, SHARED_CACHE).await
}

async fn serve(
    state: &AppState,
    image: &images::Model,
    variant: &str,
    cache: &'static str,
) -> Result<Response, AppError> {
    let raw_key = match variant {
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
    let headers = [(header::CONTENT_TYPE, mime_of(key.as_str())), (header::CACHE_CONTROL, cache)];
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
