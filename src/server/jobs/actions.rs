//! A [`JobAction`] applied for its owner or an administrator, followed by the events that tell the
//! owner's browsers. Server functions and REST routes all come through here.

use super::control::{cancel_scoped, pause_queue, resume_queue, retry_scoped, set_priority_scoped, switch_status};
use super::reorder::{Move, reorder_scoped};
use super::{CancelOutcome, Scope, announce_balance};
use crate::server::db::entity::generation_queue::{self, STATUS_PAUSED, STATUS_PENDING};
use crate::server::error::AppError;
use crate::server::state::AppState;
use crate::types::{JobAction, QueueMove, StudioEvent};
use uuid::Uuid;

/// The priorities a job may take; 0 is the default.
pub const PRIORITIES: std::ops::RangeInclusive<i32> = -100..=100;

/// Applies `action` to the job, within `scope` (another user's job is `NotFound` for an owner).
pub async fn act(
    state: &AppState,
    scope: Scope,
    job_id: Uuid,
    action: JobAction,
) -> Result<generation_queue::Model, AppError> {
    let db = &state.db;
    let (job, event, credits_moved) = match action {
        JobAction::Cancel => match cancel_scoped(db, scope, job_id).await? {
            CancelOutcome::Cancelled(job) => {
                let event = StudioEvent::JobCancelled { job: job.id };
                (job, Some(event), true)
            }
            // The worker announces the cancellation when it has stopped the job.
            CancelOutcome::Requested(job) => (job, None, false),
        },
        JobAction::Retry => {
            let job = retry_scoped(db, scope, job_id).await?;
            (job.clone(), Some(StudioEvent::JobQueued { job: job.id, position: 0 }), true)
        }
        JobAction::Pause => {
            let job = switch_status(db, scope, job_id, STATUS_PENDING, STATUS_PAUSED, "paused").await?;
            (job.clone(), Some(StudioEvent::JobPaused { job: job.id }), false)
        }
        JobAction::Resume => {
            let job = switch_status(db, scope, job_id, STATUS_PAUSED, STATUS_PENDING, "resumed").await?;
            (job.clone(), Some(StudioEvent::JobResumed { job: job.id }), false)
        }
        JobAction::Move { to } => {
            let to = match to {
                QueueMove::Up => Move::Up,
                QueueMove::Down => Move::Down,
                QueueMove::Top => Move::Top,
                QueueMove::Bottom => Move::Bottom,
                QueueMove::Before(other) => Move::Before(other),
            };
            let job = reorder_scoped(db, scope, job_id, to).await?;
            (job.clone(), Some(StudioEvent::JobReordered { job: job.id }), false)
        }
        JobAction::Prioritise { priority } => {
            if !PRIORITIES.contains(&priority) {
                return Err(AppError::invalid(
                    "priority",
                    format!("Pick a priority from {} to {}.", PRIORITIES.start(), PRIORITIES.end()),
                ));
            }
            let job = set_priority_scoped(db, scope, job_id, priority).await?;
            (job.clone(), Some(StudioEvent::JobReordered { job: job.id }), false)
        }
    };
    if let Some(event) = event {
        state.events.publish_or_log(db, job.user_id, event).await;
    }
    if credits_moved {
        announce_balance(&state.events, db, job.user_id).await;
    }
    Ok(job)
}

/// Pauses (`true`) or resumes the user's whole queue, and tells their browsers.
pub async fn set_queue_paused(state: &AppState, user_id: Uuid, paused: bool) -> Result<(), AppError> {
    if paused {
        pause_queue(&state.db, user_id).await?;
    } else {
        resume_queue(&state.db, user_id).await?;
    }
    state.events.publish_or_log(&state.db, user_id, StudioEvent::QueuePaused { paused }).await;
    Ok(())
}
