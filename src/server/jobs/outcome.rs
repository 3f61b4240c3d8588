//! How a worker ends a job: completed (credits settled), failed or retried later, or cancelled at
//! the user's request (credits released). Each is one guarded `UPDATE` on a job the worker still
//! holds (`worker_id`, status `running`) with its credit movement, in one transaction: when the
//! job is no longer the worker's, nothing changes and the functions return `None`.

use super::backoff::{RetryPolicy, backoff_delay};
use super::{begin_write, credits, update_returning};
use crate::server::db::entity::generation_queue::{
    self, STATUS_CANCELLED, STATUS_COMPLETED, STATUS_FAILED, STATUS_PENDING, STATUS_RUNNING,
};
use crate::server::error::AppError;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter, Value};
use uuid::Uuid;

/// Why an attempt failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobError {
    /// The class of error, for code (`"timeout"`, `"rate_limited"`, `"invalid_input"`, …).
    pub error_type: String,
    /// A sentence the user can act on; shown with the failed job.
    pub message: String,
    /// Trying again may succeed (the provider was down or busy), as opposed to errors that would
    /// recur (the input was refused).
    pub retryable: bool,
}

/// What [`fail_or_retry`] did with the job.
#[derive(Clone, Debug, PartialEq)]
pub enum FailOutcome {
    /// Back to `pending`, not claimed before `next_attempt_at`; its credits stay held.
    WillRetry(generation_queue::Model),
    /// `failed` with the error, its credits released.
    Failed(generation_queue::Model),
}

/// [`complete_in`] in a transaction of its own, for a job whose images are already stored.
pub async fn complete(
    db: &DatabaseConnection,
    job_id: Uuid,
    worker_id: &str,
    image_ids: &[Uuid],
    charged: u32,
) -> Result<Option<generation_queue::Model>, AppError> {
    let txn = begin_write(db).await?;
    let job = complete_in(&txn, job_id, worker_id, image_ids, charged).await?;
    txn.commit().await?;
    Ok(job)
}

/// Marks the job `completed` with its images, and settles its credits: `charged` of the hold is
/// kept (never more than was held), the rest returns to the balance. In the caller's transaction
/// (begun with [`super::begin_write`]), which also inserts the `images` rows, so the images and the
/// charge commit together. `None` (nothing changed) when the job is no longer this worker's,
/// which also makes a second completion a no-op.
///
/// Engine: publish "completed" after the transaction commits.
pub async fn complete_in(
    txn: &DatabaseTransaction,
    job_id: Uuid,
    worker_id: &str,
    image_ids: &[Uuid],
    charged: u32,
) -> Result<Option<generation_queue::Model>, AppError> {
    let now = Utc::now();
    let ids = serde_json::Value::from(image_ids.iter().map(Uuid::to_string).collect::<Vec<_>>());
    let sql = format!(
        "UPDATE generation_queue SET status = '{STATUS_COMPLETED}', progress = 1, result_image_ids = $1, \
            completed_at = $2, updated_at = $2, lease_expires_at = NULL, next_attempt_at = NULL \
         WHERE id = $3 AND worker_id = $4 AND status = '{STATUS_RUNNING}' \
         RETURNING *"
    );
    let values: Vec<Value> = vec![ids.into(), now.into(), job_id.into(), worker_id.into()];
    let Some(mut job) = update_returning(txn, &sql, values).await? else {
        return Ok(None);
    };
    let charged = credits::settle(txn, &job, charged, now).await?;
    generation_queue::Entity::update_many()
        .col_expr(generation_queue::Column::CreditsCharged, charged.into())
        .filter(generation_queue::Column::Id.eq(job.id))
        .exec(txn)
        .await?;
    job.credits_charged = charged;
    Ok(Some(job))
}

/// Records a failed attempt. A retryable error with attempts left sends the job back to
/// `pending`, due after [`backoff_delay`] (its provider request is forgotten: the next attempt
/// submits anew); otherwise the job is `failed` with the error shown to the user, and its credits
/// are released. `None` when the job is no longer this worker's.
///
/// Engine: publish "retrying" or "failed" after this returns.
pub async fn fail_or_retry(
    db: &DatabaseConnection,
    job_id: Uuid,
    worker_id: &str,
    error: JobError,
    policy: RetryPolicy,
    now: DateTime<Utc>,
) -> Result<Option<FailOutcome>, AppError> {
    let txn = begin_write(db).await?;
    let held = generation_queue::Entity::find_by_id(job_id)
        .filter(generation_queue::Column::WorkerId.eq(worker_id))
        .filter(generation_queue::Column::Status.eq(STATUS_RUNNING))
        .one(&txn)
        .await?;
    let Some(held) = held else {
        return Ok(None);
    };
    let attempts = u32::try_from(held.attempts).unwrap_or(0);
    let error_fields = || -> [Value; 2] { [error.error_type.clone().into(), error.message.clone().into()] };
    let guard = |values: &mut Vec<Value>| {
        values.extend([job_id.into(), worker_id.into()]);
        let n = values.len();
        format!("WHERE id = ${} AND worker_id = ${n} AND status = '{STATUS_RUNNING}' RETURNING *", n - 1)
    };

    let outcome = if error.retryable && attempts < policy.max_attempts {
        let due = now + chrono::Duration::from_std(backoff_delay(&policy, job_id, attempts)).unwrap_or_default();
        let mut values = Vec::from(error_fields());
        values.extend([due.into(), now.into()]);
        let guard = guard(&mut values);
        let sql = format!(
            "UPDATE generation_queue SET status = '{STATUS_PENDING}', error_type = $1, error_message = $2, \
                next_attempt_at = $3, updated_at = $4, lease_expires_at = NULL, worker_id = NULL, \
                provider_handle = NULL, fal_request_id = NULL, progress = 0 {guard}"
        );
        update_returning(&txn, &sql, values).await?.map(FailOutcome::WillRetry)
    } else {
        let mut values = Vec::from(error_fields());
        values.push(now.into());
        let guard = guard(&mut values);
        let sql = format!(
            "UPDATE generation_queue SET status = '{STATUS_FAILED}', error_type = $1, error_message = $2, \
                completed_at = $3, updated_at = $3, lease_expires_at = NULL, next_attempt_at = NULL {guard}"
        );
        match update_returning(&txn, &sql, values).await? {
            Some(job) => {
                credits::release(&txn, &job, &error.message, now).await?;
                Some(FailOutcome::Failed(job))
            }
            None => None,
        }
    };
    txn.commit().await?;
    Ok(outcome)
}

/// Ends a job the user asked to cancel (`cancel_requested`) once the worker has stopped it at the
/// provider: `cancelled`, its credits released. `None` when the job is no longer this worker's.
///
/// Engine: publish "cancelled" after this returns.
pub async fn finish_cancelled(
    db: &DatabaseConnection,
    job_id: Uuid,
    worker_id: &str,
) -> Result<Option<generation_queue::Model>, AppError> {
    let now = Utc::now();
    let txn = begin_write(db).await?;
    let sql = format!(
        "UPDATE generation_queue SET status = '{STATUS_CANCELLED}', completed_at = $1, updated_at = $1, \
            lease_expires_at = NULL, next_attempt_at = NULL \
         WHERE id = $2 AND worker_id = $3 AND status = '{STATUS_RUNNING}' \
         RETURNING *"
    );
    let job = update_returning(&txn, &sql, vec![now.into(), job_id.into(), worker_id.into()]).await?;
    if let Some(job) = &job {
        credits::release(&txn, job, "Cancelled.", now).await?;
    }
    txn.commit().await?;
    Ok(job)
}
