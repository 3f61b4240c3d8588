//! The errors the emulator answers with, shaped like fal's: `{"detail": …}` bodies.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// One entry of a 422 `detail` list, FastAPI style.
pub fn validation_detail(field: Option<&str>, message: &str) -> Value {
    let loc = match field {
        Some(field) => json!(["body", field]),
        None => json!(["body"]),
    };
    json!({ "loc": loc, "msg": message, "type": "value_error" })
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    Unauthorized(&'static str),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    /// 422 with a list of `{loc, msg, type}`.
    #[error("invalid input")]
    Invalid(Vec<Value>),
    #[error("{0}")]
    PayloadTooLarge(String),
    /// Any other status with a body that is already fal-shaped.
    #[error("HTTP {0}")]
    Raw(StatusCode, Value),
    /// The answer of an injected fault, sent as it is.
    #[error("injected fault")]
    Injected(Box<Response>),
}

impl ApiError {
    pub fn invalid_field(field: &str, message: impl AsRef<str>) -> ApiError {
        ApiError::Invalid(vec![validation_detail(Some(field), message.as_ref())])
    }

    pub fn invalid_body(message: impl AsRef<str>) -> ApiError {
        ApiError::Invalid(vec![validation_detail(None, message.as_ref())])
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            ApiError::Unauthorized(detail) => (StatusCode::UNAUTHORIZED, json!({ "detail": detail })),
            ApiError::NotFound(detail) => (StatusCode::NOT_FOUND, json!({ "detail": detail })),
            ApiError::BadRequest(detail) => (StatusCode::BAD_REQUEST, json!({ "detail": detail })),
            ApiError::Invalid(detail) => (StatusCode::UNPROCESSABLE_ENTITY, json!({ "detail": detail })),
            ApiError::PayloadTooLarge(detail) => (StatusCode::PAYLOAD_TOO_LARGE, json!({ "detail": detail })),
            ApiError::Raw(status, body) => (status, body),
            ApiError::Injected(response) => return *response,
        };
        json_response(status, &body)
    }
}

/// A JSON response with an explicit status.
pub fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}
