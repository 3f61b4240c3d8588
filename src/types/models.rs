use atelier_catalogue::ModelSpec;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A model of the catalogue as this studio offers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    /// The `models` row id (the endpoint id is `spec.id`).
    pub key: Uuid,
    pub spec: ModelSpec,
    /// Administrators can switch a model off for everyone.
    pub enabled: bool,
    pub availability: ModelAvailability,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ModelAvailability {
    Ready,
    /// A fal.ai model on a studio without a fal.ai key.
    NeedsKey,
}
