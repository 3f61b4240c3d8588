//! Generation presets: named settings of the generate page that a user saves and applies again.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

/// One of the user's presets. Saving under an existing name replaces its settings and keeps its id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preset {
    pub id: Uuid,
    /// Unique among the user's presets (exact match), 1 to 60 characters, trimmed.
    pub name: String,
    /// A catalogue model id; it may have left the catalogue since the preset was saved.
    pub model_id: String,
    pub prompt: String,
    pub negative_prompt: Option<String>,
    /// The model's other parameters by name, as saved: not checked against the model, so a preset
    /// may hold a half-filled form. Never holds `prompt` or `negative_prompt`.
    pub parameters: Map<String, Value>,
    pub updated_at: DateTime<Utc>,
}
