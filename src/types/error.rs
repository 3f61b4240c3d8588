use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// The error every server function and REST route returns: an HTTP status, a stable machine code,
/// a message a person can act on, and the offending field when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub status: u16,
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> Self {
        Self { status, code: code.to_owned(), message: message.into(), field: None }
    }
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let error = Self::from_framework(value);
        // On the server, a request whose arguments do not decode never reaches our code, so the
        // status is set here (the response would otherwise be a 500 carrying a 400 body).
        #[cfg(feature = "ssr")]
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
            && let Ok(status) = axum::http::StatusCode::from_u16(error.status)
        {
            response.set_status(status);
        }
        error
    }
}

impl ApiError {
    /// What a failure of the server-function machinery itself means to a person.
    fn from_framework(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) => ApiError::new(
                503,
                "unreachable",
                "The studio could not be reached. Check your connection and try again.",
            ),
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) | ServerFnErrorErr::Deserialization(_) => {
                ApiError::new(400, "bad_request", "The request was not understood. Reload the page and try again.")
            }
            _ => ApiError::new(500, "internal", "Something went wrong on our side. Please try again."),
        }
    }
}
