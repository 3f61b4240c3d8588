//! `AppError`: every failure the server can report, mapped once to HTTP and once to server-function
//! errors. Internal details are logged here and never reach the browser.

use crate::types::ApiError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The named thing does not exist, or is not the caller's to see.
    #[error("That {0} does not exist.")]
    NotFound(&'static str),
    #[error("Sign in to continue.")]
    Unauthorized,
    /// A sign-in, re-authentication or second-factor check failed. One message for every cause, so
    /// responses never reveal which accounts exist.
    #[error("{0}")]
    BadCredentials(&'static str),
    #[error("You do not have access to this.")]
    Forbidden,
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    #[error("{0}")]
    Conflict(String),
    #[error("Too many attempts. Try again in {} minutes.", retry_after_secs.div_ceil(60))]
    RateLimited { retry_after_secs: u64 },
    #[error("{0}")]
    Upstream(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Invalid { field: field.into(), reason: reason.into() }
    }

    /// Wraps any unexpected failure; the detail is logged when the error is reported.
    pub fn internal(err: impl std::fmt::Display) -> Self {
        Self::Internal(err.to_string())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Unauthorized | Self::BadCredentials(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Upstream(_) => StatusCode::BAD_GATEWAY,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The public face of this error. Logs what must not be shown.
    pub fn to_api_error(&self) -> ApiError {
        let status = self.status().as_u16();
        match self {
            Self::NotFound(_) => ApiError::new(status, "not_found", self.to_string()),
            Self::Unauthorized => ApiError::new(status, "unauthorized", self.to_string()),
            Self::BadCredentials(message) => ApiError::new(status, "bad_credentials", *message),
            Self::Forbidden => ApiError::new(status, "forbidden", self.to_string()),
            Self::Invalid { field, reason } => {
                ApiError { field: Some(field.clone()), ..ApiError::new(status, "invalid", reason.clone()) }
            }
            Self::Conflict(message) => ApiError::new(status, "conflict", message.clone()),
            Self::RateLimited { .. } => ApiError::new(status, "rate_limited", self.to_string()),
            Self::Upstream(detail) => {
                tracing::warn!(%detail, "upstream failure");
                ApiError::new(status, "upstream", "The image service is not answering right now. Try again shortly.")
            }
            Self::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                ApiError::new(status, "internal", "Something went wrong on our side. Please try again.")
            }
        }
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::internal(format!("database: {err}"))
    }
}

impl From<crate::server::storage::StorageError> for AppError {
    fn from(err: crate::server::storage::StorageError) -> Self {
        Self::internal(format!("storage: {err}"))
    }
}

/// REST routes: the status and a JSON body.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let body = self.to_api_error();
        let mut response = (self.status(), axum::Json(body)).into_response();
        if let Self::RateLimited { retry_after_secs } = self {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, retry_after_secs.into());
        }
        response
    }
}

/// Server functions: the same body, and the same status on the response.
impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        let api = err.to_api_error();
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(err.status());
            if let AppError::RateLimited { retry_after_secs } = err {
                response.insert_header(axum::http::header::RETRY_AFTER, retry_after_secs.into());
            }
        }
        api
    }
}
