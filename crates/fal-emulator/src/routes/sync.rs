//! fal.run: run a model at once and answer its output.

use super::queue::find_model;
use super::{MAX_INPUT_BYTES, parse_input};
use crate::auth::require_key;
use crate::errors::ApiError;
use crate::faults;
use crate::jobs::runner::{Run, execute, finish};
use crate::jobs::{NewJob, Priority, Via};
use crate::state::AppState;
use crate::stats::CallKind;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use bytes::Bytes;
use serde_json::json;
use std::sync::Arc;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/sync/{*model}", post(run_sync)).layer(DefaultBodyLimit::max(MAX_INPUT_BYTES))
}

async fn run_sync(
    State(state): State<Arc<AppState>>,
    Path(model_path): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    state.stats.count(CallKind::Sync);
    require_key(&headers, &state.config.key)?;
    let faults = faults::check_call(&state.faults, &headers, CallKind::Sync, Some(model_path.trim_matches('/')))?;
    let (model, spec) = find_model(&state, model_path.trim_matches('/'))?;
    let input = parse_input(&body)?;
    let slow_queue = faults.slow_queue;
    let (id, cancel) = state.jobs.start_sync(NewJob {
        model,
        spec,
        via: Via::Sync,
        input: input.clone(),
        priority: Priority::Normal,
        faults: faults.clone(),
        webhook_url: None,
        queue_timeout: None,
        base_url: state.base_url.clone(),
    });
    // The run finishes and is recorded even if the caller hangs up.
    let running = tokio::spawn(async move {
        if let Some(delay) = slow_queue {
            tokio::time::sleep(delay).await;
        }
        let outcome = execute(&state, Run { id, spec, input, faults, cancel }).await;
        let response = outcome.result_response(id);
        finish(&state, id, outcome);
        response
    });
    running
        .await
        .map_err(|_| ApiError::Raw(StatusCode::INTERNAL_SERVER_ERROR, json!({ "detail": "Internal server error" })))
}
