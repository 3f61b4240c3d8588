//! How a request ended, and what that looks like in its status, its result and its webhook.

use crate::errors::json_response;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The model's output JSON.
    Succeeded {
        output: Value,
        inference_time: f64,
    },
    /// The input did not validate: the model answered 422 with this `detail` list.
    Rejected {
        detail: Vec<Value>,
    },
    /// The runner failed (the `error_result` fault, or a renderer crash).
    Failed,
    Cancelled,
    /// It waited in the queue longer than its `x-fal-request-timeout`.
    TimedOut,
}

impl Outcome {
    /// `error` and `error_type` of the status of a request that failed.
    pub fn error(&self) -> Option<(&'static str, Option<&'static str>)> {
        match self {
            Outcome::Succeeded { .. } => None,
            Outcome::Rejected { .. } => Some(("Invalid status code: 422", None)),
            Outcome::Failed => Some(("Internal server error", Some("runner_server_error"))),
            Outcome::Cancelled => Some(("Request was cancelled", Some("request_cancelled"))),
            Outcome::TimedOut => Some(("Request timed out", Some("request_timeout"))),
        }
    }

    pub fn inference_time(&self) -> Option<f64> {
        match self {
            Outcome::Succeeded { inference_time, .. } => Some(*inference_time),
            _ => None,
        }
    }

    /// The status code and body the result endpoint answers with.
    pub fn result(&self) -> (StatusCode, Value) {
        match self {
            Outcome::Succeeded { output, .. } => (StatusCode::OK, output.clone()),
            Outcome::Rejected { detail } => (StatusCode::UNPROCESSABLE_ENTITY, json!({ "detail": detail })),
            Outcome::Failed => (StatusCode::INTERNAL_SERVER_ERROR, json!({ "detail": "Internal server error" })),
            Outcome::Cancelled => (StatusCode::BAD_REQUEST, json!({ "detail": "Request was cancelled" })),
            Outcome::TimedOut => (StatusCode::GATEWAY_TIMEOUT, json!({ "detail": "Request timed out" })),
        }
    }

    /// The result as an HTTP response, with `x-fal-request-id`.
    pub fn result_response(&self, request_id: Uuid) -> Response {
        let (status, body) = self.result();
        let mut response = json_response(status, &body);
        let headers = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(&request_id.to_string()) {
            headers.insert("x-fal-request-id", value);
        }
        if *self == Outcome::TimedOut {
            headers.insert("x-fal-request-timeout-type", HeaderValue::from_static("user"));
        }
        response
    }

    /// What fal POSTs to the request's webhook.
    pub fn webhook_body(&self, request_id: Uuid, gateway_request_id: Uuid) -> Value {
        let (request_id, gateway_request_id) = (request_id.to_string(), gateway_request_id.to_string());
        let (status, payload) = self.result();
        if status.is_success() {
            json!({ "request_id": request_id, "gateway_request_id": gateway_request_id, "status": "OK", "payload": payload })
        } else {
            json!({
                "request_id": request_id,
                "gateway_request_id": gateway_request_id,
                "status": "ERROR",
                "error": format!("Invalid status code: {}", status.as_u16()),
                "payload": payload,
            })
        }
    }
}
