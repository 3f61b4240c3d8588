//! The size a text-to-image request asks for: `image_size` (a preset or `{width, height}`), else
//! `width` and `height`, else `aspect_ratio` at about a megapixel, else the model's default.

use atelier_catalogue::size::PRESETS;
use atelier_catalogue::{ModelSpec, ParamKind};
use serde_json::{Map, Value};

use crate::params::whole;
use crate::{MAX_SIDE, RenderError};

/// Sizes picked from an aspect ratio have about this many pixels.
const MEGAPIXEL: f64 = 1024.0 * 1024.0;

pub(crate) fn requested_size(spec: &ModelSpec, params: &Map<String, Value>) -> Result<(u32, u32), RenderError> {
    let size_param = spec.params.iter().find_map(|param| match &param.kind {
        ParamKind::ImageSize { default, max_side } => Some((default.as_str(), *max_side)),
        _ => None,
    });
    let max = size_param.map_or(MAX_SIDE, |(_, max_side)| max_side.min(MAX_SIDE));
    let (width, height) = if let Some(value) = params.get("image_size").filter(|value| !value.is_null()) {
        image_size(value)?
    } else if params.get("width").is_some_and(|v| !v.is_null()) || params.get("height").is_some_and(|v| !v.is_null()) {
        let side = |name| whole(params, name)?.ok_or_else(|| RenderError::Invalid(format!("{name} is required")));
        (side("width")?, side("height")?)
    } else if let Some(value) = params.get("aspect_ratio").filter(|value| !value.is_null()) {
        aspect_ratio(value)?
    } else if let Some((default, _)) = size_param {
        image_size(&Value::String(default.to_owned()))?
    } else {
        (1024, 1024)
    };
    if width == 0 || height == 0 {
        return Err(RenderError::Invalid(format!("the image size {width}×{height} has no pixels")));
    }
    if width > u64::from(max) || height > u64::from(max) {
        let clamp = |side: u64| u32::try_from(side).unwrap_or(u32::MAX);
        return Err(RenderError::TooLarge { width: clamp(width), height: clamp(height), max });
    }
    Ok((width as u32, height as u32))
}

fn image_size(value: &Value) -> Result<(u64, u64), RenderError> {
    match value {
        Value::String(name) => PRESETS
            .iter()
            .find(|(preset, _, _)| preset == name)
            .map(|&(_, width, height)| (u64::from(width), u64::from(height)))
            .ok_or_else(|| {
                let known: Vec<&str> = PRESETS.iter().map(|(preset, _, _)| *preset).collect();
                RenderError::Invalid(format!("unknown image_size \"{name}\"; use one of {}", known.join(", ")))
            }),
        Value::Object(size) => {
            let side = |name: &str| {
                whole(size, name)?.ok_or_else(|| RenderError::Invalid(format!("image_size needs a {name}")))
            };
            Ok((side("width")?, side("height")?))
        }
        _ => Err(RenderError::Invalid("image_size must be a preset name or {\"width\": …, \"height\": …}".into())),
    }
}

/// `"16:9"` → about a megapixel in that shape, each side a multiple of 16.
fn aspect_ratio(value: &Value) -> Result<(u64, u64), RenderError> {
    let invalid = || RenderError::Invalid("aspect_ratio must look like \"16:9\"".into());
    let text = value.as_str().ok_or_else(invalid)?;
    let (across, down) = text.split_once(':').ok_or_else(invalid)?;
    let across: f64 = across.trim().parse().map_err(|_| invalid())?;
    let down: f64 = down.trim().parse().map_err(|_| invalid())?;
    if !(across > 0.0 && down > 0.0 && across.is_finite() && down.is_finite()) {
        return Err(invalid());
    }
    let ratio = (across / down).clamp(1.0 / 16.0, 16.0);
    let width = (MEGAPIXEL * ratio).sqrt();
    let height = width / ratio;
    let to_sixteen = |side: f64| ((side / 16.0).round() as u64).max(1) * 16;
    Ok((to_sixteen(width), to_sixteen(height)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use atelier_catalogue::{Capability, Category, Cost, CostUnit, OutputShape, ParamSpec, ProviderKind};
    use serde_json::json;

    fn spec_with(params: Vec<ParamSpec>) -> ModelSpec {
        ModelSpec {
            id: "atelier/sketch".into(),
            name: "Atelier Sketch".into(),
            description: String::new(),
            category: Category::TextToImage,
            provider: ProviderKind::Offline,
            capabilities: vec![Capability::TextToImage],
            cost: Cost { credits: 0, per: CostUnit::Image },
            speed: 5,
            quality: 1,
            featured: false,
            recommended: Default::default(),
            docs_url: None,
            output: OutputShape::Images,
            params,
            at_least_one_above_zero: Vec::new(),
        }
    }

    fn size_param(default: &str, max_side: u32) -> ParamSpec {
        ParamSpec {
            name: "image_size".into(),
            label: "Size".into(),
            kind: ParamKind::ImageSize { default: default.into(), max_side },
            required: false,
            advanced: false,
            help: None,
        }
    }

    fn size_of(spec: &ModelSpec, params: Value) -> Result<(u32, u32), RenderError> {
        requested_size(spec, params.as_object().unwrap_or(&Map::new()))
    }

    #[test]
    fn every_preset_resolves_to_its_size() {
        let spec = spec_with(vec![]);
        for &(name, width, height) in PRESETS {
            assert_eq!(size_of(&spec, json!({"image_size": name})), Ok((width, height)));
        }
    }

    #[test]
    fn custom_sizes_and_width_height_pairs_are_honoured() {
        let spec = spec_with(vec![]);
        assert_eq!(size_of(&spec, json!({"image_size": {"width": 640, "height": 200}})), Ok((640, 200)));
        assert_eq!(size_of(&spec, json!({"width": 300, "height": 120})), Ok((300, 120)));
        assert_eq!(size_of(&spec, json!({"width": 300})), Err(RenderError::Invalid("height is required".into())));
    }

    #[test]
    fn aspect_ratios_give_about_a_megapixel_in_that_shape() {
        let spec = spec_with(vec![]);
        assert_eq!(size_of(&spec, json!({"aspect_ratio": "16:9"})), Ok((1360, 768)));
        assert_eq!(size_of(&spec, json!({"aspect_ratio": "1:1"})), Ok((1024, 1024)));
        assert_eq!(size_of(&spec, json!({"aspect_ratio": "9:16"})), Ok((768, 1360)));
        assert!(size_of(&spec, json!({"aspect_ratio": "wide"})).is_err());
        assert!(size_of(&spec, json!({"aspect_ratio": "0:1"})).is_err());
    }

    #[test]
    fn without_a_size_the_models_default_preset_is_used() {
        assert_eq!(size_of(&spec_with(vec![size_param("landscape_4_3", 2048)]), json!({})), Ok((1024, 768)));
        assert_eq!(size_of(&spec_with(vec![]), json!({})), Ok((1024, 1024)));
    }

    #[test]
    fn sizes_beyond_the_models_limit_are_too_large_and_unknown_presets_are_named() {
        let spec = spec_with(vec![size_param("square", 1536)]);
        assert_eq!(
            size_of(&spec, json!({"image_size": {"width": 2000, "height": 100}})),
            Err(RenderError::TooLarge { width: 2000, height: 100, max: 1536 })
        );
        assert_eq!(
            size_of(&spec, json!({"image_size": "huge"})),
            Err(RenderError::Invalid(
                "unknown image_size \"huge\"; use one of square_hd, square, portrait_4_3, portrait_16_9, \
                 landscape_4_3, landscape_16_9"
                    .into()
            ))
        );
        assert!(size_of(&spec, json!({"width": 0, "height": 10})).is_err());
    }
}
