//! What a model is: its endpoint, what it can do, what it costs, and the parameters it takes.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// The endpoint id, e.g. `fal-ai/flux/dev`; offline models use the `atelier/` owner.
    pub id: String,
    /// Shown to people, e.g. "FLUX.1 [dev]".
    pub name: String,
    pub description: String,
    pub category: Category,
    pub provider: ProviderKind,
    pub capabilities: Vec<Capability>,
    pub cost: Cost,
    /// 1 (slowest) to 5 (fastest).
    pub speed: u8,
    /// 1 (roughest) to 5 (finest).
    pub quality: u8,
    #[serde(default)]
    pub featured: bool,
    /// Settings that work well, by parameter name; shown as a hint and applied by "use recommended".
    #[serde(default)]
    pub recommended: BTreeMap<String, Value>,
    #[serde(default)]
    pub docs_url: Option<String>,
    /// How the model's output JSON carries its images.
    #[serde(default)]
    pub output: OutputShape,
    pub params: Vec<ParamSpec>,
    /// Number parameters of which at least one must be above zero, e.g. an outpainter's expansions:
    /// a canvas grown by nothing is not worth a request. [`crate::validate`] refuses the request at the
    /// first of them otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub at_least_one_above_zero: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    TextToImage,
    ImageToImage,
    Inpainting,
    /// The canvas extended beyond the image's edges, the new area filled.
    Outpainting,
    Upscaling,
    Utility,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    /// Runs on fal.ai: needs a key.
    Fal,
    /// Atelier's built-in procedural renderer: no key, no network, not AI.
    Offline,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    TextToImage,
    ImageToImage,
    Inpainting,
    /// Extends the canvas by `expand_left`, `expand_right`, `expand_top` and `expand_bottom` pixels.
    Outpainting,
    Upscale,
    BackgroundRemoval,
    Lora,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cost {
    pub credits: u32,
    pub per: CostUnit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CostUnit {
    Image,
    /// Per started megapixel of output, per image.
    Megapixel,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputShape {
    /// `{"images": [{url, width, height, content_type}], "seed": …}`
    #[default]
    Images,
    /// `{"image": {url, width, height, content_type}}` (upscalers, background removal)
    Image,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParamSpec {
    /// The key in the model's input JSON, e.g. `guidance_scale`.
    pub name: String,
    pub label: String,
    #[serde(flatten)]
    pub kind: ParamKind,
    #[serde(default)]
    pub required: bool,
    /// Folded away under "Advanced settings" in the UI.
    #[serde(default)]
    pub advanced: bool,
    #[serde(default)]
    pub help: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ParamKind {
    Text {
        #[serde(default)]
        default: Option<String>,
        max_length: u32,
        #[serde(default)]
        multiline: bool,
    },
    Integer {
        #[serde(default)]
        default: Option<i64>,
        min: i64,
        max: i64,
        #[serde(default = "one")]
        step: i64,
    },
    Number {
        #[serde(default)]
        default: Option<f64>,
        min: f64,
        max: f64,
        step: f64,
    },
    Boolean {
        #[serde(default)]
        default: bool,
    },
    /// One of a fixed list of strings or numbers.
    Choice {
        #[serde(default)]
        default: Option<Value>,
        options: Vec<Value>,
    },
    /// A preset name (`square_hd`, `landscape_4_3`, …) or `{"width": w, "height": h}`.
    ImageSize {
        default: String,
        /// Largest width or height accepted for a custom size.
        max_side: u32,
    },
    /// A whole number from 0 to 2^32 - 1; absent means "pick one at random".
    Seed,
    /// An input image: an `http(s)://` URL or a `data:image/…;base64,` URI.
    Image,
    /// A list of `{"path": url, "scale": 0..=4}`.
    Loras { max: u8 },
}

fn one() -> i64 {
    1
}

impl ModelSpec {
    /// The parameter called `name`, if the model takes one.
    pub fn param(&self, name: &str) -> Option<&ParamSpec> {
        self.params.iter().find(|param| param.name == name)
    }

    /// Whether the model can do `capability`.
    pub fn has(&self, capability: Capability) -> bool {
        self.capabilities.contains(&capability)
    }

    /// Whether the model runs on this machine, without fal.
    pub fn is_offline(&self) -> bool {
        self.provider == ProviderKind::Offline
    }

    /// How many images a request with these (validated) parameters makes: its `num_images`, else 1.
    pub fn num_images(&self, params: &Map<String, Value>) -> u32 {
        params
            .get("num_images")
            .and_then(crate::validate::whole_number)
            .and_then(|count| u32::try_from(count).ok())
            .filter(|count| *count >= 1)
            .unwrap_or(1)
    }

    /// Every parameter that has a default, with it: what [`crate::validate`] fills in for absent ones.
    pub fn defaults(&self) -> Map<String, Value> {
        self.params.iter().filter_map(|param| Some((param.name.clone(), param.kind.default_value()?))).collect()
    }
}

impl ParamKind {
    /// The value used when a request leaves this parameter out. Seeds, images and LoRAs have none: an
    /// absent seed means "random", an absent image or LoRA list means "none".
    pub fn default_value(&self) -> Option<Value> {
        match self {
            ParamKind::Text { default, .. } => default.clone().map(Value::String),
            ParamKind::Integer { default, .. } => default.map(Value::from),
            ParamKind::Number { default, .. } => default.and_then(serde_json::Number::from_f64).map(Value::Number),
            ParamKind::Boolean { default } => Some(Value::Bool(*default)),
            ParamKind::Choice { default, .. } => default.clone(),
            ParamKind::ImageSize { default, .. } => Some(Value::String(default.clone())),
            ParamKind::Seed | ParamKind::Image | ParamKind::Loras { .. } => None,
        }
    }
}
