//! `Authorization: Key <key>`, required on the queue, sync and storage hosts.

use crate::errors::ApiError;
use axum::http::{HeaderMap, header};

pub fn require_key(headers: &HeaderMap, key: &str) -> Result<(), ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(ApiError::Unauthorized("Missing Authorization header: send 'Authorization: Key <your key>'"));
    };
    let presented = value.to_str().ok().and_then(|value| value.strip_prefix("Key ")).map(str::trim);
    match presented {
        Some(presented) if presented == key => Ok(()),
        Some(_) => Err(ApiError::Unauthorized("No user found for Key ID and Secret")),
        None => Err(ApiError::Unauthorized("Authorization header must be 'Key <your key>'")),
    }
}
