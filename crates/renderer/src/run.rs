//! Running a catalogue model offline: choosing the operation from its capabilities, reading its
//! parameters, and rendering each requested image with progress that spans them all.

use std::borrow::Cow;
use std::time::{SystemTime, UNIX_EPOCH};

use atelier_catalogue::{Capability, ModelSpec};
use image::DynamicImage;
use serde_json::{Map, Value};

use crate::noise::Fnv;
use crate::outpaint::{Expansion, zoomed_out};
use crate::params::{factor, fraction, number_in, text, whole, whole_in};
use crate::size::requested_size;
use crate::{Inputs, MAX_SIDE, RenderError, Rendered, Sketch, Step};

/// The most steps a request may ask for.
pub const MAX_STEPS: u32 = 100;
/// The most images one request may ask for.
pub const MAX_IMAGES: u32 = 4;

const DEFAULT_STEPS: u32 = 12;
const DEFAULT_UPSCALE_FACTOR: u32 = 2;
const DEFAULT_INPAINT_STRENGTH: f32 = 0.85;
const DEFAULT_IMAGE_TO_IMAGE_STRENGTH: f32 = 0.95;
/// fal's outpainter shrinks the source by at most this percentage.
const MAX_ZOOM_OUT_PERCENTAGE: f32 = 90.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Operation {
    Upscale,
    RemoveBackground,
    Outpaint,
    Inpaint,
    ImageToImage,
    TextToImage,
}

impl Operation {
    /// The first capability, in order of precedence, that the request can use. A model that can also
    /// work from text alone only inpaints when given a mask and only transforms when given an image.
    fn choose(spec: &ModelSpec, inputs: &Inputs) -> Result<Operation, RenderError> {
        let can = |capability| spec.capabilities.contains(&capability);
        let from_text = can(Capability::TextToImage);
        let from_image = can(Capability::ImageToImage);
        if can(Capability::Upscale) {
            Ok(Operation::Upscale)
        } else if can(Capability::BackgroundRemoval) {
            Ok(Operation::RemoveBackground)
        } else if can(Capability::Outpainting) {
            Ok(Operation::Outpaint)
        } else if can(Capability::Inpainting) && (inputs.mask.is_some() || !(from_text || from_image)) {
            Ok(Operation::Inpaint)
        } else if from_image && (inputs.image.is_some() || !from_text) {
            Ok(Operation::ImageToImage)
        } else if from_text {
            Ok(Operation::TextToImage)
        } else {
            Err(RenderError::Invalid(format!(
                "{} cannot run offline: it has nothing the offline renderer can do",
                spec.name
            )))
        }
    }
}

pub(crate) fn run(
    spec: &ModelSpec,
    params: &Map<String, Value>,
    inputs: &Inputs,
    progress: &mut dyn FnMut(Step),
) -> Result<Rendered, RenderError> {
    let operation = Operation::choose(spec, inputs)?;
    match operation {
        Operation::Upscale => {
            let image = required(&inputs.image, "image_url")?;
            let factor = factor(params, "upscale_factor", DEFAULT_UPSCALE_FACTOR)?;
            let upscaled = crate::upscale(image, factor)?;
            progress(Step { step: 1, total: 1 });
            Ok(Rendered { images: vec![upscaled], seed: whole(params, "seed")?.unwrap_or(0) })
        }
        Operation::RemoveBackground => {
            let image = required(&inputs.image, "image_url")?;
            let cut_out = crate::remove_background(image);
            progress(Step { step: 1, total: 1 });
            Ok(Rendered { images: vec![DynamicImage::ImageRgba8(cut_out)], seed: whole(params, "seed")?.unwrap_or(0) })
        }
        generative => generate(generative, spec, params, inputs, progress),
    }
}

fn generate(
    operation: Operation,
    spec: &ModelSpec,
    params: &Map<String, Value>,
    inputs: &Inputs,
    progress: &mut dyn FnMut(Step),
) -> Result<Rendered, RenderError> {
    let prompt = text(params, "prompt")?;
    let negative_prompt = text(params, "negative_prompt")?;
    let steps = whole_in(params, "num_inference_steps", 1..=MAX_STEPS, DEFAULT_STEPS)?;
    let count = whole_in(params, "num_images", 1..=MAX_IMAGES, 1)?;
    let seed = whole(params, "seed")?.unwrap_or_else(|| fresh_seed(prompt));

    // Everything is checked before the first image starts, so a bad request fails at once.
    let source = match operation {
        Operation::Inpaint | Operation::ImageToImage | Operation::Outpaint => {
            Some(required(&inputs.image, "image_url")?)
        }
        _ => None,
    };
    let outpainting = match (operation, source) {
        (Operation::Outpaint, Some(source)) => Some(outpaint_plan(params, source)?),
        _ => None,
    };
    let mask = match operation {
        Operation::Inpaint => Some(required(&inputs.mask, "mask_url")?),
        _ => None,
    };
    let default_strength =
        if operation == Operation::Inpaint { DEFAULT_INPAINT_STRENGTH } else { DEFAULT_IMAGE_TO_IMAGE_STRENGTH };
    let strength = fraction(params, "strength", default_strength)?;
    let (width, height) = match (&outpainting, source) {
        (Some((source, expansion)), _) => expansion.grow(source.width(), source.height())?,
        (None, Some(source)) => (source.width(), source.height()),
        (None, None) => requested_size(spec, params)?,
    };

    let total = steps * count;
    let mut images = Vec::with_capacity(count as usize);
    for index in 0..count {
        let sketch =
            Sketch { prompt, negative_prompt, width, height, seed: seed.wrapping_add(u64::from(index)), steps };
        let offset = index * steps;
        let mut report = |step: Step| progress(Step { step: offset + step.step, total });
        let image = match (&outpainting, source, mask) {
            (Some((source, expansion)), _, _) => crate::outpaint(&sketch, source, *expansion, &mut report)?,
            (None, Some(source), Some(mask)) => crate::inpaint(&sketch, source, mask, strength, &mut report),
            (None, Some(source), None) => crate::image_to_image(&sketch, source, strength, &mut report),
            _ => crate::text_to_image(&sketch, &mut report),
        };
        images.push(DynamicImage::ImageRgb8(image));
    }
    Ok(Rendered { images, seed })
}

/// The source to outpaint (shrunk first when `zoom_out_percentage` asks) and the pixels to add on each
/// side. The canvas is held to [`MAX_SIDE`] with every other size below, and `outpaint` refuses nothing
/// to add, both before anything is drawn.
fn outpaint_plan<'a>(
    params: &Map<String, Value>,
    source: &'a DynamicImage,
) -> Result<(Cow<'a, DynamicImage>, Expansion), RenderError> {
    let side = |name| whole_in(params, name, 0..=MAX_SIDE, 0);
    let asked = Expansion {
        left: side("expand_left")?,
        right: side("expand_right")?,
        top: side("expand_top")?,
        bottom: side("expand_bottom")?,
    };
    let zoom_out = number_in(params, "zoom_out_percentage", 0.0..=MAX_ZOOM_OUT_PERCENTAGE, 0.0)?;
    Ok(zoomed_out(source, zoom_out, asked))
}

fn required<'a>(input: &'a Option<DynamicImage>, name: &str) -> Result<&'a DynamicImage, RenderError> {
    input.as_ref().ok_or_else(|| RenderError::Invalid(format!("{name} is required")))
}

/// The one unrepeatable path: no seed was given, so pick one (within fal's 0..2^32 range).
fn fresh_seed(prompt: &str) -> u64 {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_nanos() as u64);
    Fnv::new().bytes(prompt.as_bytes()).number(nanos).finish() & 0xffff_ffff
}
