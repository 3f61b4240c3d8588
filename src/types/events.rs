//! What the live-progress stream (`GET /api/events`) tells the browser: one [`StudioEvent`] per
//! server-sent event, its `type` doubling as the SSE event name.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Something that happened to the signed-in user's jobs, queue or credits.
///
/// Serialised as a JSON object whose `type` is the snake_case variant name
/// (`{"type":"job_progress","job":"…","progress":0.5,"step":14,"total":28}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StudioEvent {
    /// A job entered the queue at `position` (1 is next).
    JobQueued {
        job: Uuid,
        position: u32,
    },
    /// A waiting job moved in the queue.
    JobPosition {
        job: Uuid,
        position: u32,
    },
    /// A worker began the job.
    JobStarted {
        job: Uuid,
    },
    /// How far along a running job is: `progress` from 0 to 1, and the sampler's steps when known.
    JobProgress {
        job: Uuid,
        progress: f32,
        step: Option<u32>,
        total: Option<u32>,
    },
    /// A line of the job's log (`level`: `info`, `warn`, `error`, ...).
    JobLog {
        job: Uuid,
        level: String,
        message: String,
    },
    /// The job finished; `images` are the new images, in order.
    JobCompleted {
        job: Uuid,
        images: Vec<Uuid>,
    },
    /// The job failed; when `retrying`, it is back in the queue for another attempt.
    JobFailed {
        job: Uuid,
        message: String,
        error_type: Option<String>,
        retrying: bool,
    },
    JobCancelled {
        job: Uuid,
    },
    JobPaused {
        job: Uuid,
    },
    JobResumed {
        job: Uuid,
    },
    /// The job moved in its queue, or its priority changed: the queue order is different.
    JobReordered {
        job: Uuid,
    },
    /// The user paused (`true`) or resumed (`false`) their whole queue.
    QueuePaused {
        paused: bool,
    },
    /// The user's credit balance changed.
    CreditsChanged {
        balance: i64,
    },
}

impl StudioEvent {
    /// Every event's `type` tag (its SSE event name), for listeners that take them all.
    pub const KINDS: &'static [&'static str] = &[
        "job_queued",
        "job_position",
        "job_started",
        "job_progress",
        "job_log",
        "job_completed",
        "job_failed",
        "job_cancelled",
        "job_paused",
        "job_resumed",
        "job_reordered",
        "queue_paused",
        "credits_changed",
    ];

    /// The job this event is about, if any.
    pub fn job(&self) -> Option<Uuid> {
        match self {
            Self::JobQueued { job, .. }
            | Self::JobPosition { job, .. }
            | Self::JobStarted { job }
            | Self::JobProgress { job, .. }
            | Self::JobLog { job, .. }
            | Self::JobCompleted { job, .. }
            | Self::JobFailed { job, .. }
            | Self::JobCancelled { job }
            | Self::JobPaused { job }
            | Self::JobResumed { job }
            | Self::JobReordered { job } => Some(*job),
            Self::QueuePaused { .. } | Self::CreditsChanged { .. } => None,
        }
    }

    /// The event's `type` tag, which is also its SSE event name (`job_progress`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::JobQueued { .. } => "job_queued",
            Self::JobPosition { .. } => "job_position",
            Self::JobStarted { .. } => "job_started",
            Self::JobProgress { .. } => "job_progress",
            Self::JobLog { .. } => "job_log",
            Self::JobCompleted { .. } => "job_completed",
            Self::JobFailed { .. } => "job_failed",
            Self::JobCancelled { .. } => "job_cancelled",
            Self::JobPaused { .. } => "job_paused",
            Self::JobResumed { .. } => "job_resumed",
            Self::JobReordered { .. } => "job_reordered",
            Self::QueuePaused { .. } => "queue_paused",
            Self::CreditsChanged { .. } => "credits_changed",
        }
    }
}

/// An event with its id: the SSE `id`, which a reconnecting browser sends back as
/// `Last-Event-ID` to be told only what came after it. Ids only grow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventEnvelope {
    pub id: i64,
    pub event: StudioEvent,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_of_each() -> Vec<StudioEvent> {
        let job = Uuid::nil();
        vec![
            StudioEvent::JobQueued { job, position: 3 },
            StudioEvent::JobPosition { job, position: 2 },
            StudioEvent::JobStarted { job },
            StudioEvent::JobProgress { job, progress: 0.5, step: Some(14), total: Some(28) },
            StudioEvent::JobLog { job, level: "info".into(), message: "warming up".into() },
            StudioEvent::JobCompleted { job, images: vec![Uuid::max()] },
            StudioEvent::JobFailed { job, message: "no".into(), error_type: None, retrying: true },
            StudioEvent::JobCancelled { job },
            StudioEvent::JobPaused { job },
            StudioEvent::JobResumed { job },
            StudioEvent::JobReordered { job },
            StudioEvent::QueuePaused { paused: true },
            StudioEvent::CreditsChanged { balance: 42 },
        ]
    }

    #[test]
    fn every_event_is_tagged_with_its_kind_and_reads_back_unchanged() {
        for event in one_of_each() {
            let json = serde_json::to_value(&event).unwrap();
            assert_eq!(json["type"], event.kind(), "{json}");
            assert_eq!(serde_json::from_value::<StudioEvent>(json).unwrap(), event);
        }
    }

    #[test]
    fn kinds_lists_every_event_once() {
        let kinds: Vec<&str> = one_of_each().iter().map(StudioEvent::kind).collect();
        assert_eq!(kinds, StudioEvent::KINDS);
    }

    #[test]
    fn job_events_name_their_job_and_account_events_do_not() {
        let with_job = one_of_each().iter().filter(|event| event.job().is_some()).count();
        assert_eq!(with_job, 11);
        assert_eq!(StudioEvent::CreditsChanged { balance: 1 }.job(), None);
    }
}
