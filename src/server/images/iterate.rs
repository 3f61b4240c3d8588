//! One click of "iterate" on an image becoming a generation request: which model, which settings,
//! and the image as the parent of whatever it makes. The request then goes through the same checks,
//! credit hold and queue as any other (`jobs::submit`).

use super::library::owned_image;
use crate::server::db::entity::{generation_queue, images, users};
use crate::server::error::AppError;
use crate::server::jobs;
use crate::server::state::AppState;
use crate::types::{GenerationRequest, ImageView, Iteration};
use atelier_catalogue::{Catalogue, Category, ModelSpec, ParamKind};
use serde_json::{Map, Value, json};
use uuid::Uuid;

/// The most variations one click asks for.
pub const MAX_VARIATIONS: u8 = 4;
/// How many times wider and taller an upscale may make an image.
pub const UPSCALE_FACTORS: [u8; 2] = [2, 4];

pub const OFFLINE_UPSCALER: &str = "atelier/sketch/upscale";
pub const FAL_UPSCALER: &str = "fal-ai/clarity-upscaler";
pub const OFFLINE_BACKGROUND_REMOVER: &str = "atelier/sketch/remove-background";
pub const FAL_BACKGROUND_REMOVER: &str = "fal-ai/imageutils/rembg";
pub const OFFLINE_OUTPAINTER: &str = "atelier/sketch/outpaint";
pub const FAL_OUTPAINTER: &str = "fal-ai/image-apps-v2/outpaint";

/// Queues `iteration` of one of `user`'s images; someone else's or a trashed image is `NotFound`.
pub async fn iterate(
    state: &AppState,
    user: &users::Model,
    id: Uuid,
    iteration: Iteration,
) -> Result<generation_queue::Model, AppError> {
    let image = owned_image(&state.db, user.id, id).await?;
    let request = iteration_request(&image, iteration, state.config.uses_fal())?;
    jobs::submit(state, user, request).await.map_err(named_as_iterations_name_it)
}

/// A refusal of a model's setting, under the name the iteration gives it (`factor`, `left`, …).
fn named_as_iterations_name_it(error: AppError) -> AppError {
    const NAMES: [(&str, &str); 5] = [
        ("upscale_factor", "factor"),
        ("expand_left", "left"),
        ("expand_right", "right"),
        ("expand_top", "top"),
        ("expand_bottom", "bottom"),
    ];
    match error {
        AppError::Invalid { field, reason } => {
            let field = NAMES.iter().find(|(model, _)| *model == field).map_or(field, |(_, ours)| (*ours).to_owned());
            AppError::Invalid { field, reason }
        }
        other => other,
    }
}

/// The request that makes `iteration` of `image`. `fal_ready`: whether this studio has a fal.ai key.
/// Upscaling, background removal and outpainting stay offline for an image made offline (a procedural
/// sketch gains nothing from a paid model) and whenever there is no key.
pub fn iteration_request(
    image: &images::Model,
    iteration: Iteration,
    fal_ready: bool,
) -> Result<GenerationRequest, AppError> {
    let made_offline =
        image.model_id.as_deref().and_then(|id| Catalogue::embedded().get(id)).is_some_and(ModelSpec::is_offline);
    let offline = made_offline || !fal_ready;
    match iteration {
        Iteration::Variations { count } => variations(image, count),
        Iteration::Upscale { factor } => upscale(image, factor, if offline { OFFLINE_UPSCALER } else { FAL_UPSCALER }),
        Iteration::RemoveBackground => {
            let model = if offline { OFFLINE_BACKGROUND_REMOVER } else { FAL_BACKGROUND_REMOVER };
            Ok(from_image(image, model, Map::new()))
        }
        Iteration::Outpaint { left, right, top, bottom, prompt } => {
            let model = if offline { OFFLINE_OUTPAINTER } else { FAL_OUTPAINTER };
            outpaint(image, Sides { left, right, top, bottom }, prompt, model)
        }
    }
}

/// The same model, prompt and settings, with fresh seeds.
fn variations(image: &images::Model, count: u8) -> Result<GenerationRequest, AppError> {
    if !(1..=MAX_VARIATIONS).contains(&count) {
        return Err(AppError::invalid("count", format!("Ask for 1 to {MAX_VARIATIONS} variations.")));
    }
    let Some(spec) = image.model_id.as_deref().and_then(|id| Catalogue::embedded().get(id)) else {
        return Err(AppError::invalid(
            "iteration",
            "This image was not made by a model of this studio, so there are no settings to vary.",
        ));
    };
    if spec.category != Category::TextToImage {
        return Err(AppError::invalid(
            "iteration",
            format!(
                "Variations come from text-to-image models, and this image was made by {}. Make variations of the image it came from instead.",
                spec.name
            ),
        ));
    }
    let mut parameters = match &image.parameters {
        Value::Object(parameters) => parameters.clone(),
        _ => Map::new(),
    };
    // Keys the model no longer takes would be refused; the prompts travel in the request itself.
    parameters.retain(|name, _| {
        spec.param(name).is_some() && !matches!(name.as_str(), "seed" | "prompt" | "negative_prompt")
    });
    if spec.param("num_images").is_some() {
        parameters.insert("num_images".into(), json!(count));
    } else if count > 1 {
        return Err(AppError::invalid(
            "count",
            format!("{} makes one image at a time: ask for 1 variation.", spec.name),
        ));
    }
    Ok(GenerationRequest {
        model_id: spec.id.clone(),
        prompt: image.prompt.clone(),
        negative_prompt: image.negative_prompt.clone(),
        parameters,
        project_id: image.project_id,
        parent_image_id: Some(image.id),
        run_next: false,
    })
}

fn upscale(image: &images::Model, factor: u8, model_id: &str) -> Result<GenerationRequest, AppError> {
    let refused = || {
        let factors = UPSCALE_FACTORS.map(|factor| format!("{factor}×")).join(" or ");
        AppError::invalid("factor", format!("An image can be upscaled {factors}."))
    };
    if !UPSCALE_FACTORS.contains(&factor) {
        return Err(refused());
    }
    let spec = Catalogue::embedded().get(model_id).ok_or(AppError::NotFound("model"))?;
    let value = spec.param("upscale_factor").and_then(|param| factor_value(&param.kind, factor)).ok_or_else(refused)?;
    Ok(from_image(image, model_id, Map::from_iter([("upscale_factor".to_owned(), value)])))
}

/// The pixels an outpaint adds on each side.
#[derive(Clone, Copy)]
struct Sides {
    left: u32,
    right: u32,
    top: u32,
    bottom: u32,
}

impl Sides {
    /// Each side as the iteration names it, as the models name it, and its pixels.
    fn named(self) -> [(&'static str, &'static str, u32); 4] {
        [
            ("left", "expand_left", self.left),
            ("right", "expand_right", self.right),
            ("top", "expand_top", self.top),
            ("bottom", "expand_bottom", self.bottom),
        ]
    }
}

/// The image on a canvas grown by `sides`, the new area filled by `model_id`, guided by `prompt` or else
/// the image's own. Each side is held to what the model takes; the result's size is checked by
/// `jobs::submit`, as for every request.
fn outpaint(
    image: &images::Model,
    sides: Sides,
    prompt: Option<String>,
    model_id: &str,
) -> Result<GenerationRequest, AppError> {
    let spec = Catalogue::embedded().get(model_id).ok_or(AppError::NotFound("model"))?;
    let mut parameters = Map::new();
    for (field, param, pixels) in sides.named() {
        let most = spec.param(param).and_then(|param| match param.kind {
            ParamKind::Integer { max, .. } => Some(max),
            _ => None,
        });
        let Some(most) = most else {
            return Err(AppError::internal(format!("{model_id} has no integer `{param}`")));
        };
        if i64::from(pixels) > most {
            return Err(AppError::invalid(
                field,
                format!("An image can be extended by at most {most} pixels on a side."),
            ));
        }
        parameters.insert(param.to_owned(), json!(pixels));
    }
    if sides.named().iter().all(|(_, _, pixels)| *pixels == 0) {
        return Err(AppError::invalid("sides", "Choose at least one side to extend, by more than 0 pixels."));
    }
    let mut request = from_image(image, model_id, parameters);
    if let Some(prompt) = prompt.map(|prompt| prompt.trim().to_owned()).filter(|prompt| !prompt.is_empty()) {
        request.prompt = prompt;
    }
    Ok(request)
}

/// `factor` as the model's `upscale_factor` takes it: one of its choices, a number or an integer.
fn factor_value(kind: &ParamKind, factor: u8) -> Option<Value> {
    match kind {
        ParamKind::Choice { options, .. } => {
            options.iter().find(|option| option.as_f64() == Some(f64::from(factor))).cloned()
        }
        ParamKind::Number { .. } => Some(json!(f64::from(factor))),
        ParamKind::Integer { .. } => Some(json!(factor)),
        _ => None,
    }
}

/// A request to `model_id` with the image as its `image_url`. The prompt goes along (a model that
/// takes one is guided by it) so that what it makes still reads as the same picture.
fn from_image(image: &images::Model, model_id: &str, mut parameters: Map<String, Value>) -> GenerationRequest {
    parameters.insert("image_url".into(), json!(ImageView::reference(image.id)));
    GenerationRequest {
        model_id: model_id.to_owned(),
        prompt: image.prompt.clone(),
        negative_prompt: None,
        parameters,
        project_id: image.project_id,
        parent_image_id: Some(image.id),
        run_next: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use atelier_catalogue::{Capability, ProviderKind, validate};
    use chrono::Utc;

    fn image(model_id: Option<&str>, parameters: Value) -> images::Model {
        let now = Utc::now();
        images::Model {
            id: Uuid::now_v7(),
            user_id: Uuid::now_v7(),
            project_id: None,
            file_path: "users/u/images/i/original.png".into(),
            file_url: "/api/images/i/original".into(),
            thumbnail_url: None,
            width: 64,
            height: 64,
            file_size: 1000,
            format: "png".into(),
            prompt: "a lighthouse at dusk".into(),
            negative_prompt: Some("fog".into()),
            model_id: model_id.map(str::to_owned),
            model_version: None,
            parameters,
            generation_time: Some(0.1),
            cost_credits: 0,
            parent_image_id: None,
            is_favorite: false,
            rating: None,
            tags: json!([]),
            metadata: json!({}),
            created_at: now,
            updated_at: now,
            deleted_at: None,
        }
    }

    fn sketch() -> images::Model {
        image(
            Some("atelier/sketch"),
            json!({
                "prompt": "a lighthouse at dusk", "negative_prompt": "fog", "seed": 7, "num_images": 1,
                "image_size": {"width": 64, "height": 64}, "num_inference_steps": 20, "retired_setting": true,
            }),
        )
    }

    fn flux() -> images::Model {
        image(Some("fal-ai/flux/dev"), json!({"prompt": "a lighthouse at dusk", "seed": 3, "num_images": 1}))
    }

    /// What the request becomes after the catalogue's check, as `jobs::submit` runs it.
    fn validated(request: &GenerationRequest) -> Map<String, Value> {
        let spec = Catalogue::embedded().get(&request.model_id).expect("a catalogue model");
        let mut input = request.parameters.clone();
        if spec.param("prompt").is_some() {
            input.insert("prompt".into(), json!(request.prompt));
        }
        if let Some(negative) = &request.negative_prompt {
            input.insert("negative_prompt".into(), json!(negative));
        }
        validate(spec, &input).unwrap_or_else(|errors| panic!("{} refused: {errors:?}", request.model_id))
    }

    fn refused_field(result: Result<GenerationRequest, AppError>) -> String {
        match result {
            Err(AppError::Invalid { field, .. }) => field,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn variations_keep_the_model_prompt_and_settings_but_not_the_seed() {
        let original = sketch();
        let request = iteration_request(&original, Iteration::Variations { count: 3 }, false).unwrap();
        assert_eq!(request.model_id, "atelier/sketch");
        assert_eq!(
            (request.prompt.as_str(), request.negative_prompt.as_deref()),
            ("a lighthouse at dusk", Some("fog"))
        );
        assert_eq!(request.parent_image_id, Some(original.id));
        assert_eq!(
            Value::Object(request.parameters.clone()),
            json!({"num_images": 3, "image_size": {"width": 64, "height": 64}, "num_inference_steps": 20})
        );
        let params = validated(&request);
        assert!(!params.contains_key("seed"), "a fresh seed is picked for each run");
        assert_eq!(params["num_images"], json!(3));
    }

    #[test]
    fn variations_outside_one_to_four_are_refused_naming_count() {
        for count in [0, 5, 9] {
            assert_eq!(refused_field(iteration_request(&sketch(), Iteration::Variations { count }, false)), "count");
        }
    }

    #[test]
    fn variations_need_a_text_to_image_model() {
        let upscaled = image(Some(OFFLINE_UPSCALER), json!({"upscale_factor": 2}));
        let uploaded = image(None, json!({}));
        for image in [upscaled, uploaded] {
            let field = refused_field(iteration_request(&image, Iteration::Variations { count: 1 }, true));
            assert_eq!(field, "iteration");
        }
    }

    #[test]
    fn an_offline_image_is_upscaled_offline_even_with_a_fal_key() {
        let original = sketch();
        for fal_ready in [false, true] {
            let request = iteration_request(&original, Iteration::Upscale { factor: 4 }, fal_ready).unwrap();
            assert_eq!(request.model_id, OFFLINE_UPSCALER);
            let params = validated(&request);
            assert_eq!(params["upscale_factor"], json!(4), "one of the offline upscaler's integer choices");
            assert_eq!(params["image_url"], json!(format!("atelier:image/{}", original.id)));
        }
    }

    #[test]
    fn a_fal_image_is_upscaled_by_clarity_when_the_studio_has_a_key_and_offline_otherwise() {
        let original = flux();
        let with_key = iteration_request(&original, Iteration::Upscale { factor: 2 }, true).unwrap();
        assert_eq!(with_key.model_id, FAL_UPSCALER);
        let params = validated(&with_key);
        assert_eq!(params["upscale_factor"].as_f64(), Some(2.0));
        assert_eq!(params["prompt"], json!("a lighthouse at dusk"), "clarity is guided by the image's prompt");
        let without = iteration_request(&original, Iteration::Upscale { factor: 2 }, false).unwrap();
        assert_eq!(without.model_id, OFFLINE_UPSCALER);
    }

    #[test]
    fn only_two_and_four_times_are_offered() {
        for factor in [0, 1, 3, 8] {
            assert_eq!(refused_field(iteration_request(&sketch(), Iteration::Upscale { factor }, false)), "factor");
        }
    }

    #[test]
    fn background_removal_picks_its_model_by_the_same_rule() {
        let cases = [
            (sketch(), true, OFFLINE_BACKGROUND_REMOVER),
            (flux(), true, FAL_BACKGROUND_REMOVER),
            (flux(), false, OFFLINE_BACKGROUND_REMOVER),
        ];
        for (original, fal_ready, model) in cases {
            let request = iteration_request(&original, Iteration::RemoveBackground, fal_ready).unwrap();
            assert_eq!((request.model_id.as_str(), request.parent_image_id), (model, Some(original.id)));
            assert_eq!(validated(&request)["image_url"], json!(ImageView::reference(original.id)));
        }
    }

    fn outpaint(right: u32, prompt: Option<&str>) -> Iteration {
        Iteration::Outpaint { left: 0, right, top: 0, bottom: 0, prompt: prompt.map(str::to_owned) }
    }

    #[test]
    fn an_offline_image_is_outpainted_offline_even_with_a_fal_key() {
        let original = sketch();
        for fal_ready in [false, true] {
            let request = iteration_request(&original, outpaint(256, None), fal_ready).unwrap();
            assert_eq!((request.model_id.as_str(), request.parent_image_id), (OFFLINE_OUTPAINTER, Some(original.id)));
            assert_eq!(request.prompt, "a lighthouse at dusk", "the new area follows the image's prompt");
            let params = validated(&request);
            assert_eq!(params["image_url"], json!(ImageView::reference(original.id)));
            let sides = ["expand_left", "expand_right", "expand_top", "expand_bottom"].map(|side| params[side].clone());
            assert_eq!(sides, [json!(0), json!(256), json!(0), json!(0)]);
        }
    }

    #[test]
    fn a_fal_image_is_outpainted_at_fal_with_a_key_guided_by_the_prompt_given() {
        let original = flux();
        let with_key = iteration_request(&original, outpaint(128, Some("  the harbour beyond  ")), true).unwrap();
        assert_eq!(with_key.model_id, FAL_OUTPAINTER);
        let params = validated(&with_key);
        assert_eq!(params["prompt"], json!("the harbour beyond"));
        assert_eq!(params["expand_right"], json!(128));
        assert_eq!(params["zoom_out_percentage"], json!(0.0), "the original keeps its size");
        let blank = iteration_request(&original, outpaint(128, Some(" ")), true).unwrap();
        assert_eq!(blank.prompt, "a lighthouse at dusk", "a blank prompt is the image's own");
        let without = iteration_request(&original, outpaint(128, None), false).unwrap();
        assert_eq!(without.model_id, OFFLINE_OUTPAINTER);
    }

    #[test]
    fn extending_by_nothing_or_beyond_what_the_model_takes_is_refused_naming_the_side() {
        let nothing = Iteration::Outpaint { left: 0, right: 0, top: 0, bottom: 0, prompt: None };
        assert_eq!(refused_field(iteration_request(&sketch(), nothing, false)), "sides");
        for (iteration, side) in [
            (Iteration::Outpaint { left: 0, right: 701, top: 0, bottom: 0, prompt: None }, "right"),
            (Iteration::Outpaint { left: 64, right: 0, top: 5000, bottom: 0, prompt: None }, "top"),
            (Iteration::Outpaint { left: 0, right: 0, top: 0, bottom: u32::MAX, prompt: None }, "bottom"),
        ] {
            for (image, fal_ready) in [(sketch(), false), (flux(), true)] {
                let refusal = iteration_request(&image, iteration.clone(), fal_ready);
                assert!(
                    matches!(&refusal, Err(AppError::Invalid { reason, .. }) if reason.contains("700")),
                    "{refusal:?}"
                );
                assert_eq!(refused_field(refusal), side);
            }
        }
    }

    #[test]
    fn an_outpaint_reads_from_json_with_the_sides_left_out_as_zero() {
        let read: Iteration = serde_json::from_value(json!({"kind": "outpaint", "bottom": 64})).unwrap();
        assert_eq!(read, Iteration::Outpaint { left: 0, right: 0, top: 0, bottom: 64, prompt: None });
        let written = serde_json::to_value(outpaint(32, Some("more sea"))).unwrap();
        assert_eq!(
            written,
            json!({"kind": "outpaint", "left": 0, "right": 32, "top": 0, "bottom": 0, "prompt": "more sea"})
        );
    }

    #[test]
    fn the_iteration_models_are_in_the_catalogue_with_the_right_provider_and_capability() {
        let cases = [
            (OFFLINE_OUTPAINTER, ProviderKind::Offline, Capability::Outpainting),
            (FAL_OUTPAINTER, ProviderKind::Fal, Capability::Outpainting),
            (OFFLINE_UPSCALER, ProviderKind::Offline, Capability::Upscale),
            (FAL_UPSCALER, ProviderKind::Fal, Capability::Upscale),
            (OFFLINE_BACKGROUND_REMOVER, ProviderKind::Offline, Capability::BackgroundRemoval),
            (FAL_BACKGROUND_REMOVER, ProviderKind::Fal, Capability::BackgroundRemoval),
        ];
        for (id, provider, capability) in cases {
            let spec = Catalogue::embedded().get(id).unwrap_or_else(|| panic!("{id} is in the catalogue"));
            assert_eq!(spec.provider, provider, "{id}");
            assert!(spec.has(capability), "{id}");
        }
    }
}
