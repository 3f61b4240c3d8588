//! `JsonBody<T>`: axum's `Json` extractor whose refusals are our `AppError`, so a malformed body
//! gets the same JSON error shape, naming what was wrong, as every other refusal.

use crate::server::error::AppError;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(JsonBody(value)),
            Err(rejection) => Err(refusal(rejection)),
        }
    }
}

fn refusal(rejection: JsonRejection) -> AppError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => {
            AppError::invalid("body", "Send the body as JSON, with Content-Type: application/json.")
        }
        other => AppError::invalid("body", other.body_text()),
    }
}
