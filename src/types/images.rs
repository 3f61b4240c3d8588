//! A generated image as the browser sees it, and the ways to iterate on one.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use atelier_catalogue::IMAGE_REF_PREFIX;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageView {
    pub id: Uuid,
    pub prompt: String,
    pub negative_prompt: Option<String>,
    pub model_id: Option<String>,
    /// Every parameter it was made with, the seed included.
    pub parameters: serde_json::Value,
    pub seed: Option<u64>,
    pub width: i32,
    pub height: i32,
    /// `png`, `jpeg` or `webp`.
    pub format: String,
    pub file_size: i64,
    /// Seconds.
    pub generation_time: Option<f64>,
    pub cost_credits: i32,
    pub is_favorite: bool,
    pub parent_image_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl ImageView {
    /// Where an image file is uploaded into the library (`multipart/form-data`, field `image`).
    pub const UPLOAD_PATH: &'static str = "/api/images/upload";

    /// `original`, `preview` (about 1024 px) or `thumbnail` (256 px).
    pub fn file_url(id: Uuid, variant: &str) -> String {
        format!("/api/images/{id}/{variant}")
    }

    /// How a job's `image_url` names this image.
    pub fn reference(id: Uuid) -> String {
        format!("{IMAGE_REF_PREFIX}{id}")
    }

    /// The image `value` names as [`reference`](Self::reference) makes it, if it names one.
    pub fn referenced(value: &str) -> Option<Uuid> {
        Uuid::parse_str(value.strip_prefix(IMAGE_REF_PREFIX)?).ok()
    }
}

/// An image with where it came from and what was made from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageDetail {
    pub image: ImageView,
    pub parent: Option<ImageView>,
    /// Oldest first.
    pub children: Vec<ImageView>,
}

/// One click's worth of iteration on an image: the studio picks the model (offline when the image was
/// made offline or there is no fal.ai key) and queues the job with the image as its parent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Iteration {
    /// The same model and settings with new seeds, `count` images (1–4).
    Variations {
        count: u8,
    },
    /// 2× or 4× wider and taller.
    Upscale {
        factor: u8,
    },
    RemoveBackground,
    /// The canvas extended by these many pixels on each side (each at most what the outpainting models
    /// take, 700; at least one above 0), the new area filled and the image kept as it is. `prompt` says
    /// what the new area shows; absent or blank, the image's own prompt.
    Outpaint {
        #[serde(default)]
        left: u32,
        #[serde(default)]
        right: u32,
        #[serde(default)]
        top: u32,
        #[serde(default)]
        bottom: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        prompt: Option<String>,
    },
}

/// An iteration offered with one click wherever an image is shown.
pub struct OneClick {
    /// The button's words.
    pub label: &'static str,
    /// What it is called once asked for ("… queued.").
    pub name: &'static str,
    pub iteration: Iteration,
}

/// The one-click iterations, in the order they are offered.
pub const ONE_CLICK: [OneClick; 4] = [
    OneClick { label: "Variations ×2", name: "Variations", iteration: Iteration::Variations { count: 2 } },
    OneClick { label: "Upscale 2×", name: "Upscale 2×", iteration: Iteration::Upscale { factor: 2 } },
    OneClick { label: "Upscale 4×", name: "Upscale 4×", iteration: Iteration::Upscale { factor: 4 } },
    OneClick { label: "Remove background", name: "Background removal", iteration: Iteration::RemoveBackground },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_names_its_image_and_nothing_else_does() {
        let id = Uuid::now_v7();
        assert_eq!(ImageView::referenced(&ImageView::reference(id)), Some(id));
        assert_eq!(ImageView::referenced(&format!("{IMAGE_REF_PREFIX}not-an-id")), None);
        assert_eq!(ImageView::referenced(&id.to_string()), None);
        assert_eq!(ImageView::referenced("data:image/png;base64,AAAA"), None);
    }
}
