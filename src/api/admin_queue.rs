//! The administrators' view of the whole queue, every user's jobs, with the same controls users have.

use crate::types::{ApiError, Job, JobAction, JobStatus, QueueEntry};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use uuid::Uuid;

/// Every user's jobs in claim order (the newest 500), optionally only those in one status.
#[server]
pub async fn get_whole_queue(status: Option<JobStatus>) -> Result<Vec<QueueEntry>, ApiError> {
    use crate::server::auth::require_admin;
    use crate::server::jobs;
    use crate::server::state::AppState;
    require_admin()?;
    Ok(jobs::whole_queue(&AppState::current().db, status).await?)
}

/// Any [`JobAction`] on any user's job; the owner's browsers are told as if they had done it.
#[server(input = Json)]
pub async fn act_on_any_job(id: Uuid, action: JobAction) -> Result<Job, ApiError> {
    use crate::server::auth::require_admin;
    use crate::server::jobs;
    use crate::server::state::AppState;
    require_admin()?;
    Ok(jobs::job_view(jobs::act(&AppState::current(), jobs::Scope::Any, id, action).await?))
}
