use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One generation job, as its owner (or an administrator) sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub id: Uuid,
    pub model_id: String,
    /// `text-to-image`, `image-to-image`, `inpaint`, `outpaint`, `upscale`, `remove-background` or
    /// `variation`.
    pub kind: String,
    pub prompt: String,
    pub negative_prompt: Option<String>,
    pub parameters: serde_json::Value,
    pub status: JobStatus,
    pub priority: i32,
    pub attempts: i32,
    /// 0 to 1.
    pub progress: f64,
    pub error_type: Option<String>,
    /// Why it failed, in words a person can act on.
    pub error_message: Option<String>,
    pub result_image_ids: Vec<Uuid>,
    pub credits_held: i32,
    pub credits_charged: i32,
    pub batch_id: Option<Uuid>,
    pub parent_image_id: Option<Uuid>,
    pub cancel_requested: bool,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
}

impl Job {
    /// The `error_type` of a job whose input was refused, naming the parameter at fault.
    pub fn invalid_input_for(field: &str) -> String {
        format!("invalid_input:{field}")
    }

    /// The parameter an `error_type` made by [`Job::invalid_input_for`] names.
    pub fn refused_field(error_type: &str) -> Option<&str> {
        error_type.strip_prefix("invalid_input:")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Pending,
    Running,
    Completed,
    Failed,
    Cancelled,
    Paused,
}

impl JobStatus {
    pub fn parse(status: &str) -> Option<Self> {
        Some(match status {
            "pending" => Self::Pending,
            "running" => Self::Running,
            "completed" => Self::Completed,
            "failed" => Self::Failed,
            "cancelled" => Self::Cancelled,
            "paused" => Self::Paused,
            _ => return None,
        })
    }

    /// The name stored and sent for this status (`pending`, `running`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
            Self::Paused => "paused",
        }
    }

    /// Whether the job is over (it will not run again unless retried).
    pub fn is_final(self) -> bool {
        matches!(self, Self::Completed | Self::Failed | Self::Cancelled)
    }
}

/// Where to move a waiting job in its owner's queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueMove {
    Up,
    Down,
    Top,
    Bottom,
    /// Just before this other waiting job (a drop in a drag-and-drop list).
    Before(Uuid),
}

/// Something done to one waiting, running or finished job, by its owner or an administrator.
///
/// Serialised with its name in `action`: `{"action":"cancel"}`, `{"action":"move","to":"top"}`,
/// `{"action":"prioritise","priority":5}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum JobAction {
    /// A waiting job ends at once; a running one stops at its next step (and at fal).
    Cancel,
    /// A failed or cancelled job joins the end of the queue again.
    Retry,
    /// A waiting job is held back in its place.
    Pause,
    Resume,
    Move {
        to: QueueMove,
    },
    /// Higher runs first, before any waiting job of lower priority.
    Prioritise {
        priority: i32,
    },
}

/// The user's queue: their jobs in queue order, and whether the whole queue is paused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MyQueue {
    pub paused: bool,
    pub jobs: Vec<Job>,
    /// Which of the jobs' images are favourites, so a page need not ask image by image.
    pub favourite_image_ids: Vec<Uuid>,
}

/// A job in the administrators' view of the whole queue, with whose it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueEntry {
    pub owner_id: Uuid,
    pub owner_email: String,
    pub owner_name: String,
    pub job: Job,
}

/// What to generate: a model, a prompt, and the model's other parameters by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerationRequest {
    pub model_id: String,
    pub prompt: String,
    #[serde(default)]
    pub negative_prompt: Option<String>,
    /// Any other parameter of the model (`image_size`, `num_images`, `seed`, …).
    #[serde(default)]
    pub parameters: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub project_id: Option<Uuid>,
    /// The image this one iterates on (variation, image-to-image, upscale, …).
    #[serde(default)]
    pub parent_image_id: Option<Uuid>,
    /// Put it first in the user's queue ("Generate") rather than last ("Add to queue").
    #[serde(default)]
    pub run_next: bool,
}
