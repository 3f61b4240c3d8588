//! fal.ai's webhook deliveries: verified, then published to whoever waits on the job.

use crate::server::error::AppError;
use crate::server::providers::fal::{WEBHOOK_PATH, WebhookError};
use crate::server::state::AppState;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};

/// Deliveries carry the model's output; image URLs, not images, so this is plenty.
const BODY_LIMIT: usize = 2 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new().route(WEBHOOK_PATH, post(receive).layer(DefaultBodyLimit::max(BODY_LIMIT)))
}

/// A delivery from fal: 200 once verified and published; 401 when it cannot be shown to come from fal.
async fn receive(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Json<Value>, AppError> {
    let event = state.fal.webhooks.verify(&headers, &body).await.map_err(refusal)?;
    tracing::info!(request_id = %event.request_id, status = ?event.status, "fal.ai webhook received");
    state.fal.publish(event);
    Ok(Json(json!({"ok": true})))
}

fn refusal(err: WebhookError) -> AppError {
    tracing::warn!(error = %err, "fal.ai webhook refused");
    match err {
        WebhookError::MissingHeader(_) | WebhookError::MalformedHeader(_) => {
            AppError::BadCredentials("The webhook signature headers are missing or malformed.")
        }
        WebhookError::StaleTimestamp { .. } => {
            AppError::BadCredentials("The webhook timestamp is outside the accepted window.")
        }
        WebhookError::SignatureMismatch => AppError::BadCredentials("The webhook signature does not verify."),
        // The detail (already logged above) names internal URLs: the caller gets a plain sentence.
        WebhookError::KeysUnavailable(_) => AppError::Upstream(
            "The keys that sign fal.ai webhooks could not be fetched; try the delivery again.".into(),
        ),
        WebhookError::InvalidBody(reason) => AppError::invalid("body", reason),
    }
}
