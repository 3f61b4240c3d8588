//! rest.fal.ai storage uploads, the emulated CDN under `/files`, and the webhook JWKS.

use crate::auth::require_key;
use crate::errors::{ApiError, json_response};
use crate::faults;
use crate::files::MAX_UPLOAD_BYTES;
use crate::state::AppState;
use crate::stats::CallKind;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use bytes::Bytes;
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/rest/storage/upload/initiate", post(initiate_upload))
        .route("/rest/.well-known/jwks.json", get(jwks))
        .route("/files/upload/{token}", put(receive_upload).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES + 1)))
        .route("/files/{name}", get(serve_file))
}

#[derive(Deserialize)]
struct InitiateUpload {
    content_type: Option<String>,
    file_name: Option<String>,
}

/// `POST /rest/storage/upload/initiate?storage_type=fal-cdn-v3` → `{upload_url, file_url}`.
async fn initiate_upload(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    state.stats.count(CallKind::Upload);
    require_key(&headers, &state.config.key)?;
    faults::check_call(&state.faults, &headers, CallKind::Upload, None)?;
    let request: InitiateUpload = serde_json::from_slice(&body)
        .map_err(|error| ApiError::invalid_body(format!("Expected {{\"content_type\", \"file_name\"}}: {error}")))?;
    let content_type = request.content_type.unwrap_or_else(|| "application/octet-stream".to_owned());
    let file_name = request.file_name.unwrap_or_else(|| "upload".to_owned());
    let (token, stored_name) = state.files.initiate_upload(&file_name, &content_type);
    let base = &state.base_url;
    Ok(Json(json!({
        "upload_url": format!("{base}/files/upload/{token}"),
        "file_url": format!("{base}/files/{stored_name}"),
    }))
    .into_response())
}

/// `PUT upload_url` with the raw bytes. Open like a signed upload URL: no key needed.
async fn receive_upload(
    State(state): State<Arc<AppState>>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    state.stats.count(CallKind::UploadPut);
    faults::check_call(&state.faults, &headers, CallKind::UploadPut, None)?;
    if body.len() > MAX_UPLOAD_BYTES {
        let limit = MAX_UPLOAD_BYTES / 1024 / 1024;
        return Err(ApiError::PayloadTooLarge(format!("Uploads are limited to {limit} MiB")));
    }
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok());
    match state.files.complete_upload(&token, content_type, body) {
        Some(_) => Ok(json_response(StatusCode::OK, &json!({}))),
        None => Err(ApiError::NotFound("Unknown or already used upload URL".to_owned())),
    }
}

async fn serve_file(State(state): State<Arc<AppState>>, Path(name): Path<String>) -> Result<Response, ApiError> {
    let file = state.files.get(&name).ok_or_else(|| ApiError::NotFound("File not found".to_owned()))?;
    let content_type =
        HeaderValue::from_str(&file.content_type).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    Ok(([(header::CONTENT_TYPE, content_type)], file.bytes).into_response())
}

async fn jwks(State(state): State<Arc<AppState>>) -> Json<serde_json::Value> {
    Json(crate::webhooks::jwks(&state.signing_key.verifying_key()))
}
