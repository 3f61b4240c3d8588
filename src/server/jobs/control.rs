//! What users do to their jobs: cancel, retry, pause and resume (one job or the whole queue),
//! prioritise. Every function is scoped to the owner in its query; a job of another user is
//! `NotFound`, like one that does not exist. The `…_any` variants are the administrator's, for
//! any user's job.
//!
//! Engine: publish the matching event ("cancelled", "cancel-requested", "queued", "paused",
//! "resumed", "reordered") after each of these returns.

use super::enqueue::last_position;
use super::listing::find_scoped;
use super::{Scope, begin_write, credits, update_returning, wrong_state};
use crate::server::db::entity::generation_queue::{
    self, STATUS_CANCELLED, STATUS_FAILED, STATUS_PAUSED, STATUS_PENDING, STATUS_RUNNING,
};
use crate::server::db::entity::user_settings;
use crate::server::error::AppError;
use chrono::Utc;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Value};
use uuid::Uuid;

/// What [`cancel`] did.
#[derive(Clone, Debug, PartialEq)]
pub enum CancelOutcome {
    /// The job was waiting (`pending` or `paused`): it is `cancelled` and its credits released.
    Cancelled(generation_queue::Model),
    /// The job is running: `cancel_requested` is set, and its worker cancels it at the provider,
    /// then ends it with `finish_cancelled`.
    Requested(generation_queue::Model),
}

/// Cancels one of the user's jobs. A job that already ended is a `Conflict` saying so.
pub async fn cancel(db: &DatabaseConnection, user_id: Uuid, job_id: Uuid) -> Result<CancelOutcome, AppError> {
    cancel_scoped(db, Scope::Owner(user_id), job_id).await
}

/// [`cancel`] for any user's job (administrators).
pub async fn cancel_any(db: &DatabaseConnection, job_id: Uuid) -> Result<CancelOutcome, AppError> {
    cancel_scoped(db, Scope::Any, job_id).await
}

pub(super) async fn cancel_scoped(
    db: &DatabaseConnection,
    scope: Scope,
    job_id: Uuid,
) -> Result<CancelOutcome, AppError> {
    let now = Utc::now();
    let txn = begin_write(db).await?;
    let mut values: Vec<Value> = vec![now.into(), job_id.into()];
    let owner = scope.sql(&mut values);
    let sql = format!(
        "UPDATE generation_queue SET status = '{STATUS_CANCELLED}', completed_at = $1, updated_at = $1, \
            next_attempt_at = NULL \
         WHERE id = $2 AND status IN ('{STATUS_PENDING}', '{STATUS_PAUSED}'){owner} RETURNING *"
    );
    if let Some(job) = update_returning(&txn, &sql, values.clone()).await? {
        credits::release(&txn, &job, "Cancelled by the user.", now).await?;
        txn.commit().await?;
        return Ok(CancelOutcome::Cancelled(job));
    }
    let sql = format!(
        "UPDATE generation_queue SET cancel_requested = TRUE, updated_at = $1 \
         WHERE id = $2 AND status = '{STATUS_RUNNING}'{owner} RETURNING *"
    );
    if let Some(job) = update_returning(&txn, &sql, values).await? {
        txn.commit().await?;
        return Ok(CancelOutcome::Requested(job));
    }
    Err(missed(&txn, scope, job_id, "cancelled").await)
}

/// Queues a failed or cancelled job of the user again, at the end of their queue, with a new hold
/// of its credits (not enough credits → `Invalid`, and the job stays as it was), its attempts
/// reset and its error cleared.
pub async fn retry(db: &DatabaseConnection, user_id: Uuid, job_id: Uuid) -> Result<generation_queue::Model, AppError> {
    retry_scoped(db, Scope::Owner(user_id), job_id).await
}

/// [`retry`] for any user's job (administrators); the credits are held from the job's owner.
pub async fn retry_any(db: &DatabaseConnection, job_id: Uuid) -> Result<generation_queue::Model, AppError> {
    retry_scoped(db, Scope::Any, job_id).await
}

pub(super) async fn retry_scoped(
    db: &DatabaseConnection,
    scope: Scope,
    job_id: Uuid,
) -> Result<generation_queue::Model, AppError> {
    let now = Utc::now();
    let txn = begin_write(db).await?;
    let Some(current) = find_scoped(&txn, scope, job_id).await? else {
        return Err(AppError::NotFound("job"));
    };
    let position = last_position(&txn, current.user_id).await? + 1.0;
    let mut values: Vec<Value> = vec![position.into(), now.into(), job_id.into()];
    let owner = scope.sql(&mut values);
    let sql = format!(
        "UPDATE generation_queue SET status = '{STATUS_PENDING}', attempts = 0, error_type = NULL, \
            error_message = NULL, next_attempt_at = NULL, lease_expires_at = NULL, worker_id = NULL, \
            provider_handle = NULL, fal_request_id = NULL, progress = 0, cancel_requested = FALSE, \
            started_at = NULL, completed_at = NULL, credits_charged = 0, position = $1, updated_at = $2 \
         WHERE id = $3 AND status IN ('{STATUS_FAILED}', '{STATUS_CANCELLED}'){owner} RETURNING *"
    );
    let Some(job) = update_returning(&txn, &sql, values).await? else {
        return Err(wrong_state(&current, "retried"));
    };
    let held = u64::try_from(job.credits_held).unwrap_or(0);
    credits::hold(&txn, job.user_id, held, Some(job.model_id.clone()), now).await?;
    txn.commit().await?;
    Ok(job)
}

/// Holds back one of the user's waiting jobs: it stays in its place but is not claimed.
pub async fn pause_job(
    db: &DatabaseConnection,
    user_id: Uuid,
    job_id: Uuid,
) -> Result<generation_queue::Model, AppError> {
    switch_status(db, Scope::Owner(user_id), job_id, STATUS_PENDING, STATUS_PAUSED, "paused").await
}

/// [`pause_job`] for any user's job (administrators).
pub async fn pause_job_any(db: &DatabaseConnection, job_id: Uuid) -> Result<generation_queue::Model, AppError> {
    switch_status(db, Scope::Any, job_id, STATUS_PENDING, STATUS_PAUSED, "paused").await
}

/// Lets one of the user's paused jobs be claimed again, from its place in the queue.
pub async fn resume_job(
    db: &DatabaseConnection,
    user_id: Uuid,
    job_id: Uuid,
) -> Result<generation_queue::Model, AppError> {
    switch_status(db, Scope::Owner(user_id), job_id, STATUS_PAUSED, STATUS_PENDING, "resumed").await
}

/// [`resume_job`] for any user's job (administrators).
pub async fn resume_job_any(db: &DatabaseConnection, job_id: Uuid) -> Result<generation_queue::Model, AppError> {
    switch_status(db, Scope::Any, job_id, STATUS_PAUSED, STATUS_PENDING, "resumed").await
}

pub(super) async fn switch_status(
    db: &DatabaseConnection,
    scope: Scope,
    job_id: Uuid,
    from: &str,
    to: &str,
    action: &str,
) -> Result<generation_queue::Model, AppError> {
    let mut values: Vec<Value> = vec![to.into(), Utc::now().into(), job_id.into(), from.into()];
    let owner = scope.sql(&mut values);
    let sql = format!(
        "UPDATE generation_queue SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4{owner} RETURNING *"
    );
    match update_returning(db, &sql, values).await? {
        Some(job) => Ok(job),
        None => Err(missed(db, scope, job_id, action).await),
    }
}

/// Sets the priority of one of the user's waiting jobs (higher runs first, before any job of
/// lower priority, whatever its position).
pub async fn set_priority(
    db: &DatabaseConnection,
    user_id: Uuid,
    job_id: Uuid,
    priority: i32,
) -> Result<generation_queue::Model, AppError> {
    set_priority_scoped(db, Scope::Owner(user_id), job_id, priority).await
}

/// [`set_priority`] for any user's job (administrators).
pub async fn set_priority_any(
    db: &DatabaseConnection,
    job_id: Uuid,
    priority: i32,
) -> Result<generation_queue::Model, AppError> {
    set_priority_scoped(db, Scope::Any, job_id, priority).await
}

pub(super) async fn set_priority_scoped(
    db: &DatabaseConnection,
    scope: Scope,
    job_id: Uuid,
    priority: i32,
) -> Result<generation_queue::Model, AppError> {
    let mut values: Vec<Value> = vec![priority.into(), Utc::now().into(), job_id.into()];
    let owner = scope.sql(&mut values);
    let sql = format!(
        "UPDATE generation_queue SET priority = $1, updated_at = $2 \
         WHERE id = $3 AND status IN ('{STATUS_PENDING}', '{STATUS_PAUSED}'){owner} RETURNING *"
    );
    match update_returning(db, &sql, values).await? {
        Some(job) => Ok(job),
        None => Err(missed(db, scope, job_id, "reprioritised").await),
    }
}

/// Pauses the user's whole queue: none of their waiting jobs is claimed until
/// [`resume_queue`]. Running jobs finish.
pub async fn pause_queue(db: &DatabaseConnection, user_id: Uuid) -> Result<(), AppError> {
    set_queue_paused(db, user_id, true).await
}

/// Lets the user's waiting jobs be claimed again.
pub async fn resume_queue(db: &DatabaseConnection, user_id: Uuid) -> Result<(), AppError> {
    set_queue_paused(db, user_id, false).await
}

async fn set_queue_paused(db: &DatabaseConnection, user_id: Uuid, paused: bool) -> Result<(), AppError> {
    let result = user_settings::Entity::update_many()
        .col_expr(user_settings::Column::QueuePaused, paused.into())
        .col_expr(user_settings::Column::UpdatedAt, Utc::now().into())
        .filter(user_settings::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(AppError::NotFound("user"));
    }
    Ok(())
}

/// Why a guarded update matched nothing: the job is not there (for this scope), or it is in a
/// state the action does not apply to.
pub(super) async fn missed(db: &impl ConnectionTrait, scope: Scope, job_id: Uuid, action: &str) -> AppError {
    match find_scoped(db, scope, job_id).await {
        Ok(Some(job)) => wrong_state(&job, action),
        Ok(None) => AppError::NotFound("job"),
        Err(err) => err,
    }
}
