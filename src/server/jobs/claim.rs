//! Workers taking jobs: the claim with its lease, renewing the lease, and what a worker records
//! while it runs a job.

use super::{statement, update_returning};
use crate::server::db::entity::generation_queue::{self, STATUS_PENDING, STATUS_RUNNING};
use crate::server::error::AppError;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, TransactionTrait, Value};
use std::time::Duration;
use uuid::Uuid;

/// How many jobs may run at once (running with a live lease).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClaimLimits {
    /// Across all users.
    pub global: u32,
    /// For any one user.
    pub per_user: u32,
}

/// Arbitrary key of the PostgreSQL advisory lock that serialises claims (see [`claim`]).
const CLAIM_LOCK_KEY: i64 = 0x6174_656c_6965_7201;

/// Takes the next job for `worker_id` and leases it until `now + lease`, or returns `None` when
/// there is nothing to run or the limits are reached.
///
/// A job can be claimed when it is
/// - `running` with a lease that ran out (its worker died; jobs left running without a lease by
///   the worker before leases existed too). It keeps its `provider_handle`, so the new worker
///   resumes polling the provider's request instead of submitting it again. These come first; or
/// - `pending`, due (`next_attempt_at` unset or past), and its owner's queue is not paused.
///
/// Jobs of users who already have `limits.per_user` jobs running (with live leases) are skipped;
/// nothing is claimed while `limits.global` are. Within each kind, order: `priority` descending,
/// then `position` (the user's order), then `id` (age).
///
/// `attempts` counts submissions to the provider: it grows when a `pending` job is claimed, and
/// when a reclaimed job has no `provider_handle` (its worker died before submitting, so the new
/// one submits), not when a reclaimed job resumes an existing request.
///
/// One `UPDATE … WHERE id = (SELECT … LIMIT 1) RETURNING *`. On PostgreSQL the pick uses
/// `FOR UPDATE SKIP LOCKED` (never waits on a row another transaction is changing), and a
/// transaction-scoped advisory lock serialises the claims themselves: without it, two claims
/// could both count `per_user − 1` running jobs and both take one. Each claim holds that lock for
/// one indexed statement. On SQLite the statement alone is atomic (one writer at a time).
///
/// Engine: publish "started" (or "resumed" when `provider_handle` is set) after this returns.
pub async fn claim(
    db: &DatabaseConnection,
    worker_id: &str,
    lease: Duration,
    limits: ClaimLimits,
    now: DateTime<Utc>,
) -> Result<Option<generation_queue::Model>, AppError> {
    let backend = db.get_database_backend();
    let values: Vec<Value> = vec![
        worker_id.into(),
        lease_end(now, lease)?.into(),
        now.into(),
        i64::from(limits.global).into(),
        i64::from(limits.per_user).into(),
    ];
    let sql = claim_sql(backend);
    if backend != DbBackend::Postgres {
        return update_returning(db, &sql, values).await;
    }
    let txn = db.begin().await?;
    txn.execute_raw(statement(backend, "SELECT pg_advisory_xact_lock($1)", vec![CLAIM_LOCK_KEY.into()])).await?;
    let job = update_returning(&txn, &sql, values).await?;
    txn.commit().await?;
    Ok(job)
}

/// `$1` worker id, `$2` lease end, `$3` now, `$4` global limit, `$5` per-user limit.
///
/// Jobs whose lease ran out come first: they were started before anything still pending. Each
/// pick reads `idx_generation_queue_claim_order` (status, then the claim's order) and stops at the
/// first job it may take, so a claim costs the same behind 10 jobs or 10,000.
fn claim_sql(backend: DbBackend) -> String {
    let skip_locked = if backend == DbBackend::Postgres { "FOR UPDATE SKIP LOCKED" } else { "" };
    let within_limits = format!(
        "(SELECT COUNT(*) FROM generation_queue r \
            WHERE r.status = '{STATUS_RUNNING}' AND r.lease_expires_at >= $3) < $4 \
         AND (SELECT COUNT(*) FROM generation_queue r \
            WHERE r.user_id = q.user_id AND r.status = '{STATUS_RUNNING}' AND r.lease_expires_at >= $3) < $5"
    );
    let order = "ORDER BY q.priority DESC, q.position ASC, q.id ASC LIMIT 1";
    format!(
        "UPDATE generation_queue SET \
            status = '{STATUS_RUNNING}', \
            worker_id = $1, \
            lease_expires_at = $2, \
            started_at = COALESCE(started_at, $3), \
            attempts = CASE WHEN status = '{STATUS_PENDING}' OR provider_handle IS NULL \
                THEN attempts + 1 ELSE attempts END, \
            updated_at = $3 \
         WHERE id = COALESCE( \
            (SELECT q.id FROM generation_queue q \
                WHERE q.status = '{STATUS_RUNNING}' \
                    AND (q.lease_expires_at IS NULL OR q.lease_expires_at < $3) \
                    AND {within_limits} \
                {order} {skip_locked}), \
            (SELECT q.id FROM generation_queue q \
                WHERE q.status = '{STATUS_PENDING}' \
                    AND (q.next_attempt_at IS NULL OR q.next_attempt_at <= $3) \
                    AND NOT EXISTS (SELECT 1 FROM user_settings s \
                        WHERE s.user_id = q.user_id AND s.queue_paused = TRUE) \
                    AND {within_limits} \
                {order} {skip_locked}) \
         ) \
         RETURNING *"
    )
}

fn lease_end(now: DateTime<Utc>, lease: Duration) -> Result<DateTime<Utc>, AppError> {
    chrono::Duration::from_std(lease)
        .ok()
        .and_then(|lease| now.checked_add_signed(lease))
        .ok_or_else(|| AppError::internal(format!("lease of {lease:?} is out of range")))
}

/// Extends the lease of a job `worker_id` runs to `now + lease`. `false` when the job is no longer
/// this worker's (another worker reclaimed it after the lease ran out, or it ended): the worker
/// must stop working on it without recording anything.
///
/// A cancel the user asked for is seen in `cancel_requested` of the job (see `get_any`).
pub async fn renew_lease(
    db: &DatabaseConnection,
    job_id: Uuid,
    worker_id: &str,
    lease: Duration,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let sql = format!(
        "UPDATE generation_queue SET lease_expires_at = $1, updated_at = $2 \
         WHERE id = $3 AND worker_id = $4 AND status = '{STATUS_RUNNING}'"
    );
    let values = vec![lease_end(now, lease)?.into(), now.into(), job_id.into(), worker_id.into()];
    let result = db.execute_raw(statement(db.get_database_backend(), &sql, values)).await?;
    Ok(result.rows_affected() == 1)
}

/// Stores the provider's request (its id, and `handle`: its status, response and cancel URLs)
/// before the worker waits on it, so that a worker reclaiming the job resumes it. `false` when the
/// job is no longer this worker's.
pub async fn record_provider_handle(
    db: &DatabaseConnection,
    job_id: Uuid,
    worker_id: &str,
    handle: serde_json::Value,
    request_id: &str,
) -> Result<bool, AppError> {
    let sql = format!(
        "UPDATE generation_queue SET provider_handle = $1, fal_request_id = $2, updated_at = $3 \
         WHERE id = $4 AND worker_id = $5 AND status = '{STATUS_RUNNING}'"
    );
    let values = vec![handle.into(), request_id.into(), Utc::now().into(), job_id.into(), worker_id.into()];
    let result = db.execute_raw(statement(db.get_database_backend(), &sql, values)).await?;
    Ok(result.rows_affected() == 1)
}

/// Records the progress (clamped to 0..=1) of a job `worker_id` runs. `false` when the job is no
/// longer this worker's.
///
/// Engine: publish "progress" after this returns `true`.
pub async fn set_progress(
    db: &DatabaseConnection,
    job_id: Uuid,
    worker_id: &str,
    progress: f64,
) -> Result<bool, AppError> {
    let progress = if progress.is_nan() { 0.0 } else { progress.clamp(0.0, 1.0) };
    let sql = format!(
        "UPDATE generation_queue SET progress = $1, updated_at = $2 \
         WHERE id = $3 AND worker_id = $4 AND status = '{STATUS_RUNNING}'"
    );
    let values = vec![progress.into(), Utc::now().into(), job_id.into(), worker_id.into()];
    let result = db.execute_raw(statement(db.get_database_backend(), &sql, values)).await?;
    Ok(result.rows_affected() == 1)
}
