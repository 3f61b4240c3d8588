//! A user's generation request becoming a queued job: the checks a person can act on, the model's own
//! validation, the credit hold, and the events that tell the browser.

use super::{MAX_OUTPUT_SIDE, Move, NewJob, announce_balance, enqueue, reorder};
use crate::server::catalogue;
use crate::server::db::entity::generation_queue::{
    self, KIND_IMAGE_TO_IMAGE, KIND_INPAINT, KIND_OUTPAINT, KIND_REMOVE_BACKGROUND, KIND_TEXT_TO_IMAGE, KIND_UPSCALE,
    KIND_VARIATION,
};
use crate::server::db::entity::images::Model as ImageRow;
use crate::server::db::entity::users;
use crate::server::error::AppError;
use crate::server::images;
use crate::server::state::AppState;
use crate::types::{GenerationRequest, StudioEvent};
use atelier_catalogue::{Category, IMAGE_REF_PREFIX, ModelSpec, ParamKind, ProviderKind, validate};
use serde_json::{Map, Value};
use uuid::Uuid;

/// Checks and queues `request` for `user`. Nothing is written when any check fails.
pub async fn submit(
    state: &AppState,
    user: &users::Model,
    request: GenerationRequest,
) -> Result<generation_queue::Model, AppError> {
    if state.config.auth.require_verified_email && !user.email_verified {
        return Err(AppError::invalid(
            "email",
            "Confirm your email address before generating: the link is in your inbox.",
        ));
    }
    let spec = catalogue::enabled_spec(&state.db, &request.model_id).await?;
    if spec.provider == ProviderKind::Fal && !state.config.uses_fal() {
        return Err(AppError::invalid(
            "model_id",
            format!(
                "{} runs on fal.ai, and this studio has no fal.ai key. Set FAL_KEY and restart, or pick an Atelier Sketch model.",
                spec.name
            ),
        ));
    }
    let parent = match request.parent_image_id {
        Some(id) => Some(images::live_image(&state.db, user.id, id).await?.ok_or_else(|| {
            AppError::invalid(
                "parent_image_id",
                "The image to iterate on is not in your library: pick one of your images.",
            )
        })?),
        None => None,
    };
    let mut input = request.parameters;
    if spec.param("prompt").is_some() {
        input.insert("prompt".into(), Value::from(request.prompt.clone()));
    }
    if let Some(negative) = request.negative_prompt.clone().filter(|text| !text.trim().is_empty()) {
        input.insert("negative_prompt".into(), Value::from(negative));
    }
    let parameters = validate(spec, &input).map_err(|errors| match errors.into_iter().next() {
        Some(first) => AppError::invalid(first.field, first.message),
        None => AppError::invalid("parameters", "These settings do not suit this model."),
    })?;
    let input_size = check_input_images(state, user, spec, &parameters, parent.as_ref()).await?;
    check_output_size(spec, &parameters, input_size)?;
    let credits = spec.estimate_credits(&parameters, input_size);
    let run_next = request.run_next;
    let job = enqueue(
        &state.db,
        NewJob {
            user_id: user.id,
            project_id: request.project_id,
            model_id: spec.id.clone(),
            kind: kind_of(spec, request.parent_image_id.is_some()),
            prompt: request.prompt,
            negative_prompt: request.negative_prompt,
            parameters,
            priority: 0,
            batch_id: None,
            parent_image_id: request.parent_image_id,
            credits,
        },
    )
    .await?;
    // "Generate" runs next: the new job goes to the front of the user's waiting jobs. It is queued
    // either way, so a failed move (a worker may already have claimed it) is no reason to refuse.
    let job = if run_next {
        match reorder(&state.db, user.id, job.id, Move::Top).await {
            Ok(moved) => moved,
            Err(error) => {
                tracing::debug!(job = %job.id, %error, "a new job was not moved to the front");
                job
            }
        }
    } else {
        job
    };
    state.events.publish_or_log(&state.db, user.id, StudioEvent::JobQueued { job: job.id, position: 0 }).await;
    if credits > 0 {
        announce_balance(&state.events, &state.db, user.id).await;
    }
    Ok(job)
}

/// Every input image given as one of the studio's images (`atelier:image/<id>`) must be one of the
/// user's own, out of the trash; links and uploaded files are read by the provider or the engine.
/// Returns the size of the `image_url` image when it is one of the user's: the output of an upscaler or
/// an outpainter follows it, and so does a per-megapixel price. `parent`, already read, is not read
/// again.
async fn check_input_images(
    state: &AppState,
    user: &users::Model,
    spec: &ModelSpec,
    parameters: &Map<String, Value>,
    parent: Option<&ImageRow>,
) -> Result<Option<(u32, u32)>, AppError> {
    let mut input_size = None;
    let image_params = spec.params.iter().filter(|param| matches!(param.kind, ParamKind::Image));
    for param in image_params {
        let Some(reference) = parameters.get(&param.name).and_then(Value::as_str) else { continue };
        let Some(id) = reference.strip_prefix(IMAGE_REF_PREFIX) else { continue };
        let image = match Uuid::parse_str(id) {
            Ok(id) if parent.is_some_and(|parent| parent.id == id) => parent.cloned(),
            Ok(id) => images::live_image(&state.db, user.id, id).await?,
            Err(_) => None,
        };
        let Some(image) = image else {
            return Err(AppError::invalid(
                param.name.clone(),
                "That is not one of your images (or it is in the trash): pick one from your library.",
            ));
        };
        if param.name == "image_url" {
            input_size = u32::try_from(image.width).ok().zip(u32::try_from(image.height).ok());
        }
    }
    Ok(input_size)
}

/// An image larger than the studio keeps is refused before it is made (and paid for), at the setting
/// that makes it so large: the size, the upscale factor, or the larger expansion on the side too long.
fn check_output_size(
    spec: &ModelSpec,
    parameters: &Map<String, Value>,
    input_size: Option<(u32, u32)>,
) -> Result<(), AppError> {
    let Some((width, height)) = spec.output_size(parameters, input_size) else { return Ok(()) };
    if width <= MAX_OUTPUT_SIDE && height <= MAX_OUTPUT_SIDE {
        return Ok(());
    }
    let pixels = |name: &str| parameters.get(name).and_then(Value::as_u64).unwrap_or(0);
    let larger =
        |first: &'static str, second: &'static str| if pixels(first) >= pixels(second) { first } else { second };
    let field = if spec.param("image_size").is_some() {
        "image_size"
    } else if spec.param("upscale_factor").is_some() {
        "upscale_factor"
    } else if spec.param("expand_left").is_some() && width > MAX_OUTPUT_SIDE {
        larger("expand_left", "expand_right")
    } else if spec.param("expand_top").is_some() {
        larger("expand_top", "expand_bottom")
    } else {
        "image_url"
    };
    Err(AppError::invalid(
        field,
        format!(
            "The result would be {width} × {height} pixels, and an image may be at most {MAX_OUTPUT_SIDE} on a side."
        ),
    ))
}

fn kind_of(spec: &ModelSpec, has_parent: bool) -> &'static str {
    match spec.category {
        Category::Upscaling => KIND_UPSCALE,
        Category::Inpainting => KIND_INPAINT,
        Category::Outpainting => KIND_OUTPAINT,
        Category::ImageToImage => KIND_IMAGE_TO_IMAGE,
        Category::Utility if spec.has(atelier_catalogue::Capability::BackgroundRemoval) => KIND_REMOVE_BACKGROUND,
        Category::Utility => KIND_IMAGE_TO_IMAGE,
        Category::TextToImage if has_parent => KIND_VARIATION,
        Category::TextToImage => KIND_TEXT_TO_IMAGE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use atelier_catalogue::Catalogue;
    use serde_json::json;

    fn outpaint(sides: [u32; 4]) -> Map<String, Value> {
        let names = ["expand_left", "expand_right", "expand_top", "expand_bottom"];
        names.iter().zip(sides).map(|(name, pixels)| ((*name).to_owned(), json!(pixels))).collect()
    }

    #[test]
    fn an_output_past_the_largest_side_kept_is_refused_at_the_setting_that_makes_it() {
        let spec = Catalogue::embedded().get("atelier/sketch/outpaint").expect("the offline outpainter");
        let refusal = check_output_size(spec, &outpaint([100, 150, 0, 0]), Some((8000, 600)));
        assert!(
            matches!(&refusal, Err(AppError::Invalid { field, reason }) if field == "expand_right" && reason.contains("8250 × 600")),
            "{refusal:?}"
        );
        let tall = check_output_size(spec, &outpaint([0, 0, 300, 200]), Some((600, 8000)));
        assert!(matches!(&tall, Err(AppError::Invalid { field, .. }) if field == "expand_top"), "{tall:?}");
        // 8192 wide is the limit, not past it.
        assert!(check_output_size(spec, &outpaint([92, 100, 700, 700]), Some((8000, 600))).is_ok());
        // Without a known input size there is nothing to check.
        assert!(check_output_size(spec, &outpaint([700, 700, 0, 0]), None).is_ok());
    }
}
