//! Links that let anyone holding them see one image.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageShare {
    pub id: Uuid,
    pub image_id: Uuid,
    /// The link's path on this studio, e.g. `/api/shared/{token}/original`.
    pub original_url: String,
    pub preview_url: String,
    /// `None`: until revoked.
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl ImageShare {
    /// The path of one of the shared image's files (`original`, `preview` or `thumbnail`).
    pub fn file_path(token: &str, variant: &str) -> String {
        format!("/api/shared/{token}/{variant}")
    }
}
