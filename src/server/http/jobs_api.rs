//! The REST face of generation and the queue, for scripts: the same checks and events as the
//! server functions.
//!
//! - `POST /api/jobs` (a `GenerationRequest`) → 201 with the queued job
//! - `GET /api/jobs` → the caller's queue; `GET /api/jobs/{id}` → one job
//! - `POST /api/jobs/{id}/actions` (a `JobAction`, e.g. `{"action":"move","to":"top"}`) → the job
//! - `PUT /api/queue/paused` (`{"paused":true}`) → the same
//! - administrators: `GET /api/admin/jobs[?status=running]`, `POST /api/admin/jobs/{id}/actions`

use super::json_body::JsonBody;
use crate::server::auth::CurrentSession;
use crate::server::error::AppError;
use crate::server::jobs::{self, Scope};
use crate::server::state::AppState;
use crate::types::{GenerationRequest, Job, JobAction, JobStatus, MyQueue, QueueEntry};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Requests here are small JSON documents.
const BODY_LIMIT: usize = 64 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/jobs", post(submit).get(my_queue))
        .route("/api/jobs/{id}", get(one))
        .route("/api/jobs/{id}/actions", post(act))
        .route("/api/queue/paused", put(pause_queue))
        .route("/api/admin/jobs", get(whole_queue))
        .route("/api/admin/jobs/{id}/actions", post(act_as_admin))
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
}

async fn submit(
    State(state): State<AppState>,
    session: CurrentSession,
    JsonBody(request): JsonBody<GenerationRequest>,
) -> Result<(StatusCode, Json<Job>), AppError> {
    let job = jobs::submit(&state, &session.user, request).await?;
    Ok((StatusCode::CREATED, Json(jobs::job_view(job))))
}

async fn my_queue(State(state): State<AppState>, session: CurrentSession) -> Result<Json<MyQueue>, AppError> {
    Ok(Json(jobs::my_queue(&state.db, session.user.id).await?))
}

async fn one(
    State(state): State<AppState>,
    session: CurrentSession,
    Path(id): Path<Uuid>,
) -> Result<Json<Job>, AppError> {
    Ok(Json(jobs::job_view(jobs::get_for_user(&state.db, session.user.id, id).await?)))
}

async fn act(
    State(state): State<AppState>,
    session: CurrentSession,
    Path(id): Path<Uuid>,
    JsonBody(action): JsonBody<JobAction>,
) -> Result<Json<Job>, AppError> {
    Ok(Json(jobs::job_view(jobs::act(&state, Scope::Owner(session.user.id), id, action).await?)))
}

#[derive(Serialize, Deserialize)]
struct Paused {
    paused: bool,
}

async fn pause_queue(
    State(state): State<AppState>,
    session: CurrentSession,
    JsonBody(body): JsonBody<Paused>,
) -> Result<Json<Paused>, AppError> {
    jobs::set_queue_paused(&state, session.user.id, body.paused).await?;
    Ok(Json(body))
}

#[derive(Deserialize)]
struct QueueQuery {
    status: Option<JobStatus>,
}

async fn whole_queue(
    State(state): State<AppState>,
    session: CurrentSession,
    Query(query): Query<QueueQuery>,
) -> Result<Json<Vec<QueueEntry>>, AppError> {
    session.admin()?;
    Ok(Json(jobs::whole_queue(&state.db, query.status).await?))
}

async fn act_as_admin(
    State(state): State<AppState>,
    session: CurrentSession,
    Path(id): Path<Uuid>,
    JsonBody(action): JsonBody<JobAction>,
) -> Result<Json<Job>, AppError> {
    session.admin()?;
    Ok(Json(jobs::job_view(jobs::act(&state, Scope::Any, id, action).await?)))
}
