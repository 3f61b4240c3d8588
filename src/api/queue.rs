//! The signed-in user's generation queue: see it, and cancel, retry, reorder or pause its jobs.

use crate::types::{ApiError, Job, QueueMove};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The user's queue: every job, newest work last, and whether the whole queue is paused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MyQueue {
    pub paused: bool,
    pub jobs: Vec<Job>,
}

#[server]
pub async fn get_my_queue() -> Result<MyQueue, ApiError> {
    use ssr::*;
    let (state, user) = caller()?;
    let jobs =
        jobs::list_for_user(&state.db, user, &jobs::JobFilter { limit: Some(500), ..Default::default() }).await?;
    let paused = jobs::queue_paused(&state.db, user).await?;
    Ok(MyQueue { paused, jobs: jobs.into_iter().map(jobs::job_view).collect() })
}

#[server]
pub async fn get_job(id: Uuid) -> Result<Job, ApiError> {
    use ssr::*;
    let (state, user) = caller()?;
    Ok(jobs::job_view(jobs::get_for_user(&state.db, user, id).await?))
}

/// Cancels a waiting job at once (its credits come back); a running one stops at its next step.
#[server]
pub async fn cancel_job(id: Uuid) -> Result<Job, ApiError> {
    use ssr::*;
    let (state, user) = caller()?;
    let job = match jobs::cancel(&state.db, user, id).await? {
        jobs::CancelOutcome::Cancelled(job) => {
            announce(&state, user, StudioEvent::JobCancelled { job: job.id }).await;
            announce_balance(&state, user).await;
            job
        }
        jobs::CancelOutcome::Requested(job) => job,
    };
    Ok(jobs::job_view(job))
}

/// Puts a failed or cancelled job back in the queue (holding its credits again).
#[server]
pub async fn retry_job(id: Uuid) -> Result<Job, ApiError> {
    use ssr::*;
    let (state, user) = caller()?;
    let job = jobs::retry(&state.db, user, id).await?;
    announce(&state, user, StudioEvent::JobQueued { job: job.id, position: 0 }).await;
    announce_balance(&state, user).await;
    Ok(jobs::job_view(job))
}

#[server]
pub async fn move_job(id: Uuid, to: QueueMove) -> Result<Job, ApiError> {
    use ssr::*;
    let (state, user) = caller()?;
    let to = match to {
        QueueMove::Up => jobs::Move::Up,
        QueueMove::Down => jobs::Move::Down,
        QueueMove::Top => jobs::Move::Top,
    };
    Ok(jobs::job_view(jobs::reorder(&state.db, user, id, to).await?))
}

/// Holds a waiting job back (`paused: true`) or lets it run again.
#[server]
pub async fn set_job_paused(id: Uuid, paused: bool) -> Result<Job, ApiError> {
    use ssr::*;
    let (state, user) = caller()?;
    let job = if paused {
        let job = jobs::pause_job(&state.db, user, id).await?;
        announce(&state, user, StudioEvent::JobPaused { job: job.id }).await;
        job
    } else {
        let job = jobs::resume_job(&state.db, user, id).await?;
        announce(&state, user, StudioEvent::JobResumed { job: job.id }).await;
        job
    };
    Ok(jobs::job_view(job))
}

/// Pauses or resumes the user's whole queue: running jobs finish, waiting ones wait.
#[server]
pub async fn set_queue_paused(paused: bool) -> Result<bool, ApiError> {
    use ssr::*;
    let (state, user) = caller()?;
    if paused {
        jobs::pause_queue(&state.db, user).await?;
    } else {
        jobs::resume_queue(&state.db, user).await?;
    }
    announce(&state, user, StudioEvent::QueuePaused { paused }).await;
    Ok(paused)
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::server::auth::require_user;
    use crate::server::error::AppError;
    pub use crate::server::jobs;
    use crate::server::state::AppState;
    pub use crate::types::StudioEvent;
    use uuid::Uuid;

    pub fn caller() -> Result<(AppState, Uuid), AppError> {
        let session = require_user()?;
        Ok((AppState::current(), session.user.id))
    }

    pub async fn announce(state: &AppState, user: Uuid, event: StudioEvent) {
        state.events.publish_or_log(&state.db, user, event).await;
    }

    pub async fn announce_balance(state: &AppState, user: Uuid) {
        jobs::announce_balance(&state.events, &state.db, user).await;
    }
}
