//! Serving stored images that pages link to. Keys are rebuilt from parsed ids, never from the path.

use crate::server::accounts::profile::avatar_key;
use crate::server::error::AppError;
use crate::server::state::AppState;
use crate::server::storage::StorageError;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new().route("/media/avatars/{user_id}/{avatar_id}", get(avatar))
}

#[derive(Deserialize)]
struct AvatarQuery {
    size: Option<String>,
}

/// An avatar. Its URL changes whenever the avatar does, so it can be cached for good.
async fn avatar(
    State(state): State<AppState>,
    Path((user_id, avatar_id)): Path<(Uuid, Uuid)>,
    Query(query): Query<AvatarQuery>,
) -> Result<Response, AppError> {
    let thumb = query.size.as_deref() == Some("thumb");
    let bytes = match state.storage.get(&avatar_key(user_id, avatar_id, thumb)).await {
        Ok(bytes) => bytes,
        Err(StorageError::NotFound(_)) => return Err(AppError::NotFound("image")),
        Err(e) => return Err(e.into()),
    };
    Ok(([(header::CONTENT_TYPE, "image/png"), (header::CACHE_CONTROL, "public, max-age=31536000, immutable")], bytes)
        .into_response())
}
