//! One validation for a model's input, used by the server before enqueueing, by the browser before
//! sending, and by the fal emulator to answer 422 like fal does.

use crate::size::PRESETS;
use crate::spec::{ModelSpec, ParamKind, ParamSpec};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value, json};
use std::fmt;

/// A problem with one parameter, in words a person can act on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The parameter's name, e.g. `num_inference_steps`.
    pub field: String,
    /// e.g. "Steps must be between 1 and 50."
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FieldError {}

/// How a studio job names one of its user's own images in an image parameter (`atelier:image/<id>`);
/// the studio turns it into the image's bytes before any provider sees it.
pub const IMAGE_REF_PREFIX: &str = "atelier:image/";

/// The largest seed fal accepts: seeds are unsigned 32-bit numbers.
pub const MAX_SEED: i64 = u32::MAX as i64;

/// The largest LoRA scale fal accepts.
pub const MAX_LORA_SCALE: f64 = 4.0;

/// fal accepts data URIs of up to 10 MiB; base64 makes that about 14 million characters.
const MAX_DATA_URI_CHARS: usize = 14_000_000;

/// Checks `input` against the model's parameters. On success returns the input with every missing
/// parameter that has a default filled in; on failure every problem found, one per field.
///
/// `null` counts as absent. Numbers are normalised: integers written as `28.0` become `28`, and
/// `number` parameters come back as floats. Errors follow the order of the model's parameters, then
/// keys the model does not know.
pub fn validate(spec: &ModelSpec, input: &Map<String, Value>) -> Result<Map<String, Value>, Vec<FieldError>> {
    let mut output = Map::new();
    let mut errors = Vec::new();

    for param in &spec.params {
        match input.get(&param.name).filter(|value| !value.is_null()) {
            Some(value) => match check(param, value) {
                Ok(value) => {
                    output.insert(param.name.clone(), value);
                }
                Err(message) => errors.push(FieldError { field: param.name.clone(), message }),
            },
            None if param.required => {
                errors.push(FieldError { field: param.name.clone(), message: format!("{} is required.", param.label) })
            }
            None => {
                if let Some(default) = param.kind.default_value() {
                    output.insert(param.name.clone(), default);
                }
            }
        }
    }

    if let Some(error) = none_above_zero(spec, &output, &errors) {
        errors.push(error);
    }

    for (key, value) in input {
        if !value.is_null() && spec.param(key).is_none() {
            errors.push(FieldError {
                field: key.clone(),
                message: format!("`{key}` is not a setting of {}.", spec.name),
            });
        }
    }

    if errors.is_empty() { Ok(output) } else { Err(errors) }
}

/// The value to send for one present parameter, or what is wrong with it.
fn check(param: &ParamSpec, value: &Value) -> Result<Value, String> {
    let label = &param.label;
    match &param.kind {
        ParamKind::Text { max_length, .. } => {
            let text = value.as_str().ok_or_else(|| format!("{label} must be text."))?;
            if param.required && text.trim().is_empty() {
                return Err(format!("{label} is required."));
            }
            if text.chars().count() > *max_length as usize {
                return Err(format!("{label} must be at most {max_length} characters long."));
            }
            Ok(value.clone())
        }
        ParamKind::Integer { min, max, step, .. } => {
            let number = whole_number(value).ok_or_else(|| format!("{label} must be a whole number."))?;
            if !(*min..=*max).contains(&number) {
                return Err(format!("{label} must be between {min} and {max}."));
            }
            if *step > 1 && (number - min) % step != 0 {
                return Err(format!("{label} must be {min} plus a multiple of {step}."));
            }
            Ok(json!(number))
        }
        ParamKind::Number { min, max, .. } => {
            let number = value.as_f64().ok_or_else(|| format!("{label} must be a number."))?;
            if !(*min..=*max).contains(&number) {
                return Err(format!("{label} must be between {min} and {max}."));
            }
            Ok(float(number))
        }
        ParamKind::Boolean { .. } => match value {
            Value::Bool(_) => Ok(value.clone()),
            _ => Err(format!("{label} must be true or false.")),
        },
        ParamKind::Choice { options, .. } => options
            .iter()
            .find(|option| same_choice(option, value))
            .cloned()
            .ok_or_else(|| format!("{label} must be one of: {}.", list(options))),
        ParamKind::ImageSize { max_side, .. } => check_image_size(label, *max_side, value),
        ParamKind::Seed => whole_number(value)
            .filter(|seed| (0..=MAX_SEED).contains(seed))
            .map(|seed| json!(seed))
            .ok_or_else(|| format!("{label} must be a whole number from 0 to {MAX_SEED}.")),
        ParamKind::Image => check_image(label, value),
        ParamKind::Loras { max } => check_loras(label, *max, value),
    }
}

/// The refusal of [`ModelSpec::at_least_one_above_zero`], named after its first parameter, when every
/// one of them (as checked and filled in) is zero or less. Quiet while one of them is refused anyway.
fn none_above_zero(spec: &ModelSpec, checked: &Map<String, Value>, errors: &[FieldError]) -> Option<FieldError> {
    let names = &spec.at_least_one_above_zero;
    let first = names.first()?;
    if errors.iter().any(|error| names.contains(&error.field)) {
        return None;
    }
    let above_zero = |name: &String| checked.get(name).and_then(Value::as_f64).is_some_and(|value| value > 0.0);
    if names.iter().any(above_zero) {
        return None;
    }
    let labels: Vec<&str> =
        names.iter().map(|name| spec.param(name).map_or(name.as_str(), |param| param.label.as_str())).collect();
    let message = match labels.split_last() {
        Some((last, rest)) if !rest.is_empty() => {
            format!("At least one of {} or {last} must be more than 0.", rest.join(", "))
        }
        _ => format!("{} must be more than 0.", labels.concat()),
    };
    Some(FieldError { field: first.clone(), message })
}

fn check_image_size(label: &str, max_side: u32, value: &Value) -> Result<Value, String> {
    let presets = || PRESETS.iter().map(|(name, _, _)| *name).collect::<Vec<_>>().join(", ");
    match value {
        Value::String(name) if PRESETS.iter().any(|(preset, _, _)| preset == name) => Ok(value.clone()),
        Value::String(_) => Err(format!("{label} must be one of {} or a custom width and height.", presets())),
        Value::Object(size) => {
            if let Some(key) = size.keys().find(|key| *key != "width" && *key != "height") {
                return Err(format!("{label} takes only a width and a height, not `{key}`."));
            }
            let (Some(width), Some(height)) = (size.get("width"), size.get("height")) else {
                return Err(format!("{label} needs both a width and a height."));
            };
            let side = |value: &Value| whole_number(value).filter(|side| (1..=i64::from(max_side)).contains(side));
            match (side(width), side(height)) {
                (Some(width), Some(height)) => Ok(json!({ "width": width, "height": height })),
                _ => Err(format!("Width and height must be between 1 and {max_side}.")),
            }
        }
        _ => Err(format!("{label} must be one of {} or a custom width and height.", presets())),
    }
}

fn check_image(label: &str, value: &Value) -> Result<Value, String> {
    let refused = || format!("{label} must be a link starting with http:// or https://, or an uploaded image.");
    let url = value.as_str().ok_or_else(refused)?;
    let rest = ["http://", "https://", "data:image/", IMAGE_REF_PREFIX]
        .iter()
        .find_map(|prefix| url.strip_prefix(prefix))
        .ok_or_else(refused)?;
    if rest.trim().is_empty() {
        return Err(refused());
    }
    if url.starts_with("data:") && url.len() > MAX_DATA_URI_CHARS {
        return Err(format!("{label} is too large: uploaded images may be at most 10 MiB."));
    }
    Ok(value.clone())
}

fn check_loras(label: &str, max: u8, value: &Value) -> Result<Value, String> {
    let loras = value
        .as_array()
        .ok_or_else(|| format!("{label} must be a list of LoRAs, each with a `path` and an optional `scale`."))?;
    if loras.len() > usize::from(max) {
        return Err(format!("{label} can hold at most {max} LoRAs."));
    }
    let mut checked = Vec::with_capacity(loras.len());
    for (index, lora) in loras.iter().enumerate() {
        let number = index + 1;
        let lora = lora
            .as_object()
            .ok_or_else(|| format!("{label}: LoRA {number} must have a `path` and an optional `scale`."))?;
        if let Some(key) = lora.keys().find(|key| *key != "path" && *key != "scale") {
            return Err(format!("{label}: LoRA {number} has no setting `{key}`; it takes a `path` and a `scale`."));
        }
        let path = lora
            .get("path")
            .and_then(Value::as_str)
            .filter(|path| !path.trim().is_empty())
            .ok_or_else(|| format!("{label}: LoRA {number} needs a `path`, the link to its weights."))?;
        let mut entry = Map::new();
        entry.insert("path".into(), Value::String(path.to_owned()));
        match lora.get("scale").filter(|scale| !scale.is_null()) {
            None => {}
            Some(scale) => {
                let scale = scale.as_f64().filter(|scale| (0.0..=MAX_LORA_SCALE).contains(scale)).ok_or_else(|| {
                    format!("{label}: LoRA {number}'s scale must be a number from 0 to {MAX_LORA_SCALE}.")
                })?;
                entry.insert("scale".into(), float(scale));
            }
        }
        checked.push(Value::Object(entry));
    }
    Ok(Value::Array(checked))
}

/// A JSON number without a fractional part, whether written `28` or `28.0`.
pub(crate) fn whole_number(value: &Value) -> Option<i64> {
    if let Some(number) = value.as_i64() {
        return Some(number);
    }
    if value.is_u64() {
        return None; // beyond i64: larger than anything a parameter accepts
    }
    let number = value.as_f64()?;
    // `i64::MAX as f64` rounds up to 2^63, which is out of range: hence the strict comparison.
    (number.fract() == 0.0 && number >= i64::MIN as f64 && number < i64::MAX as f64).then_some(number as i64)
}

/// Whether `value` picks `option`: equal strings, or equal numbers however they are written.
pub(crate) fn same_choice(option: &Value, value: &Value) -> bool {
    match (option, value) {
        (Value::Number(option), Value::Number(value)) => option.as_f64() == value.as_f64(),
        _ => option == value,
    }
}

/// A finite float as a JSON number (parameters never hold NaN or infinities: JSON cannot carry them).
fn float(number: f64) -> Value {
    Number::from_f64(number).map_or(Value::Null, Value::Number)
}

fn list(options: &[Value]) -> String {
    options
        .iter()
        .map(|option| match option {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// FLUX.1 [dev] as the catalogue declares it, plus one of every other kind of parameter.
    fn spec() -> ModelSpec {
        serde_json::from_value(json!({
            "id": "fal-ai/flux/dev",
            "name": "FLUX.1 [dev]",
            "description": "Test.",
            "category": "text-to-image",
            "provider": "fal",
            "capabilities": ["text_to_image", "lora"],
            "cost": {"credits": 3, "per": "megapixel"},
            "speed": 3,
            "quality": 4,
            "params": [
                {"name": "prompt", "label": "Prompt", "type": "text", "required": true, "multiline": true, "max_length": 20},
                {"name": "negative_prompt", "label": "Negative prompt", "type": "text", "default": "", "max_length": 20},
                {"name": "image_url", "label": "Image", "type": "image"},
                {"name": "image_size", "label": "Size", "type": "image_size", "default": "landscape_4_3", "max_side": 4096},
                {"name": "num_images", "label": "Images", "type": "integer", "default": 1, "min": 1, "max": 4},
                {"name": "seed", "label": "Seed", "type": "seed"},
                {"name": "num_inference_steps", "label": "Steps", "type": "integer", "default": 28, "min": 1, "max": 50},
                {"name": "guidance_scale", "label": "Guidance", "type": "number", "default": 3.5, "min": 1.0, "max": 20.0, "step": 0.1},
                {"name": "enable_safety_checker", "label": "Safety checker", "type": "boolean", "default": true},
                {"name": "output_format", "label": "File format", "type": "choice", "default": "jpeg", "options": ["jpeg", "png"]},
                {"name": "upscale_factor", "label": "Upscale factor", "type": "choice", "options": [2, 4, 8]},
                {"name": "loras", "label": "LoRAs", "type": "loras", "max": 2},
            ],
        }))
        .expect("the test spec deserialises")
    }

    fn input(value: Value) -> Map<String, Value> {
        value.as_object().cloned().expect("test input is an object")
    }

    /// The only error for `value` given as `field` (with a valid prompt beside it).
    fn refusal(field: &str, value: Value) -> String {
        let mut request = input(json!({"prompt": "a lighthouse at dusk"}));
        request.insert(field.to_owned(), value.clone());
        let errors = validate(&spec(), &request).expect_err(&format!("{field} = {value} is refused"));
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].field, field);
        errors[0].message.clone()
    }

    fn accepted(field: &str, value: Value) -> Value {
        let mut request = input(json!({"prompt": "a lighthouse at dusk"}));
        request.insert(field.to_owned(), value);
        validate(&spec(), &request).expect("accepted").remove(field).expect("kept")
    }

    #[test]
    fn absent_settings_get_their_defaults_and_seeds_images_and_loras_stay_absent() {
        let filled = validate(&spec(), &input(json!({"prompt": "a lighthouse at dusk"}))).expect("valid");
        assert_eq!(
            Value::Object(filled),
            json!({
                "prompt": "a lighthouse at dusk",
                "negative_prompt": "",
                "image_size": "landscape_4_3",
                "num_images": 1,
                "num_inference_steps": 28,
                "guidance_scale": 3.5,
                "enable_safety_checker": true,
                "output_format": "jpeg",
            })
        );
    }

    #[test]
    fn null_counts_as_absent() {
        let filled = validate(&spec(), &input(json!({"prompt": "a cat", "num_inference_steps": null, "seed": null})))
            .expect("valid");
        assert_eq!(filled["num_inference_steps"], json!(28));
        assert!(!filled.contains_key("seed"));
    }

    #[test]
    fn given_settings_are_kept() {
        let request = input(json!({
            "prompt": "a cat",
            "image_url": "data:image/png;base64,iVBORw0KGgo=",
            "image_size": {"width": 640, "height": 480},
            "num_images": 4,
            "seed": 4294967295u64,
            "output_format": "png",
            "enable_safety_checker": false,
            "loras": [{"path": "https://example.com/style.safetensors", "scale": 0.8}, {"path": "owner/lora"}],
        }));
        let filled = validate(&spec(), &request).expect("valid");
        for (key, value) in &request {
            assert_eq!(filled.get(key), Some(value), "{key}");
        }
    }

    #[test]
    fn a_missing_required_setting_is_refused_by_its_label() {
        let errors = validate(&spec(), &Map::new()).expect_err("no prompt");
        assert_eq!(errors, vec![FieldError { field: "prompt".into(), message: "Prompt is required.".into() }]);
    }

    #[test]
    fn a_required_text_of_only_whitespace_is_refused() {
        let errors = validate(&spec(), &input(json!({"prompt": "  \n\t"}))).expect_err("blank prompt");
        assert_eq!(errors[0].field, "prompt");
        assert_eq!(errors[0].message, "Prompt is required.");
    }

    #[test]
    fn unknown_settings_are_refused_by_name() {
        assert_eq!(refusal("foo", json!(1)), "`foo` is not a setting of FLUX.1 [dev].");
    }

    #[test]
    fn text_longer_than_its_limit_is_refused() {
        assert_eq!(
            refusal("negative_prompt", json!("x".repeat(21))),
            "Negative prompt must be at most 20 characters long."
        );
        // Characters, not bytes: twenty accented letters fit.
        assert_eq!(accepted("negative_prompt", json!("é".repeat(20))), json!("é".repeat(20)));
    }

    #[test]
    fn values_of_the_wrong_json_type_are_refused() {
        assert_eq!(refusal("negative_prompt", json!(5)), "Negative prompt must be text.");
        assert_eq!(refusal("num_inference_steps", json!("28")), "Steps must be a whole number.");
        assert_eq!(refusal("num_inference_steps", json!(28.5)), "Steps must be a whole number.");
        assert_eq!(refusal("guidance_scale", json!("high")), "Guidance must be a number.");
        assert_eq!(refusal("enable_safety_checker", json!("yes")), "Safety checker must be true or false.");
    }

    #[test]
    fn numbers_out_of_range_are_refused() {
        assert_eq!(refusal("num_inference_steps", json!(0)), "Steps must be between 1 and 50.");
        assert_eq!(refusal("num_inference_steps", json!(51)), "Steps must be between 1 and 50.");
        assert_eq!(refusal("guidance_scale", json!(20.5)), "Guidance must be between 1 and 20.");
        assert_eq!(refusal("num_images", json!(5)), "Images must be between 1 and 4.");
    }

    #[test]
    fn whole_numbers_written_as_floats_become_integers_and_integers_are_fine_as_numbers() {
        assert_eq!(accepted("num_inference_steps", json!(28.0)), json!(28));
        assert_eq!(accepted("guidance_scale", json!(4)), json!(4.0));
        assert_eq!(accepted("seed", json!(42.0)), json!(42));
    }

    #[test]
    fn a_choice_not_among_the_options_is_refused_with_the_options_listed() {
        assert_eq!(refusal("output_format", json!("gif")), "File format must be one of: jpeg, png.");
        assert_eq!(refusal("upscale_factor", json!(3)), "Upscale factor must be one of: 2, 4, 8.");
        assert_eq!(refusal("upscale_factor", json!("4")), "Upscale factor must be one of: 2, 4, 8.");
        assert_eq!(accepted("upscale_factor", json!(4.0)), json!(4));
    }

    #[test]
    fn an_image_size_must_be_a_preset_or_a_size_within_the_models_limit() {
        let message = refusal("image_size", json!("huge"));
        assert!(message.starts_with("Size must be one of square_hd, square,"), "{message}");
        assert_eq!(
            refusal("image_size", json!({"width": 5000, "height": 512})),
            "Width and height must be between 1 and 4096."
        );
        assert_eq!(
            refusal("image_size", json!({"width": 0, "height": 512})),
            "Width and height must be between 1 and 4096."
        );
        assert_eq!(refusal("image_size", json!({"width": 512})), "Size needs both a width and a height.");
        assert_eq!(refusal("image_size", json!(1024)), refusal("image_size", json!("huge")));
        assert_eq!(accepted("image_size", json!({"width": 4096.0, "height": 1})), json!({"width": 4096, "height": 1}));
    }

    #[test]
    fn a_seed_must_be_a_whole_number_that_fits_in_32_bits() {
        let message = "Seed must be a whole number from 0 to 4294967295.";
        assert_eq!(refusal("seed", json!(-1)), message);
        assert_eq!(refusal("seed", json!(4294967296u64)), message);
        assert_eq!(refusal("seed", json!(u64::MAX)), message);
        assert_eq!(refusal("seed", json!(1.5)), message);
        assert_eq!(refusal("seed", json!("7")), message);
    }

    #[test]
    fn an_image_must_be_a_web_link_or_an_uploaded_image() {
        let message = "Image must be a link starting with http:// or https://, or an uploaded image.";
        assert_eq!(refusal("image_url", json!("ftp://example.com/a.png")), message);
        assert_eq!(refusal("image_url", json!("/etc/passwd")), message);
        assert_eq!(refusal("image_url", json!("data:text/html,<script>")), message);
        assert_eq!(refusal("image_url", json!("https://")), message);
        assert_eq!(refusal("image_url", json!({"url": "https://example.com/a.png"})), message);
        assert_eq!(accepted("image_url", json!("http://example.com/a.png")), json!("http://example.com/a.png"));
        let own = "atelier:image/01a2012d-d1ea-7308-ae4b-b116d082d97f";
        assert_eq!(accepted("image_url", json!(own)), json!(own));
        assert_eq!(refusal("image_url", json!("atelier:image/")), message);
    }

    #[test]
    fn an_uploaded_image_over_ten_mebibytes_is_refused() {
        let huge = format!("data:image/png;base64,{}", "A".repeat(MAX_DATA_URI_CHARS));
        let huge = Value::String(huge);
        let message = "Image is too large: uploaded images may be at most 10 MiB.";
        assert_eq!(check_image("Image", &huge), Err(message.to_owned()));
    }

    #[test]
    fn loras_must_be_a_short_list_of_paths_with_scales_from_zero_to_four() {
        let lora = json!({"path": "https://example.com/a.safetensors"});
        assert_eq!(
            refusal("loras", json!("a.safetensors")),
            "LoRAs must be a list of LoRAs, each with a `path` and an optional `scale`."
        );
        assert_eq!(refusal("loras", json!([lora, lora, lora])), "LoRAs can hold at most 2 LoRAs.");
        assert_eq!(
            refusal("loras", json!([lora, {"scale": 1}])),
            "LoRAs: LoRA 2 needs a `path`, the link to its weights."
        );
        assert_eq!(refusal("loras", json!([{"path": ""}])), "LoRAs: LoRA 1 needs a `path`, the link to its weights.");
        assert_eq!(
            refusal("loras", json!(["a.safetensors"])),
            "LoRAs: LoRA 1 must have a `path` and an optional `scale`."
        );
        assert_eq!(
            refusal("loras", json!([{"path": "a", "scale": 4.5}])),
            "LoRAs: LoRA 1's scale must be a number from 0 to 4."
        );
        assert_eq!(
            refusal("loras", json!([{"path": "a", "weight": 1}])),
            "LoRAs: LoRA 1 has no setting `weight`; it takes a `path` and a `scale`."
        );
        assert_eq!(accepted("loras", json!([{"path": "a", "scale": 1}])), json!([{"path": "a", "scale": 1.0}]));
    }

    #[test]
    fn every_problem_is_reported_once_in_the_order_of_the_models_settings() {
        let request = input(json!({
            "zebra": true,
            "guidance_scale": 0,
            "num_inference_steps": 99,
            "seed": -3,
        }));
        let errors = validate(&spec(), &request).expect_err("five problems");
        let fields: Vec<_> = errors.iter().map(|error| error.field.as_str()).collect();
        assert_eq!(fields, ["prompt", "seed", "num_inference_steps", "guidance_scale", "zebra"]);
    }

    /// An outpainter: four expansions of which at least one must be above zero.
    fn outpainter() -> ModelSpec {
        let side = |name: &str, label: &str| json!({"name": name, "label": label, "type": "integer", "default": 0, "min": 0, "max": 700});
        serde_json::from_value(json!({
            "id": "test/outpaint",
            "name": "Outpaint",
            "description": "Test.",
            "category": "outpainting",
            "provider": "fal",
            "capabilities": ["outpainting"],
            "cost": {"credits": 1, "per": "image"},
            "speed": 3,
            "quality": 3,
            "at_least_one_above_zero": ["expand_left", "expand_right", "expand_top", "expand_bottom"],
            "params": [
                {"name": "image_url", "label": "Image", "type": "image", "required": true},
                side("expand_left", "Extend left"),
                side("expand_right", "Extend right"),
                side("expand_top", "Extend top"),
                side("expand_bottom", "Extend bottom"),
            ],
        }))
        .expect("the outpainter deserialises")
    }

    #[test]
    fn a_canvas_grown_by_nothing_is_refused_at_the_first_expansion_with_every_one_named() {
        let image = json!("https://example.com/in.png");
        for request in [json!({"image_url": image}), json!({"image_url": image, "expand_top": 0, "expand_left": 0.0})] {
            let errors = validate(&outpainter(), &input(request)).expect_err("nothing to extend");
            assert_eq!(
                errors,
                vec![FieldError {
                    field: "expand_left".into(),
                    message:
                        "At least one of Extend left, Extend right, Extend top or Extend bottom must be more than 0."
                            .into(),
                }]
            );
        }
        let grown = validate(&outpainter(), &input(json!({"image_url": image, "expand_bottom": 64}))).expect("valid");
        assert_eq!((grown["expand_bottom"].clone(), grown["expand_left"].clone()), (json!(64), json!(0)));
    }

    #[test]
    fn an_expansion_out_of_range_is_refused_by_itself_not_twice() {
        let request = input(json!({"image_url": "https://example.com/in.png", "expand_right": 701}));
        let errors = validate(&outpainter(), &request).expect_err("too far");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(
            (errors[0].field.as_str(), errors[0].message.as_str()),
            ("expand_right", "Extend right must be between 0 and 700.")
        );
    }
}
