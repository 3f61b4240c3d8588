//! The whole list of models, and the checks that keep `models.toml` honest.

use crate::size::{MAX_SIDE, preset};
use crate::spec::{Capability, ModelSpec, ParamKind, ParamSpec};
use crate::validate::{same_choice, validate};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::HashSet;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Catalogue {
    #[serde(rename = "model")]
    pub models: Vec<ModelSpec>,
}

/// What [`Catalogue::check`] puts in required prompts and images to see the rest of a model's defaults
/// validate.
const SAMPLE_PROMPT: &str = "a lighthouse at dusk";
const SAMPLE_IMAGE: &str = "https://example.com/in.png";

impl Catalogue {
    pub fn get(&self, id: &str) -> Option<&ModelSpec> {
        self.models.iter().find(|model| model.id == id)
    }

    /// Parses a catalogue written like `models.toml`.
    #[cfg(feature = "load")]
    pub fn parse(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|error| format!("the model catalogue is not valid: {error}"))
    }

    /// The catalogue shipped in this crate (parsed once).
    #[cfg(feature = "load")]
    pub fn embedded() -> &'static Catalogue {
        static EMBEDDED: std::sync::OnceLock<Catalogue> = std::sync::OnceLock::new();
        EMBEDDED.get_or_init(|| {
            // A test parses and checks this very file, so failing here is a bug in the build, not bad input.
            Catalogue::parse(include_str!("../models.toml")).expect("the embedded models.toml parses")
        })
    }

    /// Every problem with the catalogue: duplicate ids, defaults that do not validate, …
    pub fn check(&self) -> Result<(), Vec<String>> {
        let mut problems = Vec::new();
        let mut ids = HashSet::new();
        for model in &self.models {
            if !ids.insert(model.id.as_str()) {
                problems.push(format!("{}: the id is used by more than one model", model.id));
            }
            problems.extend(check_model(model).into_iter().map(|problem| format!("{}: {problem}", model.id)));
        }
        if problems.is_empty() { Ok(()) } else { Err(problems) }
    }
}

fn check_model(model: &ModelSpec) -> Vec<String> {
    let mut problems = Vec::new();
    for (what, value) in [("speed", model.speed), ("quality", model.quality)] {
        if !(1..=5).contains(&value) {
            problems.push(format!("{what} is {value}, not between 1 and 5"));
        }
    }
    let takes_loras = model.params.iter().any(|param| matches!(param.kind, ParamKind::Loras { .. }));
    match (takes_loras, model.has(Capability::Lora)) {
        (true, false) => problems.push("takes LoRAs but lacks the `lora` capability".to_owned()),
        (false, true) => problems.push("has the `lora` capability but no LoRA parameter".to_owned()),
        _ => {}
    }

    for name in &model.at_least_one_above_zero {
        let numeric = model
            .param(name)
            .is_some_and(|param| matches!(param.kind, ParamKind::Integer { max: 1.., .. } | ParamKind::Number { .. }));
        if !numeric {
            problems
                .push(format!("`{name}` must be above zero at times, but it is not a number parameter that can be"));
        }
    }

    let mut names = HashSet::new();
    for param in &model.params {
        if !names.insert(param.name.as_str()) {
            problems.push(format!("`{}` is declared more than once", param.name));
        }
        problems.extend(check_param(param).into_iter().map(|problem| format!("`{}` {problem}", param.name)));
    }

    let sample = sample_input(model);
    match validate(model, &sample) {
        Ok(filled) => {
            if let Err(errors) = validate(model, &filled) {
                problems.extend(errors.iter().map(|error| format!("default of `{}`: {error}", error.field)));
            }
        }
        Err(errors) => {
            problems.extend(errors.iter().map(|error| format!("defaults do not validate: {error}")));
        }
    }

    let mut recommended = sample;
    for (name, value) in &model.recommended {
        if model.param(name).is_none() {
            problems.push(format!("recommended `{name}` is not one of its parameters"));
        }
        recommended.insert(name.clone(), value.clone());
    }
    if let Err(errors) = validate(model, &recommended) {
        problems.extend(
            errors
                .iter()
                .filter(|error| model.recommended.contains_key(&error.field) && model.param(&error.field).is_some())
                .map(|error| format!("recommended `{}`: {error}", error.field)),
        );
    }
    problems
}

/// What is wrong with a parameter's declaration itself: ranges, defaults, options.
fn check_param(param: &ParamSpec) -> Vec<String> {
    let mut problems = Vec::new();
    if param.label.trim().is_empty() {
        problems.push("has no label".to_owned());
    }
    match &param.kind {
        ParamKind::Text { default, max_length, .. } => {
            if *max_length == 0 {
                problems.push("has a max_length of 0".to_owned());
            }
            if default.as_ref().is_some_and(|text| text.chars().count() > *max_length as usize) {
                problems.push(format!("has a default longer than {max_length} characters"));
            }
        }
        ParamKind::Integer { default, min, max, step } => {
            if min > max || *step < 1 {
                problems.push(format!("has an empty range {min}..={max} or a step of {step}"));
            }
            if let Some(default) = default.filter(|default| !(min..=max).contains(&default)) {
                problems.push(format!("has a default of {default}, outside {min}..={max}"));
            }
        }
        ParamKind::Number { default, min, max, step } => {
            let well_formed = min.is_finite() && max.is_finite() && min <= max && step.is_finite() && *step > 0.0;
            if !well_formed {
                problems.push(format!("has an empty range {min}..={max} or a step of {step}"));
            }
            if let Some(default) = default.filter(|default| !(min..=max).contains(&default)) {
                problems.push(format!("has a default of {default}, outside {min}..={max}"));
            }
        }
        ParamKind::Boolean { .. } | ParamKind::Seed | ParamKind::Image => {}
        ParamKind::Choice { default, options } => {
            if options.is_empty() {
                problems.push("has no options".to_owned());
            }
            if options.iter().any(|option| !(option.is_string() || option.is_number())) {
                problems.push("has an option that is neither text nor a number".to_owned());
            }
            if let Some(default) = default.as_ref().filter(|default| !options.iter().any(|o| same_choice(o, default))) {
                problems.push(format!("has a default of {default}, not one of its options"));
            }
        }
        ParamKind::ImageSize { default, max_side } => {
            if preset(default).is_none() {
                problems.push(format!("has a default of {default:?}, not a preset"));
            }
            if !(1..=MAX_SIDE).contains(max_side) {
                problems.push(format!("has a max_side of {max_side}, outside 1..={MAX_SIDE}"));
            }
        }
        ParamKind::Loras { max } => {
            if *max == 0 {
                problems.push("accepts at most 0 LoRAs".to_owned());
            }
        }
    }
    problems
}

/// An input with a plausible value for every required parameter, and 1 for the first of those of which
/// one must be above zero (an outpainter's expansions), and nothing else.
fn sample_input(model: &ModelSpec) -> Map<String, Value> {
    let mut sample = required_input(model);
    if let Some(name) = model.at_least_one_above_zero.first() {
        sample.insert(name.clone(), json!(1));
    }
    sample
}

fn required_input(model: &ModelSpec) -> Map<String, Value> {
    model
        .params
        .iter()
        .filter(|param| param.required)
        .map(|param| {
            let value = match &param.kind {
                ParamKind::Text { .. } => json!(SAMPLE_PROMPT),
                ParamKind::Image => json!(SAMPLE_IMAGE),
                ParamKind::Integer { default, min, .. } => json!(default.unwrap_or(*min)),
                ParamKind::Number { default, min, .. } => json!(default.unwrap_or(*min)),
                ParamKind::Choice { default, options } => {
                    default.clone().or_else(|| options.first().cloned()).unwrap_or_default()
                }
                ParamKind::Boolean { default } => json!(default),
                ParamKind::ImageSize { default, .. } => json!(default),
                ParamKind::Seed => json!(0),
                ParamKind::Loras { .. } => json!([]),
            };
            (param.name.clone(), value)
        })
        .collect()
}

#[cfg(all(test, feature = "load"))]
mod tests {
    use super::*;

    const FAL_MODELS: &[&str] = &[
        "fal-ai/flux/dev",
        "fal-ai/flux/schnell",
        "fal-ai/flux-pro/v1.1",
        "fal-ai/flux-pro/v1.1-ultra",
        "fal-ai/fast-sdxl",
        "fal-ai/flux-lora",
        "fal-ai/flux/dev/image-to-image",
        "fal-ai/fast-sdxl/image-to-image",
        "fal-ai/fast-sdxl/inpainting",
        "fal-ai/flux-lora/inpainting",
        "fal-ai/flux-pro/v1/fill",
        "fal-ai/image-apps-v2/outpaint",
        "fal-ai/clarity-upscaler",
        "fal-ai/imageutils/rembg",
        "fal-ai/face-to-sticker",
        "fal-ai/aura-flow",
    ];

    const OFFLINE_MODELS: &[&str] = &[
        "atelier/sketch",
        "atelier/sketch/image-to-image",
        "atelier/sketch/inpainting",
        "atelier/sketch/outpaint",
        "atelier/sketch/upscale",
        "atelier/sketch/remove-background",
    ];

    #[test]
    fn the_embedded_catalogue_parses_and_passes_its_checks() {
        assert_eq!(Catalogue::embedded().check(), Ok(()));
    }

    #[test]
    fn the_embedded_catalogue_has_every_fal_model_and_every_offline_model() {
        let catalogue = Catalogue::embedded();
        for id in FAL_MODELS {
            let model = catalogue.get(id).unwrap_or_else(|| panic!("{id} is missing"));
            assert_eq!(model.provider, crate::ProviderKind::Fal, "{id}");
            assert_eq!(model.docs_url.as_deref(), Some(format!("https://fal.ai/models/{id}").as_str()));
        }
        for id in OFFLINE_MODELS {
            let model = catalogue.get(id).unwrap_or_else(|| panic!("{id} is missing"));
            assert!(model.is_offline(), "{id}");
            assert_eq!(model.cost.credits, 0, "{id}");
            assert!(model.name.starts_with("Atelier Sketch"), "{id}");
            assert!(model.description.contains("Not AI"), "{id}");
        }
        assert_eq!(catalogue.models.len(), FAL_MODELS.len() + OFFLINE_MODELS.len());
    }

    #[test]
    fn every_model_validates_with_only_its_required_settings_and_fills_in_the_rest() {
        for model in &Catalogue::embedded().models {
            let sample = sample_input(model);
            let filled = validate(model, &sample).unwrap_or_else(|errors| panic!("{}: {errors:?}", model.id));
            for (name, default) in model.defaults().into_iter().filter(|(name, _)| !sample.contains_key(name)) {
                assert_eq!(filled.get(&name), Some(&default), "{}: {name}", model.id);
            }
        }
    }

    #[test]
    fn the_catalogue_survives_the_trip_to_the_browser_as_json() {
        let catalogue = Catalogue::embedded();
        let json = serde_json::to_string(catalogue).expect("serialises");
        let back: Catalogue = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(&back, catalogue);
    }

    #[test]
    fn a_few_models_are_featured() {
        let featured = Catalogue::embedded().models.iter().filter(|model| model.featured).count();
        assert!((3..=4).contains(&featured), "{featured} featured models");
    }

    #[test]
    fn upscalers_and_background_removers_return_a_single_image() {
        for model in &Catalogue::embedded().models {
            let single = model.has(Capability::Upscale) || model.has(Capability::BackgroundRemoval);
            assert_eq!(model.output == crate::OutputShape::Image, single, "{}", model.id);
        }
    }

    fn request(value: Value) -> Map<String, Value> {
        value.as_object().cloned().expect("test request is an object")
    }

    fn model(id: &str) -> &'static ModelSpec {
        Catalogue::embedded().get(id).expect("in the catalogue")
    }

    #[test]
    fn fast_sdxl_takes_format_where_flux_takes_output_format() {
        let sdxl = model("fal-ai/fast-sdxl");
        let errors =
            validate(sdxl, &request(json!({"prompt": "a cat", "output_format": "png"}))).expect_err("unknown key");
        assert_eq!(errors[0].field, "output_format");
        assert!(validate(sdxl, &request(json!({"prompt": "a cat", "format": "png"}))).is_ok());
        assert!(
            validate(model("fal-ai/flux/dev"), &request(json!({"prompt": "a cat", "output_format": "png"}))).is_ok()
        );
    }

    #[test]
    fn flux_pro_safety_tolerance_is_a_digit_in_a_string() {
        let pro = model("fal-ai/flux-pro/v1.1");
        assert!(validate(pro, &request(json!({"prompt": "a cat", "safety_tolerance": "6"}))).is_ok());
        let errors =
            validate(pro, &request(json!({"prompt": "a cat", "safety_tolerance": 7}))).expect_err("out of range");
        assert_eq!(errors[0].message, "Safety tolerance must be one of: 1, 2, 3, 4, 5, 6.");
    }

    #[test]
    fn inpainting_needs_both_an_image_and_a_mask() {
        let errors =
            validate(model("fal-ai/flux-pro/v1/fill"), &request(json!({"prompt": "a cat"}))).expect_err("no images");
        let fields: Vec<_> = errors.iter().map(|error| error.field.as_str()).collect();
        assert_eq!(fields, ["image_url", "mask_url"]);
    }

    #[test]
    fn outpainters_take_four_expansions_of_which_one_must_grow_the_canvas() {
        for id in ["atelier/sketch/outpaint", "fal-ai/image-apps-v2/outpaint"] {
            let outpainter = model(id);
            assert_eq!(outpainter.category, crate::Category::Outpainting, "{id}");
            assert_eq!(outpainter.capabilities, [Capability::Outpainting], "{id}");
            let errors = validate(outpainter, &request(json!({"image_url": SAMPLE_IMAGE}))).expect_err("all zero");
            assert_eq!(errors.len(), 1, "{id}: {errors:?}");
            assert_eq!(errors[0].field, "expand_left", "{id}");
            assert!(errors[0].message.contains("Extend right"), "{id}: {}", errors[0].message);
            let too_far = validate(outpainter, &request(json!({"image_url": SAMPLE_IMAGE, "expand_top": 701})));
            assert_eq!(too_far.expect_err("beyond 700")[0].field, "expand_top", "{id}");
            let grown = validate(outpainter, &request(json!({"image_url": SAMPLE_IMAGE, "expand_right": 700})))
                .unwrap_or_else(|errors| panic!("{id}: {errors:?}"));
            assert_eq!((&grown["expand_right"], &grown["expand_left"]), (&json!(700), &json!(0)), "{id}");
        }
    }

    #[test]
    fn the_fal_outpainter_keeps_the_original_at_its_size_unless_asked_to_zoom_out() {
        let outpainter = model("fal-ai/image-apps-v2/outpaint");
        let grown = validate(outpainter, &request(json!({"image_url": SAMPLE_IMAGE, "expand_left": 64}))).unwrap();
        assert_eq!(grown["zoom_out_percentage"], json!(0.0), "fal's default of 20 would shrink the original");
        assert!(validate(outpainter, &request(json!({"image_url": SAMPLE_IMAGE, "zoom_out_percentage": 20}))).is_ok());
    }

    #[test]
    fn a_rule_over_parameters_that_cannot_be_above_zero_is_a_problem() {
        let toml = one_model(
            r#"{ name = "strength", label = "Strength", type = "integer", default = 0, min = -5, max = 0 }"#,
            r#"at_least_one_above_zero = ["strength", "prompt"]"#,
        );
        let problems = problems(&toml);
        for name in ["strength", "prompt"] {
            assert!(
                problems.iter().any(|p| p.contains(&format!("`{name}` must be above zero at times"))),
                "{problems:?}"
            );
        }
    }

    #[test]
    fn catalogue_models_estimate_their_cost_from_size_count_and_input() {
        let schnell = model("fal-ai/flux/schnell");
        assert_eq!(schnell.estimate_credits(&request(json!({"num_images": 4})), None), 4);
        let dev = model("fal-ai/flux/dev");
        let square = validate(dev, &request(json!({"prompt": "a cat", "image_size": "square_hd"}))).expect("valid");
        assert_eq!(dev.estimate_credits(&square, None), 6);
        let upscaler = model("fal-ai/clarity-upscaler");
        let four_times =
            validate(upscaler, &request(json!({"image_url": SAMPLE_IMAGE, "upscale_factor": 4}))).expect("valid");
        assert_eq!(upscaler.estimate_credits(&four_times, Some((512, 512))), 2 * 5);
        assert_eq!(model("atelier/sketch").estimate_credits(&request(json!({"num_images": 4})), None), 0);
    }

    #[test]
    fn a_catalogue_that_is_not_toml_is_refused_with_the_reason() {
        let error = Catalogue::parse("[[model]]\nid = ").expect_err("not TOML");
        assert!(error.starts_with("the model catalogue is not valid"), "{error}");
        let error = Catalogue::parse("[[model]]\nid = \"a/b\"\n").expect_err("missing fields");
        assert!(error.contains("missing field"), "{error}");
    }

    fn one_model(params: &str, extra: &str) -> String {
        format!(
            "[[model]]\nid = \"test/model\"\nname = \"Test\"\ndescription = \"A test.\"\ncategory = \"text-to-image\"\n\
             provider = \"fal\"\ncapabilities = [\"text_to_image\"]\ncost = {{ credits = 1, per = \"image\" }}\n\
             speed = 3\nquality = 3\n{extra}\nparams = [\n{params}\n]\n"
        )
    }

    fn problems(toml: &str) -> Vec<String> {
        Catalogue::parse(toml).expect("parses").check().expect_err("has problems")
    }

    #[test]
    fn a_default_outside_its_range_is_a_problem() {
        let toml = one_model(
            r#"{ name = "num_inference_steps", label = "Steps", type = "integer", default = 60, min = 1, max = 50 }"#,
            "",
        );
        let problems = problems(&toml);
        assert!(problems.iter().any(|p| p.contains("`num_inference_steps` has a default of 60")), "{problems:?}");
    }

    #[test]
    fn a_choice_default_that_is_not_an_option_is_a_problem() {
        let toml = one_model(
            r#"{ name = "format", label = "Format", type = "choice", default = "gif", options = ["jpeg", "png"] }"#,
            "",
        );
        let problems = problems(&toml);
        assert!(problems.iter().any(|p| p.contains("`format` has a default of \"gif\"")), "{problems:?}");
    }

    #[test]
    fn recommended_settings_must_be_real_parameters_with_valid_values() {
        let toml = one_model(
            r#"{ name = "num_images", label = "Images", type = "integer", default = 1, min = 1, max = 4 }"#,
            "recommended = { num_images = 9, steps = 4 }",
        );
        let problems = problems(&toml);
        assert!(
            problems.iter().any(|p| p.contains("recommended `steps` is not one of its parameters")),
            "{problems:?}"
        );
        assert!(problems.iter().any(|p| p.contains("recommended `num_images`: Images must be between 1 and 4.")));
    }

    #[test]
    fn duplicate_ids_and_out_of_scale_ratings_are_problems() {
        let model = one_model("", "").replace("speed = 3", "speed = 0");
        let problems = problems(&format!("{model}\n{model}"));
        assert!(problems.iter().any(|p| p == "test/model: the id is used by more than one model"), "{problems:?}");
        assert!(problems.iter().any(|p| p == "test/model: speed is 0, not between 1 and 5"), "{problems:?}");
    }

    #[test]
    fn a_misspelt_parameter_field_is_refused() {
        // Only for kinds with fields of their own: serde lets `seed` and `image` pass unknown keys.
        for param in [
            r#"{ name = "steps", label = "Steps", type = "integer", min = 1, max = 50, defualt = 4 }"#,
            r#"{ name = "prompt", label = "Prompt", type = "text", max_length = 9, requried = true }"#,
        ] {
            let error = Catalogue::parse(&one_model(param, "")).expect_err("unknown field");
            assert!(error.contains("unknown field"), "{error}");
        }
    }

    #[test]
    fn a_misspelt_model_field_is_refused() {
        let error = Catalogue::parse(&one_model("", "feature = true")).expect_err("unknown field");
        assert!(error.contains("feature"), "{error}");
    }
}
