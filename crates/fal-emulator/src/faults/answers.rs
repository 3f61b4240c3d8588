//! What an immediate fault answers instead of the real response.

use super::{Fault, FaultKind};
use crate::errors::{json_response, validation_detail};
use crate::stats::CallKind;
use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use futures::StreamExt;
use serde_json::json;
use std::time::Duration;

impl Fault {
    /// The answer an immediate fault gives instead of the real one.
    pub fn response(&self, call: CallKind) -> Response {
        let infrastructure = |status: StatusCode, detail: &str, error_type: &'static str| {
            let mut response = json_response(status, &json!({ "detail": detail, "error_type": error_type }));
            response.headers_mut().insert("x-fal-error-type", HeaderValue::from_static(error_type));
            response
        };
        match self.kind {
            FaultKind::Unauthorized => {
                json_response(StatusCode::UNAUTHORIZED, &json!({ "detail": "No user found for Key ID and Secret" }))
            }
            FaultKind::Validation => {
                let message = format!("{} is not valid (injected validation fault)", self.field);
                let detail = validation_detail(Some(&self.field), &message);
                json_response(StatusCode::UNPROCESSABLE_ENTITY, &json!({ "detail": [detail] }))
            }
            FaultKind::RateLimited => {
                let mut response =
                    json_response(StatusCode::TOO_MANY_REQUESTS, &json!({ "detail": "Rate limit exceeded" }));
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(self.retry_after));
                response
            }
            FaultKind::Http500 => {
                json_response(StatusCode::INTERNAL_SERVER_ERROR, &json!({ "detail": "Internal Server Error" }))
            }
            FaultKind::Http502 => json_response(StatusCode::BAD_GATEWAY, &json!({ "detail": "Bad Gateway" })),
            FaultKind::Http503 => infrastructure(
                StatusCode::SERVICE_UNAVAILABLE,
                "Runner scheduling failure",
                "runner_scheduling_failure",
            ),
            FaultKind::Http504 => infrastructure(StatusCode::GATEWAY_TIMEOUT, "Request timed out", "request_timeout"),
            FaultKind::UserTimeout => {
                let mut response =
                    json_response(StatusCode::GATEWAY_TIMEOUT, &json!({ "detail": "Request timed out" }));
                response.headers_mut().insert("x-fal-request-timeout-type", HeaderValue::from_static("user"));
                response
            }
            FaultKind::DropConnection => dropped_response(call),
            // Lifecycle faults never answer a call; answering normally keeps a misuse harmless.
            _ => json_response(StatusCode::OK, &json!({})),
        }
    }
}

/// 200 and the first bytes of a body, then a broken connection.
fn dropped_response(call: CallKind) -> Response {
    let (content_type, first_bytes): (&'static str, &'static [u8]) = match call {
        CallKind::Stream => ("text/event-stream", b"data: {\"status\": \"IN_"),
        _ => ("application/json", b"{\"request_id\": \""),
    };
    let chunks = futures::stream::iter([Ok::<Bytes, std::io::Error>(Bytes::from_static(first_bytes))]).chain(
        futures::stream::once(async {
            // Give the server time to flush the headers and the partial body before breaking off.
            tokio::time::sleep(Duration::from_millis(50)).await;
            Err(std::io::Error::other("connection dropped by an injected fault"))
        }),
    );
    let mut response = Response::new(Body::from_stream(chunks));
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}
