//! The REST face of generation presets, for scripts: the same checks as the server functions.
//!
//! - `GET /api/presets` → the caller's presets, by name
//! - `POST /api/presets` (`{"name", "model_id", "prompt", "negative_prompt"?, "parameters"?}`) →
//!   201 with the preset (a name the caller already uses is overwritten and keeps its id)
//! - `PATCH /api/presets/{id}` (`{"name": …}`) → the renamed preset
//! - `DELETE /api/presets/{id}` → 204

use super::json_body::JsonBody;
use crate::server::auth::CurrentSession;
use crate::server::error::AppError;
use crate::server::presets::{self, PresetDraft};
use crate::server::state::AppState;
use crate::types::Preset;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch};
use axum::{Json, Router};
use serde::Deserialize;
use uuid::Uuid;

/// A preset's parameters are at most 16 KB; its prompts a few more.
const BODY_LIMIT: usize = 64 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/presets", get(list).post(save))
        .route("/api/presets/{id}", patch(rename).delete(delete))
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
}

async fn list(State(state): State<AppState>, session: CurrentSession) -> Result<Json<Vec<Preset>>, AppError> {
    let found = presets::list(&state.db, session.user.id).await?;
    Ok(Json(found.into_iter().map(presets::view).collect()))
}

async fn save(
    State(state): State<AppState>,
    session: CurrentSession,
    JsonBody(draft): JsonBody<PresetDraft>,
) -> Result<(StatusCode, Json<Preset>), AppError> {
    let preset = presets::save(&state.db, session.user.id, draft).await?;
    Ok((StatusCode::CREATED, Json(presets::view(preset))))
}

#[derive(Deserialize)]
struct Rename {
    name: String,
}

async fn rename(
    State(state): State<AppState>,
    session: CurrentSession,
    Path(id): Path<Uuid>,
    JsonBody(body): JsonBody<Rename>,
) -> Result<Json<Preset>, AppError> {
    Ok(Json(presets::view(presets::rename(&state.db, session.user.id, id, &body.name).await?)))
}

async fn delete(
    State(state): State<AppState>,
    session: CurrentSession,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, AppError> {
    presets::delete(&state.db, session.user.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
