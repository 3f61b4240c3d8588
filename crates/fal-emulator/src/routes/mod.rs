//! The HTTP surface. Path prefixes stand for fal's hosts: `/queue` = queue.fal.run, `/sync` = fal.run,
//! `/rest` = rest.fal.ai, `/files` = the CDN; `/_emulator` is the emulator's own control API.

mod control;
mod queue;
mod storage;
mod sync;

use crate::errors::ApiError;
use crate::state::AppState;
use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// Largest model input accepted (room for a 10 MiB image as a base64 data URI).
const MAX_INPUT_BYTES: usize = 32 * 1024 * 1024;

/// Every route of the emulator.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(index))
        .merge(queue::routes())
        .merge(sync::routes())
        .merge(storage::routes())
        .merge(control::routes())
        .fallback(not_found)
        .with_state(state)
}

async fn index(axum::extract::State(state): axum::extract::State<Arc<AppState>>) -> impl IntoResponse {
    let base = state.base_url();
    axum::Json(json!({
        "name": "fal emulator",
        "queue_url": format!("{base}/queue"),
        "sync_url": format!("{base}/sync"),
        "rest_url": format!("{base}/rest"),
        "jwks_url": format!("{base}/rest/.well-known/jwks.json"),
    }))
}

async fn not_found() -> ApiError {
    ApiError::NotFound("Not Found".to_owned())
}

fn method_not_allowed() -> ApiError {
    ApiError::Raw(StatusCode::METHOD_NOT_ALLOWED, json!({ "detail": "Method Not Allowed" }))
}

/// A model input: a JSON object (an empty body counts as `{}`).
fn parse_input(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(input)) => Ok(input),
        Ok(_) => Err(ApiError::invalid_body("The input must be a JSON object")),
        Err(error) => Err(ApiError::invalid_body(format!("The body is not valid JSON: {error}"))),
    }
}
