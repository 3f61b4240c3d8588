//! The generation engine's storage layer: the durable job queue on `generation_queue` and the
//! credit ledger on `users.credits_balance` + `usage_logs`, as plain async functions over the
//! database. Workers, providers and HTTP routes are built on top of these.
//!
//! A job's life: [`enqueue`] (credits held) → [`claim`] (a worker's lease) →
//! [`record_provider_handle`] (before waiting on the provider) → [`complete_in`] (credits
//! settled) or [`fail_or_retry`] (back to `pending` after a backoff, or failed and credits
//! released) or [`finish_cancelled`]. A job whose lease ran out is claimed again by another worker,
//! which resumes from its `provider_handle`.
//!
//! Every state change is one guarded `UPDATE` (on the status, and the worker or the owner), so
//! each transition, and the credit movement that goes with it, happens at most once.
//!
//! Events: this layer publishes nothing. The engine publishes after each transition commits;
//! the places are marked "Engine: publish …" in the doc comments.

mod actions;
mod backoff;
mod claim;
mod control;
mod credits;
pub mod engine;
mod enqueue;
mod listing;
mod outcome;
mod reorder;
mod submit;
mod view;

pub use actions::{PRIORITIES, act, set_queue_paused};
pub use backoff::{RetryPolicy, backoff_delay};
pub use claim::{ClaimLimits, claim, record_provider_handle, renew_lease, set_progress};
pub use control::{
    CancelOutcome, cancel, cancel_any, pause_job, pause_job_any, pause_queue, resume_job, resume_job_any, resume_queue,
    retry, retry_any, set_priority, set_priority_any,
};
pub use credits::{ACTION_HOLD, ACTION_RELEASE, ACTION_SETTLE, Reconciliation, reconcile};
pub use enqueue::{NewJob, enqueue, enqueue_batch};
pub use listing::{JobFilter, get_any, get_for_user, list_all, list_for_user};
pub use outcome::{FailOutcome, JobError, complete, complete_in, fail_or_retry, finish_cancelled};
pub use reorder::{Move, reorder, reorder_any};
pub use submit::submit;

/// The longest side of an image the studio makes and keeps (upscalers and outpainters make large ones):
/// a request for more is refused before it runs, and a provider's output past it is refused.
pub const MAX_OUTPUT_SIDE: u32 = 8192;
pub use view::{announce_balance, balance, job_view, my_queue, queue_paused, whole_queue};

use crate::server::db::entity::generation_queue;
use crate::server::error::AppError;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, EntityTrait, SqliteTransactionMode, Statement,
    TransactionOptions, TransactionTrait, Value,
};
use uuid::Uuid;

/// Whose jobs a control may touch: the owner's own (`WHERE user_id = ?` in the query), or every
/// user's for the `…_any` administrator variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Owner(Uuid),
    Any,
}

impl Scope {
    /// `AND user_id = $n` for the owner, nothing for an administrator; `values` gets the bound id.
    fn sql(self, values: &mut Vec<Value>) -> String {
        match self {
            Scope::Owner(user_id) => {
                values.push(user_id.into());
                format!(" AND user_id = ${}", values.len())
            }
            Scope::Any => String::new(),
        }
    }
}

/// Begins a transaction that writes. On SQLite it is `BEGIN IMMEDIATE`, which takes the write
/// lock at once: a transaction that reads first and writes later would otherwise fail with
/// "database is locked" when another writer committed in between. PostgreSQL ignores the mode.
///
/// Callers of [`complete_in`] begin their transaction with this.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, AppError> {
    let options =
        TransactionOptions { sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate), ..Default::default() };
    Ok(db.begin_with_options(options).await?)
}

/// A statement written with PostgreSQL's `$1, $2, …` placeholders, for either backend: SQLite
/// reads `$1` as a *named* parameter (numbered by first appearance), so it gets `?1` instead.
fn statement(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = match backend {
        DbBackend::Sqlite => sql.replace('$', "?"),
        _ => sql.to_owned(),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// Runs an `UPDATE … RETURNING *` on `generation_queue` and returns the changed row, if any.
async fn update_returning(
    db: &impl ConnectionTrait,
    sql: &str,
    values: Vec<Value>,
) -> Result<Option<generation_queue::Model>, AppError> {
    let stmt = statement(db.get_database_backend(), sql, values);
    Ok(generation_queue::Entity::find().from_raw_sql(stmt).one(db).await?)
}

/// The conflict to report when a job exists but is in a state the action does not apply to.
fn wrong_state(job: &generation_queue::Model, action: &str) -> AppError {
    let state = match job.status.as_str() {
        generation_queue::STATUS_COMPLETED => "has already completed",
        generation_queue::STATUS_FAILED => "has already failed",
        generation_queue::STATUS_CANCELLED => "was already cancelled",
        generation_queue::STATUS_RUNNING => "is running",
        generation_queue::STATUS_PAUSED => "is paused",
        generation_queue::STATUS_PENDING => "is waiting in the queue",
        _ => "is in a state that does not allow it",
    };
    AppError::Conflict(format!("This job {state}, so it cannot be {action}."))
}
