//! The REST face of the model catalogue: `GET /api/models`, `GET /api/models/{key}`, an offline
//! model's sample picture, and the administrators' `PUT /api/admin/models/{key}/toggle`.

use crate::server::auth::CurrentSession;
use crate::server::catalogue;
use crate::server::error::AppError;
use crate::server::providers::offline;
use crate::server::state::AppState;
use crate::types::ModelInfo;
use atelier_catalogue::Catalogue;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, put};
use axum::{Json, Router};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/models", get(list))
        .route("/api/models/{key}", get(one))
        .route("/api/models/{key}/sample.png", get(sample))
        .route("/api/admin/models/{key}/toggle", put(toggle))
}

fn is_admin(session: Option<&CurrentSession>) -> bool {
    session.is_some_and(CurrentSession::is_admin)
}

async fn list(
    State(state): State<AppState>,
    session: Option<CurrentSession>,
) -> Result<Json<Vec<ModelInfo>>, AppError> {
    let models = catalogue::list(&state.db, state.config.uses_fal(), is_admin(session.as_ref())).await?;
    Ok(Json(models))
}

async fn one(
    State(state): State<AppState>,
    session: Option<CurrentSession>,
    Path(key): Path<Uuid>,
) -> Result<Json<ModelInfo>, AppError> {
    let models = catalogue::list(&state.db, state.config.uses_fal(), is_admin(session.as_ref())).await?;
    models.into_iter().find(|model| model.key == key).map(Json).ok_or(AppError::NotFound("model"))
}

#[derive(Deserialize)]
struct Toggle {
    /// Absent: flip the current state.
    enabled: Option<bool>,
}

async fn toggle(
    State(state): State<AppState>,
    session: CurrentSession,
    Path(key): Path<Uuid>,
    body: Option<Json<Toggle>>,
) -> Result<Json<ModelInfo>, AppError> {
    session.admin()?;
    let models = catalogue::list(&state.db, state.config.uses_fal(), true).await?;
    let current = models.iter().find(|model| model.key == key).ok_or(AppError::NotFound("model"))?;
    let enabled = body.and_then(|Json(toggle)| toggle.enabled).unwrap_or(!current.enabled);
    Ok(Json(catalogue::set_enabled(&state.db, key, enabled, state.config.uses_fal()).await?))
}

/// Samples depend only on the embedded catalogue, so one process-wide cache is safe and spares the
/// renderer repeated work.
static SAMPLES: OnceLock<Mutex<HashMap<String, Arc<Vec<u8>>>>> = OnceLock::new();

async fn sample(
    State(state): State<AppState>,
    session: Option<CurrentSession>,
    Path(key): Path<Uuid>,
) -> Result<impl IntoResponse, AppError> {
    let models = catalogue::list(&state.db, state.config.uses_fal(), is_admin(session.as_ref())).await?;
    let model = models.into_iter().find(|model| model.key == key).ok_or(AppError::NotFound("model"))?;
    let spec = Catalogue::embedded().get(&model.spec.id).ok_or(AppError::NotFound("model"))?;
    let cache = SAMPLES.get_or_init(Default::default);
    let cached = cache.lock().map_err(AppError::internal)?.get(&spec.id).cloned();
    let png = match cached {
        Some(png) => png,
        None => {
            let png = Arc::new(offline::sample_png(spec).await?.ok_or(AppError::NotFound("sample"))?);
            cache.lock().map_err(AppError::internal)?.insert(spec.id.clone(), png.clone());
            png
        }
    };
    Ok(([(header::CONTENT_TYPE, "image/png"), (header::CACHE_CONTROL, "public, max-age=86400")], png.to_vec()))
}
