//! What the browser sees of a job and of a queue.

use super::listing::{JobFilter, list_all, list_for_user};
use crate::server::db::entity::{generation_queue, user_settings, users};
use crate::server::error::AppError;
use crate::server::events::EventBus;
use crate::server::images;
use crate::types::{Job, JobStatus, MyQueue, QueueEntry, StudioEvent};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::collections::HashMap;
use uuid::Uuid;

pub fn job_view(job: generation_queue::Model) -> Job {
    Job {
        id: job.id,
        status: JobStatus::parse(&job.status).unwrap_or(JobStatus::Pending),
        model_id: job.model_id,
        kind: job.kind,
        prompt: job.prompt,
        negative_prompt: job.negative_prompt,
        parameters: job.parameters,
        priority: job.priority,
        attempts: job.attempts,
        progress: job.progress,
        error_type: job.error_type,
        error_message: job.error_message,
        result_image_ids: serde_json::from_value(job.result_image_ids).unwrap_or_default(),
        credits_held: job.credits_held,
        credits_charged: job.credits_charged,
        batch_id: job.batch_id,
        parent_image_id: job.parent_image_id,
        cancel_requested: job.cancel_requested,
        created_at: job.created_at,
        started_at: job.started_at,
        completed_at: job.completed_at,
    }
}

/// How many jobs a queue view shows at most.
const QUEUE_VIEW_LIMIT: u64 = 500;

/// The user's queue as their browser shows it.
pub async fn my_queue(db: &DatabaseConnection, user_id: Uuid) -> Result<MyQueue, AppError> {
    let jobs = list_for_user(db, user_id, &JobFilter { limit: Some(QUEUE_VIEW_LIMIT), ..Default::default() }).await?;
    let paused = queue_paused(db, user_id).await?;
    let jobs: Vec<Job> = jobs.into_iter().map(job_view).collect();
    let images = jobs.iter().flat_map(|job| job.result_image_ids.iter().copied()).collect();
    let favourite_image_ids = images::favourites_among(db, user_id, images).await?;
    Ok(MyQueue { paused, jobs, favourite_image_ids })
}

/// Every user's jobs in claim order, with whose each is (administrators), optionally in one status.
pub async fn whole_queue(db: &DatabaseConnection, status: Option<JobStatus>) -> Result<Vec<QueueEntry>, AppError> {
    let filter = JobFilter {
        statuses: status.map(JobStatus::as_str).into_iter().collect(),
        limit: Some(QUEUE_VIEW_LIMIT),
        ..Default::default()
    };
    let jobs = list_all(db, &filter).await?;
    let mut owner_ids: Vec<Uuid> = jobs.iter().map(|job| job.user_id).collect();
    owner_ids.sort_unstable();
    owner_ids.dedup();
    let owners: HashMap<Uuid, users::Model> = users::Entity::find()
        .filter(users::Column::Id.is_in(owner_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|user| (user.id, user))
        .collect();
    Ok(jobs
        .into_iter()
        .map(|job| {
            let owner = owners.get(&job.user_id);
            QueueEntry {
                owner_id: job.user_id,
                owner_email: owner.map(|user| user.email.clone()).unwrap_or_default(),
                owner_name: owner.map(|user| user.name.clone()).unwrap_or_default(),
                job: job_view(job),
            }
        })
        .collect())
}

/// Whether the user paused their whole queue.
pub async fn queue_paused(db: &DatabaseConnection, user_id: Uuid) -> Result<bool, AppError> {
    let settings = user_settings::Entity::find()
        .filter(user_settings::Column::UserId.eq(user_id))
        .one(db)
        .await
        .map_err(AppError::internal)?;
    Ok(settings.is_some_and(|settings| settings.queue_paused))
}

/// Tells the user's browsers their balance after a credit movement; a failure is logged (the ledger
/// is what counts, and the next page load shows the balance).
pub async fn announce_balance(events: &EventBus, db: &DatabaseConnection, user_id: Uuid) {
    match balance(db, user_id).await {
        Ok(balance) => events.publish_or_log(db, user_id, StudioEvent::CreditsChanged { balance }).await,
        Err(e) => tracing::warn!(error = %e, "could not read a credit balance"),
    }
}

/// The user's credit balance now.
pub async fn balance(db: &DatabaseConnection, user_id: Uuid) -> Result<i64, AppError> {
    let user = users::Entity::find_by_id(user_id).one(db).await.map_err(AppError::internal)?;
    Ok(user.ok_or(AppError::NotFound("account"))?.credits_balance.into())
}
