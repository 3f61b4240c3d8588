//! Liveness and readiness probes for load balancers and orchestrators.

use crate::server::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(alive)).route("/readyz", get(ready))
}

/// The process is up and answering.
async fn alive() -> &'static str {
    "ok"
}

#[derive(Serialize)]
struct Readiness {
    ready: bool,
    database: &'static str,
    storage: &'static str,
}

/// The database and the image store both answer.
async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let database = match state.db.ping().await {
        Ok(()) => "ok",
        Err(e) => {
            tracing::warn!(error = %e, "readiness: database unreachable");
            "unreachable"
        }
    };
    let storage = match state.storage.check().await {
        Ok(()) => "ok",
        Err(e) => {
            tracing::warn!(error = %e, "readiness: storage unreachable");
            "unreachable"
        }
    };
    let ready = database == "ok" && storage == "ok";
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(Readiness { ready, database, storage }))
}
