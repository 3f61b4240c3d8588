//! The credit ledger. Every movement of `users.credits_balance` is one `usage_logs` row whose
//! `credits_used` is what left the balance (negative when credits come back), so at all times
//! `balance == starting grant − Σ credits_used` ([`reconcile`] checks it).
//!
//! - hold (`+n`): when a job is accepted, atomically and never below zero;
//! - settle (`−(held − charged)`): when it completes, the part of the hold not charged returns;
//! - release (`−held`): when it fails or is cancelled, the whole hold returns (logged with
//!   `success` false and the reason in `error_message`).
//!
//! Settling and releasing are only called with the row returned by the guarded `UPDATE` that
//! moved the job out of `pending`/`running`/`paused` into a final status, in the same
//! transaction: that `UPDATE` matches once, so a job is never settled or released twice.

use crate::server::db::entity::{generation_queue, usage_logs, users};
use crate::server::error::AppError;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, Set,
};
use uuid::Uuid;

/// `usage_logs.action` of a hold taken when jobs are accepted.
pub const ACTION_HOLD: &str = "hold";
/// `usage_logs.action` of a completed job's settlement (the unused part of its hold returned).
pub const ACTION_SETTLE: &str = "settle";
/// `usage_logs.action` of a failed or cancelled job's hold returned in full.
pub const ACTION_RELEASE: &str = "release";

/// Takes `credits` from the user's balance and logs the hold, or fails with a message saying how
/// many credits are needed and available (nothing written). A zero hold changes nothing.
pub(super) async fn hold(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    credits: u64,
    model_id: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if credits == 0 {
        return Ok(());
    }
    let amount = i32::try_from(credits).map_err(|_| not_enough(credits, None))?;
    let taken = users::Entity::update_many()
        .col_expr(users::Column::CreditsBalance, Expr::col(users::Column::CreditsBalance).sub(amount))
        .filter(users::Column::Id.eq(user_id))
        .filter(users::Column::CreditsBalance.gte(amount))
        .exec(db)
        .await?;
    if taken.rows_affected == 0 {
        let balance: Option<i32> = users::Entity::find_by_id(user_id)
            .select_only()
            .column(users::Column::CreditsBalance)
            .into_tuple()
            .one(db)
            .await?;
        return Err(match balance {
            Some(balance) => not_enough(credits, Some(balance)),
            None => AppError::NotFound("user"),
        });
    }
    log(db, user_id, ACTION_HOLD, amount, model_id, true, None, now).await
}

fn not_enough(needed: u64, balance: Option<i32>) -> AppError {
    let reason = match balance {
        Some(balance) => format!("This needs {needed} credits and you have {balance}."),
        None => format!("This needs {needed} credits, more than any balance can hold."),
    };
    AppError::invalid("credits", reason)
}

/// Charges `charged` of the job's hold (at most all of it: a balance never pays more than was
/// held) and returns the rest. Returns what was charged.
pub(super) async fn settle(
    db: &impl ConnectionTrait,
    job: &generation_queue::Model,
    charged: u32,
    now: DateTime<Utc>,
) -> Result<i32, AppError> {
    let charged = Ord::min(i32::try_from(charged).unwrap_or(i32::MAX), Ord::max(job.credits_held, 0));
    let refund = job.credits_held - charged;
    if refund > 0 {
        give_back(db, job.user_id, refund).await?;
    }
    if job.credits_held > 0 {
        log(db, job.user_id, ACTION_SETTLE, -refund, Some(job.model_id.clone()), true, None, now).await?;
    }
    Ok(charged)
}

/// Returns the job's whole hold. `reason` is logged with the row (why the job did not complete).
pub(super) async fn release(
    db: &impl ConnectionTrait,
    job: &generation_queue::Model,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let held = job.credits_held - job.credits_charged;
    if held <= 0 {
        return Ok(());
    }
    give_back(db, job.user_id, held).await?;
    log(db, job.user_id, ACTION_RELEASE, -held, Some(job.model_id.clone()), false, Some(reason.to_owned()), now).await
}

async fn give_back(db: &impl ConnectionTrait, user_id: Uuid, credits: i32) -> Result<(), AppError> {
    users::Entity::update_many()
        .col_expr(users::Column::CreditsBalance, Expr::col(users::Column::CreditsBalance).add(credits))
        .filter(users::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn log(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    action: &str,
    credits_used: i32,
    model_id: Option<String>,
    success: bool,
    error_message: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    usage_logs::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        image_id: Set(None),
        action: Set(action.to_owned()),
        model_id: Set(model_id),
        credits_used: Set(credits_used),
        generation_time: Set(None),
        success: Set(success),
        error_message: Set(error_message),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// A user's balance next to what the ledger says it should be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reconciliation {
    /// `users.credits_balance`.
    pub balance: i64,
    /// The starting grant minus the sum of the user's `usage_logs.credits_used`.
    pub ledger: i64,
}

impl Reconciliation {
    pub fn is_balanced(&self) -> bool {
        self.balance == self.ledger
    }
}

/// Compares the user's balance with `starting_grant − Σ usage_logs.credits_used` (for tests and
/// an administrator's check; the two differ only if something bypassed the ledger).
pub async fn reconcile(
    db: &DatabaseConnection,
    user_id: Uuid,
    starting_grant: i64,
) -> Result<Reconciliation, AppError> {
    let balance: i32 = users::Entity::find_by_id(user_id)
        .select_only()
        .column(users::Column::CreditsBalance)
        .into_tuple()
        .one(db)
        .await?
        .ok_or(AppError::NotFound("user"))?;
    // Summed here rather than with SUM(): its type differs by backend (bigint, numeric, integer).
    let used: Vec<i32> = usage_logs::Entity::find()
        .select_only()
        .column(usage_logs::Column::CreditsUsed)
        .filter(usage_logs::Column::UserId.eq(user_id))
        .into_tuple()
        .all(db)
        .await?;
    let ledger = starting_grant - used.into_iter().map(i64::from).sum::<i64>();
    Ok(Reconciliation { balance: i64::from(balance), ledger })
}
