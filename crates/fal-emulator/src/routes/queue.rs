//! queue.fal.run: submit, status, status stream, result and cancel.

use super::{MAX_INPUT_BYTES, method_not_allowed, parse_input};
use crate::auth::require_key;
use crate::errors::{ApiError, json_response};
use crate::faults;
use crate::jobs::runner::send_webhook;
use crate::jobs::status::{status_body, status_code, wants_logs};
use crate::jobs::{CancelOutcome, NewJob, Phase, Priority, Via};
use crate::model_id::{ModelId, QueuePath, RequestAction};
use crate::state::AppState;
use crate::stats::CallKind;
use atelier_catalogue::ModelSpec;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use bytes::Bytes;
use serde_json::json;
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use uuid::Uuid;

type Answer = Result<Response, ApiError>;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/queue/{*path}", post(submit).get(read).put(cancel))
        .layer(DefaultBodyLimit::max(MAX_INPUT_BYTES))
}

async fn submit(
    State(state): State<Arc<AppState>>,
    Path(path): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    let QueuePath::Model(model_path) = QueuePath::parse(&path) else {
        return Err(method_not_allowed());
    };
    state.stats.count(CallKind::Submit);
    require_key(&headers, &state.config.key)?;
    let faults = faults::check_call(&state.faults, &headers, CallKind::Submit, Some(model_path))?;
    let (model, spec) = find_model(&state, model_path)?;
    let input = parse_input(&body)?;
    let webhook_url = query.get("fal_webhook").map(|url| check_webhook_url(url)).transpose()?;
    let priority = match header(&headers, "x-fal-queue-priority") {
        Some(priority) if priority.eq_ignore_ascii_case("low") => Priority::Low,
        _ => Priority::Normal,
    };
    let queue_timeout = header(&headers, "x-fal-request-timeout")
        .and_then(|seconds| seconds.trim().parse::<f64>().ok())
        .filter(|seconds| *seconds > 0.0)
        .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok());
    let submitted = state.jobs.enqueue(NewJob {
        model,
        spec,
        via: Via::Queue,
        input,
        priority,
        faults,
        webhook_url,
        queue_timeout,
        base_url: state.base_url.clone(),
    });
    tracing::info!(request_id = %submitted.id, model = spec.id, position = submitted.queue_position, "submitted");
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "request_id": submitted.id.to_string(),
            "response_url": submitted.urls.response_url,
            "status_url": submitted.urls.status_url,
            "cancel_url": submitted.urls.cancel_url,
            "queue_position": submitted.queue_position,
            "status": "IN_QUEUE",
            "gateway_request_id": submitted.gateway_request_id.to_string(),
        }),
    ))
}

pub(super) fn find_model(state: &AppState, path: &str) -> Result<(ModelId, &'static ModelSpec), ApiError> {
    let not_found = || ApiError::NotFound(format!("Application '{path}' not found"));
    let model = ModelId::parse(path).ok_or_else(not_found)?;
    let spec = state.fal_model(&model).ok_or_else(not_found)?;
    Ok((model, spec))
}

fn check_webhook_url(url: &str) -> Result<String, ApiError> {
    match reqwest::Url::parse(url) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => Ok(url.to_owned()),
        _ => Err(ApiError::BadRequest(format!("fal_webhook must be an http(s) URL, not '{url}'"))),
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

async fn read(
    State(state): State<Arc<AppState>>,
    Path(path): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Answer {
    let QueuePath::Request { prefix, request_id, action } = QueuePath::parse(&path) else {
        return Err(method_not_allowed());
    };
    let with_logs = wants_logs(query.get("logs").map(String::as_str));
    match action {
        RequestAction::Status => status(&state, &headers, &prefix, request_id, with_logs),
        RequestAction::StatusStream => stream(state, &headers, &prefix, request_id, with_logs),
        RequestAction::Result => result(&state, &headers, &prefix, request_id),
        RequestAction::Cancel => Err(method_not_allowed()),
    }
}

/// Counts the call, checks the key, finds the request and lets faults fire. `Ok(None)` when no such
/// request exists for the app or model in the URL.
fn open_request(
    state: &AppState,
    headers: &HeaderMap,
    call: CallKind,
    prefix: &str,
    request_id: &str,
) -> Result<Option<Uuid>, ApiError> {
    state.stats.count(call);
    require_key(headers, &state.config.key)?;
    let found = Uuid::parse_str(request_id).ok().and_then(|id| {
        let model = state.jobs.view(id, |job, _| {
            (job.via == Via::Queue && job.model.is_addressed_by(prefix)).then(|| job.model.full().to_owned())
        });
        model.flatten().map(|model| (id, model))
    });
    let model = found.as_ref().map_or(prefix, |(_, model)| model.as_str());
    faults::check_call(&state.faults, headers, call, Some(model))?;
    Ok(found.map(|(id, _)| id))
}

fn request_not_found() -> ApiError {
    ApiError::NotFound("Request not found".to_owned())
}

fn status(state: &AppState, headers: &HeaderMap, prefix: &str, request_id: &str, with_logs: bool) -> Answer {
    let id = open_request(state, headers, CallKind::Status, prefix, request_id)?.ok_or_else(request_not_found)?;
    let (code, body) = state
        .jobs
        .view(id, |job, position| (status_code(job), status_body(job, position, with_logs)))
        .ok_or_else(request_not_found)?;
    Ok(json_response(code, &body))
}

fn result(state: &AppState, headers: &HeaderMap, prefix: &str, request_id: &str) -> Answer {
    let id = open_request(state, headers, CallKind::Result, prefix, request_id)?.ok_or_else(request_not_found)?;
    state
        .jobs
        .view(id, |job, _| match &job.phase {
            Phase::Completed(outcome) => outcome.result_response(id),
            Phase::InQueue | Phase::InProgress => {
                let mut response =
                    json_response(StatusCode::BAD_REQUEST, &json!({ "detail": "Request is still in progress" }));
                if let Ok(value) = HeaderValue::from_str(&id.to_string()) {
                    response.headers_mut().insert("x-fal-request-id", value);
                }
                response
            }
        })
        .ok_or_else(request_not_found)
}

fn stream(state: Arc<AppState>, headers: &HeaderMap, prefix: &str, request_id: &str, with_logs: bool) -> Answer {
    let id = open_request(&state, headers, CallKind::Stream, prefix, request_id)?.ok_or_else(request_not_found)?;
    let changes = state.jobs.subscribe(id).ok_or_else(request_not_found)?;
    let watcher = StatusWatcher { state, id, changes, with_logs, last_sent: None, finished: false };
    let events = futures::stream::unfold(watcher, StatusWatcher::next_event);
    let keep_alive = KeepAlive::new().interval(Duration::from_secs(15)).text("keep-alive");
    Ok(Sse::new(events).keep_alive(keep_alive).into_response())
}

/// Follows one request for the status stream: an event per change, the last one COMPLETED.
struct StatusWatcher {
    state: Arc<AppState>,
    id: Uuid,
    changes: watch::Receiver<u64>,
    with_logs: bool,
    last_sent: Option<String>,
    finished: bool,
}

impl StatusWatcher {
    async fn next_event(mut self) -> Option<(Result<Event, Infallible>, StatusWatcher)> {
        if self.finished {
            return None;
        }
        loop {
            if self.last_sent.is_some() && self.changes.changed().await.is_err() {
                return None;
            }
            self.changes.borrow_and_update();
            let (body, completed) = self.state.jobs.view(self.id, |job, position| {
                (status_body(job, position, self.with_logs).to_string(), matches!(job.phase, Phase::Completed(_)))
            })?;
            if self.last_sent.as_deref() == Some(body.as_str()) {
                continue;
            }
            self.finished = completed;
            self.last_sent = Some(body.clone());
            return Some((Ok(Event::default().data(body)), self));
        }
    }
}

async fn cancel(State(state): State<Arc<AppState>>, Path(path): Path<String>, headers: HeaderMap) -> Answer {
    let QueuePath::Request { prefix, request_id, action: RequestAction::Cancel } = QueuePath::parse(&path) else {
        return Err(method_not_allowed());
    };
    let not_found = || ApiError::Raw(StatusCode::NOT_FOUND, json!({ "status": "NOT_FOUND" }));
    let Some(id) = open_request(&state, &headers, CallKind::Cancel, &prefix, request_id)? else {
        return Err(not_found());
    };
    match state.jobs.cancel(id) {
        CancelOutcome::Requested(webhook) => {
            tracing::info!(request_id = %id, "cancellation requested");
            if let Some(webhook) = webhook {
                send_webhook(&state, webhook);
            }
            Ok(json_response(StatusCode::ACCEPTED, &json!({ "status": "CANCELLATION_REQUESTED" })))
        }
        CancelOutcome::AlreadyCompleted => {
            Err(ApiError::Raw(StatusCode::BAD_REQUEST, json!({ "status": "ALREADY_COMPLETED" })))
        }
        CancelOutcome::NotFound => Err(not_found()),
    }
}
