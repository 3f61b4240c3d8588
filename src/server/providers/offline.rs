//! The built-in offline renderer as a provider: runs a catalogue model on this machine, off the async
//! runtime, reporting each step as it finishes.

use crate::server::error::AppError;
use atelier_catalogue::ModelSpec;
use atelier_renderer::{Inputs, Rendered, Step};
use serde_json::{Map, Value};
use tokio::sync::mpsc::UnboundedSender;

/// Renders `spec` with validated `params`. Steps go to `progress` as they finish (a closed receiver
/// is fine: the render goes on).
pub async fn render(
    spec: &'static ModelSpec,
    params: Map<String, Value>,
    inputs: Inputs,
    progress: Option<UnboundedSender<Step>>,
) -> Result<Rendered, AppError> {
    tokio::task::spawn_blocking(move || {
        let mut report = |step: Step| {
            if let Some(progress) = &progress {
                let _ = progress.send(step);
            }
        };
        atelier_renderer::run(spec, &params, &inputs, &mut report)
    })
    .await
    .map_err(AppError::internal)?
    .map_err(|e| AppError::invalid("parameters", e.to_string()))
}

/// A small example image for an offline text-to-image model's card: its recommended prompt at 512×512,
/// always the same pixels. `None` for models that need an input image.
pub async fn sample_png(spec: &'static ModelSpec) -> Result<Option<Vec<u8>>, AppError> {
    if !spec.is_offline() || !spec.has(atelier_catalogue::Capability::TextToImage) {
        return Ok(None);
    }
    let mut params = spec.defaults();
    params.insert("prompt".into(), spec.recommended.get("prompt").cloned().unwrap_or_else(|| SAMPLE_PROMPT.into()));
    params.insert("image_size".into(), serde_json::json!({ "width": 512, "height": 512 }));
    params.insert("num_images".into(), 1.into());
    params.insert("seed".into(), 7.into());
    let rendered = render(spec, params, Inputs::default(), None).await?;
    let image = rendered.images.into_iter().next().ok_or_else(|| AppError::internal("the renderer made no image"))?;
    let mut png = Vec::new();
    image.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).map_err(AppError::internal)?;
    Ok(Some(png))
}

const SAMPLE_PROMPT: &str = "a quiet harbour at sunset, warm light over the water";
