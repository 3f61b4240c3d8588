//! The status document of a request, as the status endpoint and the status stream send it.

use super::{Job, Phase};
use axum::http::StatusCode;
use serde_json::{Value, json};

/// 202 while the request waits or runs, 200 once it completed.
pub fn status_code(job: &Job) -> StatusCode {
    match job.phase {
        Phase::Completed(_) => StatusCode::OK,
        _ => StatusCode::ACCEPTED,
    }
}

pub fn status_body(job: &Job, queue_position: Option<usize>, with_logs: bool) -> Value {
    let mut body = json!({
        "status": job.phase.name(),
        "request_id": job.id.to_string(),
        "response_url": job.urls.response_url,
        "status_url": job.urls.status_url,
        "cancel_url": job.urls.cancel_url,
    });
    let Some(fields) = body.as_object_mut() else {
        return body;
    };
    if let (Phase::InQueue, Some(position)) = (&job.phase, queue_position) {
        fields.insert("queue_position".into(), json!(position));
    }
    if with_logs {
        fields.insert("logs".into(), job.logs.iter().map(super::LogLine::to_json).collect());
    }
    if let Phase::Completed(outcome) = &job.phase {
        fields.insert("metrics".into(), json!({ "inference_time": outcome.inference_time() }));
        if let Some((error, error_type)) = outcome.error() {
            fields.insert("error".into(), json!(error));
            if let Some(error_type) = error_type {
                fields.insert("error_type".into(), json!(error_type));
            }
        }
    }
    body
}

/// `logs=1|0|true|false` (the JS client sends digits, the Python client words).
pub fn wants_logs(value: Option<&str>) -> bool {
    value.is_some_and(|value| matches!(value.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes"))
}
