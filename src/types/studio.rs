use serde::{Deserialize, Serialize};

/// Which engine turns prompts into images on this studio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProviderMode {
    /// fal.ai, with the key the operator configured.
    Fal,
    /// The built-in offline renderer: procedural previews, no key and no network needed.
    Offline,
}

/// What the dashboard shows about the studio itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StudioStatus {
    pub version: String,
    pub provider: ProviderMode,
    pub storage: String,
    pub database: String,
}
