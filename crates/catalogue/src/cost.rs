//! What a request will cost, in credits.

use crate::size::resolve_image_size;
use crate::spec::{Capability, CostUnit, ModelSpec};
use serde_json::{Map, Value};

const PIXELS_PER_MEGAPIXEL: u64 = 1_000_000;

/// Used when the output size cannot be known before the model runs.
const ONE_MEGAPIXEL: (u32, u32) = (1000, 1000);

impl ModelSpec {
    /// Credits for a request with these (validated) parameters. `input_size` is the size of the input
    /// image for models whose output size follows it (upscalers, background removal).
    ///
    /// Per-image models cost `credits × num_images`. Per-megapixel models cost `credits` per started
    /// megapixel of each output image: the size comes from `image_size`, an `aspect_ratio` (about one
    /// megapixel), the input size (times `upscale_factor` for upscalers), or one megapixel when
    /// nothing says. A paid model never costs less than `credits`.
    pub fn estimate_credits(&self, params: &Map<String, Value>, input_size: Option<(u32, u32)>) -> u32 {
        let credits = u64::from(self.cost.credits);
        let per_image = match self.cost.per {
            CostUnit::Image => credits,
            CostUnit::Megapixel => {
                let (width, height) = self.output_size(params, input_size).unwrap_or(ONE_MEGAPIXEL);
                credits.saturating_mul(megapixels(width, height))
            }
        };
        let total = per_image.saturating_mul(u64::from(self.num_images(params))).max(credits);
        u32::try_from(total).unwrap_or(u32::MAX)
    }

    /// The size of each output image, when it can be told before running: from `image_size`, an
    /// `aspect_ratio` (about one megapixel), or the input image's size (scaled by an upscaler, grown by an
    /// outpainter). It is what a per-megapixel model bills.
    pub fn output_size(&self, params: &Map<String, Value>, input_size: Option<(u32, u32)>) -> Option<(u32, u32)> {
        if let Some(param) = self.param("image_size") {
            let size = params.get("image_size").cloned().or_else(|| param.kind.default_value());
            return size.as_ref().and_then(resolve_image_size);
        }
        if self.param("aspect_ratio").is_some() {
            return Some(ONE_MEGAPIXEL);
        }
        let (width, height) = input_size?;
        if self.has(Capability::Upscale) {
            let factor = self.upscale_factor(params);
            return Some((scale(width, factor), scale(height, factor)));
        }
        if self.has(Capability::Outpainting) {
            let grown = |side: u32, before: &str, after: &str| {
                side.saturating_add(expansion(params, before)).saturating_add(expansion(params, after))
            };
            return Some((grown(width, "expand_left", "expand_right"), grown(height, "expand_top", "expand_bottom")));
        }
        Some((width, height))
    }

    /// The requested `upscale_factor`, else the parameter's default, else 2.
    fn upscale_factor(&self, params: &Map<String, Value>) -> f64 {
        params
            .get("upscale_factor")
            .cloned()
            .or_else(|| self.param("upscale_factor")?.kind.default_value())
            .and_then(|factor| factor.as_f64())
            .filter(|factor| factor.is_finite() && *factor > 0.0)
            .unwrap_or(2.0)
    }
}

/// The pixels an outpainter adds on one side; 0 when not given.
fn expansion(params: &Map<String, Value>, name: &str) -> u32 {
    params.get(name).and_then(crate::validate::whole_number).and_then(|pixels| u32::try_from(pixels).ok()).unwrap_or(0)
}

/// Started megapixels of a `width × height` image; at least one.
fn megapixels(width: u32, height: u32) -> u64 {
    (u64::from(width) * u64::from(height)).div_ceil(PIXELS_PER_MEGAPIXEL).max(1)
}

fn scale(side: u32, factor: f64) -> u32 {
    // Saturating float-to-int cast: absurd factors cost a lot rather than wrap around.
    (f64::from(side) * factor).round() as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Category, Cost, OutputShape, ParamKind, ParamSpec, ProviderKind};
    use serde_json::json;

    fn params(value: Value) -> Map<String, Value> {
        value.as_object().cloned().expect("test params are an object")
    }

    fn param(name: &str, kind: ParamKind) -> ParamSpec {
        ParamSpec { name: name.into(), label: name.into(), kind, required: false, advanced: false, help: None }
    }

    fn model(per: CostUnit, credits: u32, capabilities: Vec<Capability>, params: Vec<ParamSpec>) -> ModelSpec {
        ModelSpec {
            id: "test/model".into(),
            name: "Test model".into(),
            description: "A model for tests.".into(),
            category: Category::TextToImage,
            provider: ProviderKind::Fal,
            capabilities,
            cost: Cost { credits, per },
            speed: 3,
            quality: 3,
            featured: false,
            recommended: Default::default(),
            docs_url: None,
            output: OutputShape::Images,
            params,
            at_least_one_above_zero: Vec::new(),
        }
    }

    fn num_images() -> ParamSpec {
        param("num_images", ParamKind::Integer { default: Some(1), min: 1, max: 4, step: 1 })
    }

    fn image_size() -> ParamSpec {
        param("image_size", ParamKind::ImageSize { default: "landscape_4_3".into(), max_side: 14142 })
    }

    #[test]
    fn per_image_models_cost_their_credits_times_the_number_of_images() {
        let spec = model(CostUnit::Image, 5, vec![Capability::TextToImage], vec![num_images()]);
        assert_eq!(spec.estimate_credits(&params(json!({"num_images": 3})), None), 15);
        assert_eq!(spec.estimate_credits(&params(json!({})), None), 5);
    }

    #[test]
    fn per_megapixel_models_bill_every_started_megapixel_of_every_image() {
        let spec = model(CostUnit::Megapixel, 3, vec![Capability::TextToImage], vec![image_size(), num_images()]);
        // 1024×768 is 0.79 MP: one started megapixel.
        assert_eq!(spec.estimate_credits(&params(json!({"image_size": "landscape_4_3"})), None), 3);
        // 1024×1024 is 1.05 MP: two started megapixels.
        assert_eq!(spec.estimate_credits(&params(json!({"image_size": "square_hd", "num_images": 2})), None), 12);
        let custom = json!({"image_size": {"width": 2000, "height": 2000}});
        assert_eq!(spec.estimate_credits(&params(custom), None), 12);
    }

    #[test]
    fn per_megapixel_models_fall_back_to_the_default_image_size() {
        let spec = model(CostUnit::Megapixel, 3, vec![Capability::TextToImage], vec![image_size()]);
        assert_eq!(spec.estimate_credits(&params(json!({})), None), 3);
    }

    #[test]
    fn upscaling_by_four_bills_sixteen_times_the_input_area() {
        let factor = param("upscale_factor", ParamKind::Number { default: Some(2.0), min: 1.0, max: 4.0, step: 0.5 });
        let spec = model(CostUnit::Megapixel, 2, vec![Capability::Upscale], vec![factor]);
        // 1000×1000 × 4 → 4000×4000 = 16 MP.
        assert_eq!(spec.estimate_credits(&params(json!({"upscale_factor": 4.0})), Some((1000, 1000))), 32);
        // The default factor of 2: 2000×2000 = 4 MP.
        assert_eq!(spec.estimate_credits(&params(json!({})), Some((1000, 1000))), 8);
        // Input unknown: one megapixel.
        assert_eq!(spec.estimate_credits(&params(json!({})), None), 2);
    }

    #[test]
    fn other_per_megapixel_models_follow_the_input_size() {
        let spec = model(CostUnit::Megapixel, 3, vec![Capability::ImageToImage], vec![num_images()]);
        assert_eq!(spec.estimate_credits(&params(json!({"num_images": 2})), Some((3000, 2000))), 36);
        assert_eq!(spec.estimate_credits(&params(json!({})), None), 3);
    }

    #[test]
    fn outpainting_bills_the_grown_canvas() {
        let side = |name| param(name, ParamKind::Integer { default: Some(0), min: 0, max: 700, step: 1 });
        let sides = ["expand_left", "expand_right", "expand_top", "expand_bottom"].map(side).to_vec();
        let spec = model(CostUnit::Megapixel, 4, vec![Capability::Outpainting], sides);
        // 1000×1000 grown by 500 on the left and 500 on the right: 2000×1000 = 2 MP.
        let wider = params(json!({"expand_left": 500, "expand_right": 500}));
        assert_eq!(spec.estimate_credits(&wider, Some((1000, 1000))), 8);
        // Grown by 1 pixel at the bottom: just over a megapixel, so two are started.
        assert_eq!(spec.estimate_credits(&params(json!({"expand_bottom": 1})), Some((1000, 1000))), 8);
        assert_eq!(spec.estimate_credits(&params(json!({"expand_top": 100})), Some((100, 100))), 4);
    }

    #[test]
    fn an_aspect_ratio_bills_about_one_megapixel() {
        let ratio =
            param("aspect_ratio", ParamKind::Choice { default: Some(json!("16:9")), options: vec![json!("16:9")] });
        let spec = model(CostUnit::Megapixel, 4, vec![Capability::TextToImage], vec![ratio]);
        assert_eq!(spec.estimate_credits(&params(json!({"aspect_ratio": "16:9"})), None), 4);
    }

    #[test]
    fn a_paid_model_never_costs_less_than_its_credits() {
        let spec = model(CostUnit::Megapixel, 3, vec![Capability::ImageToImage], vec![]);
        assert_eq!(spec.estimate_credits(&params(json!({})), Some((1, 1))), 3);
    }

    #[test]
    fn free_models_cost_nothing() {
        let spec = model(CostUnit::Image, 0, vec![Capability::TextToImage], vec![num_images()]);
        assert_eq!(spec.estimate_credits(&params(json!({"num_images": 4})), None), 0);
    }
}
