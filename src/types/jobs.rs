use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One generation job, as its owner (or an administrator) sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub id: Uuid,
    pub model_id: String,
    /// `text-to-image`, `image-to-image`, `inpaint`, `upscale`, `remove-background` or `variation`.
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
}
