//! `/_emulator`: the control API tests use to inject faults and inspect what happened.

use crate::errors::{ApiError, json_response};
use crate::faults::{Fault, FaultKind};
use crate::state::AppState;
use crate::stats::CallKind;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/_emulator/faults", get(list_faults).post(add_fault).delete(clear_faults))
        .route("/_emulator/requests", get(list_requests))
        .route("/_emulator/stats", get(stats).delete(reset_stats))
        .route("/_emulator/health", get(|| async { Json(json!({ "status": "ok" })) }))
}

/// The body of `POST /_emulator/faults`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultRequest {
    fault: String,
    on: Option<String>,
    model: Option<String>,
    times: Option<u32>,
    retry_after: Option<u64>,
    field: Option<String>,
    delay_ms: Option<u64>,
}

async fn add_fault(State(state): State<Arc<AppState>>, body: Bytes) -> Result<Response, ApiError> {
    let request: FaultRequest = serde_json::from_slice(&body)
        .map_err(|error| ApiError::invalid_body(format!("Invalid fault rule: {error}")))?;
    let kind = FaultKind::from_name(&request.fault).map_err(|message| ApiError::invalid_field("fault", message))?;
    let on = match request.on.as_deref() {
        None | Some("any") => None,
        Some(name) => Some(CallKind::from_name(name).ok_or_else(|| {
            let known: Vec<&str> = CallKind::ALL.iter().map(|kind| kind.name()).collect();
            ApiError::invalid_field("on", format!("unknown call '{name}'; use any, {}", known.join(", ")))
        })?),
    };
    let times = request.times.unwrap_or(1);
    if times == 0 {
        return Err(ApiError::invalid_field("times", "times must be at least 1"));
    }
    let mut fault = Fault::new(kind);
    if let Some(retry_after) = request.retry_after {
        fault.retry_after = retry_after;
    }
    if let Some(field) = request.field {
        fault.field = field;
    }
    if let Some(delay_ms) = request.delay_ms {
        fault.delay = Duration::from_millis(delay_ms);
    }
    let rule = state.faults.add(fault, on, request.model, times);
    tracing::info!(fault = kind.name(), times, "fault rule added");
    Ok(json_response(StatusCode::CREATED, &rule.to_json()))
}

async fn list_faults(State(state): State<Arc<AppState>>) -> Json<Value> {
    Json(Value::Array(state.faults.list().iter().map(|rule| rule.to_json()).collect()))
}

async fn clear_faults(State(state): State<Arc<AppState>>) -> StatusCode {
    state.faults.clear();
    StatusCode::NO_CONTENT
}

async fn list_requests(State(state): State<Arc<AppState>>) -> Json<Value> {
    Json(state.jobs.list())
}

async fn stats(State(state): State<Arc<AppState>>) -> Response {
    Json(state.stats.to_json()).into_response()
}

async fn reset_stats(State(state): State<Arc<AppState>>) -> StatusCode {
    state.stats.reset();
    StatusCode::NO_CONTENT
}
