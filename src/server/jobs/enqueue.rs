//! Accepting jobs: the credit hold and the inserted rows commit together, or nothing does.

use super::{begin_write, credits};
use crate::server::db::entity::generation_queue;
use crate::server::error::AppError;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    QuerySelect, Set,
};
use uuid::Uuid;

/// Rows per `INSERT` of a batch: 1 000 × the 15 columns [`new_row`] sets stays far below SQLite's
/// 32 766 bound parameters (and PostgreSQL's 65 535).
const BATCH_CHUNK: usize = 1_000;

/// A batch this large changes the queue's shape enough that PostgreSQL's planner must hear of it at
/// once (see [`refresh_statistics`]).
const ANALYZE_AFTER: usize = 1_000;

/// A job to accept, already validated by the caller (model, parameters, ownership of the project
/// and the parent image).
#[derive(Clone, Debug, PartialEq)]
pub struct NewJob {
    pub user_id: Uuid,
    pub project_id: Option<Uuid>,
    pub model_id: String,
    /// One of the `generation_queue::KIND_*` constants.
    pub kind: &'static str,
    pub prompt: String,
    pub negative_prompt: Option<String>,
    pub parameters: serde_json::Map<String, serde_json::Value>,
    /// Higher runs first.
    pub priority: i32,
    pub batch_id: Option<Uuid>,
    pub parent_image_id: Option<Uuid>,
    /// What the job may cost at most (the model's cost × images), held until it ends.
    pub credits: u32,
}

/// Holds the job's credits and queues it at the end of its user's queue, in one transaction.
/// Not enough credits → `AppError::Invalid { field: "credits", .. }` saying how many are needed
/// and available, and nothing is written.
///
/// Engine: publish "queued" after this returns.
pub async fn enqueue(db: &DatabaseConnection, job: NewJob) -> Result<generation_queue::Model, AppError> {
    let now = Utc::now();
    let txn = begin_write(db).await?;
    credits::hold(&txn, job.user_id, u64::from(job.credits), Some(job.model_id.clone()), now).await?;
    let position = last_position(&txn, job.user_id).await? + 1.0;
    let row = new_row(job, Uuid::now_v7(), position, now).insert(&txn).await?;
    txn.commit().await?;
    Ok(row)
}

/// Accepts several jobs of one user (a batch) in one transaction: one hold for their total (one
/// `usage_logs` row), then the rows in chunked multi-row `INSERT`s, queued in the given order at
/// the end of the user's queue. Returns their ids in that order.
///
/// Engine: publish "queued" (one event for the batch) after this returns.
pub async fn enqueue_batch(db: &DatabaseConnection, jobs: Vec<NewJob>) -> Result<Vec<Uuid>, AppError> {
    let Some(first) = jobs.first() else {
        return Ok(Vec::new());
    };
    let user_id = first.user_id;
    if jobs.iter().any(|job| job.user_id != user_id) {
        return Err(AppError::invalid("jobs", "A batch holds the jobs of one user."));
    }
    let model_id =
        if jobs.iter().all(|job| job.model_id == first.model_id) { Some(first.model_id.clone()) } else { None };
    let total: u64 = jobs.iter().map(|job| u64::from(job.credits)).sum();

    let now = Utc::now();
    let txn = begin_write(db).await?;
    credits::hold(&txn, user_id, total, model_id, now).await?;
    let start = last_position(&txn, user_id).await?;
    let mut ids = Vec::with_capacity(jobs.len());
    let mut rows = Vec::with_capacity(BATCH_CHUNK);
    for (index, job) in jobs.into_iter().enumerate() {
        let id = Uuid::now_v7();
        ids.push(id);
        rows.push(new_row(job, id, start + (index + 1) as f64, now));
        if rows.len() == BATCH_CHUNK {
            generation_queue::Entity::insert_many(std::mem::take(&mut rows)).exec_without_returning(&txn).await?;
        }
    }
    if !rows.is_empty() {
        generation_queue::Entity::insert_many(rows).exec_without_returning(&txn).await?;
    }
    txn.commit().await?;
    if ids.len() >= ANALYZE_AFTER && db.get_database_backend() == DbBackend::Postgres {
        refresh_statistics(db.clone());
    }
    Ok(ids)
}

/// Lets PostgreSQL's planner see a large batch at once. Until autovacuum next analyzes the table
/// (up to a minute later) the planner believes the few pending jobs it last counted, and each claim
/// sorts the whole queue instead of reading the claim-order index (30 ms instead of 0.1 ms behind
/// 10,000 jobs). Runs beside the caller, who does not wait for it.
fn refresh_statistics(db: DatabaseConnection) {
    tokio::spawn(async move {
        if let Err(error) = db.execute_unprepared("ANALYZE generation_queue").await {
            tracing::warn!(%error, "could not refresh the queue's statistics after a large batch");
        }
    });
}

/// The highest position among the user's jobs, 0 when they have none.
pub(super) async fn last_position(db: &impl ConnectionTrait, user_id: Uuid) -> Result<f64, AppError> {
    let last: Option<Option<f64>> = generation_queue::Entity::find()
        .select_only()
        .expr(Expr::col(generation_queue::Column::Position).max())
        .filter(generation_queue::Column::UserId.eq(user_id))
        .into_tuple()
        .one(db)
        .await?;
    Ok(last.flatten().unwrap_or(0.0))
}

/// A new job's row. It sets only what the schema's defaults do not say (they make it `pending`,
/// with no attempts, progress, charge or result yet, not cancelled, and NULL in every column of a
/// later state): a batch's `INSERT` then binds half the parameters, which is most of its cost.
/// Every row sets the same columns, so that rows of one multi-row `INSERT` share their list.
fn new_row(job: NewJob, id: Uuid, position: f64, now: DateTime<Utc>) -> generation_queue::ActiveModel {
    generation_queue::ActiveModel {
        id: Set(id),
        user_id: Set(job.user_id),
        project_id: Set(job.project_id),
        prompt: Set(job.prompt),
        negative_prompt: Set(job.negative_prompt),
        model_id: Set(job.model_id),
        parameters: Set(serde_json::Value::Object(job.parameters)),
        priority: Set(job.priority),
        created_at: Set(now),
        updated_at: Set(now),
        kind: Set(job.kind.to_owned()),
        position: Set(position),
        batch_id: Set(job.batch_id),
        credits_held: Set(i32::try_from(job.credits).unwrap_or(i32::MAX)),
        parent_image_id: Set(job.parent_image_id),
        ..Default::default()
    }
}
