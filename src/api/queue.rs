//! The signed-in user's generation queue: see it, and cancel, retry, reorder, pause or prioritise its
//! jobs.

pub use crate::types::MyQueue;
use crate::types::{ApiError, Job, JobAction, QueueMove};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use uuid::Uuid;

#[server]
pub async fn get_my_queue() -> Result<MyQueue, ApiError> {
    use ssr::*;
    let (state, user) = caller()?;
    Ok(jobs::my_queue(&state.db, user).await?)
}

#[server]
pub async fn get_job(id: Uuid) -> Result<Job, ApiError> {
    use ssr::*;
    let (state, user) = caller()?;
    Ok(jobs::job_view(jobs::get_for_user(&state.db, user, id).await?))
}

/// Any [`JobAction`] on one of the user's jobs; the functions below are its common cases.
#[server(input = Json)]
pub async fn act_on_job(id: Uuid, action: JobAction) -> Result<Job, ApiError> {
    ssr::act(id, action).await
}

/// Cancels a waiting job at once (its credits come back); a running one stops at its next step.
#[server]
pub async fn cancel_job(id: Uuid) -> Result<Job, ApiError> {
    ssr::act(id, JobAction::Cancel).await
}

/// Puts a failed or cancelled job back in the queue (holding its credits again).
#[server]
pub async fn retry_job(id: Uuid) -> Result<Job, ApiError> {
    ssr::act(id, JobAction::Retry).await
}

#[server]
pub async fn move_job(id: Uuid, to: QueueMove) -> Result<Job, ApiError> {
    ssr::act(id, JobAction::Move { to }).await
}

/// Holds a waiting job back (`paused: true`) or lets it run again.
#[server]
pub async fn set_job_paused(id: Uuid, paused: bool) -> Result<Job, ApiError> {
    ssr::act(id, if paused { JobAction::Pause } else { JobAction::Resume }).await
}

/// Pauses or resumes the user's whole queue: running jobs finish, waiting ones wait.
#[server]
pub async fn set_queue_paused(paused: bool) -> Result<bool, ApiError> {
    use ssr::*;
    let (state, user) = caller()?;
    jobs::set_queue_paused(&state, user, paused).await?;
    Ok(paused)
}

#[cfg(feature = "ssr")]
mod ssr {
    pub use crate::api::ssr::caller;
    pub use crate::server::jobs;
    use crate::types::{ApiError, Job, JobAction};
    use uuid::Uuid;

    pub async fn act(id: Uuid, action: JobAction) -> Result<Job, ApiError> {
        let (state, user) = caller()?;
        Ok(jobs::job_view(jobs::act(&state, jobs::Scope::Owner(user), id, action).await?))
    }
}
