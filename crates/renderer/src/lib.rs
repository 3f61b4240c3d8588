//! Atelier's offline renderer: the embedded default when no fal.ai key is set. It makes procedural
//! previews, not AI images: deterministic from prompt + seed + size, with palette and composition drawn
//! from the prompt's words. Image-to-image, inpainting, outpainting, Lanczos3 upscaling and
//! border-colour background removal are real image operations.

mod background;
mod colour;
mod composition;
mod layers;
mod noise;
mod outpaint;
mod palette;
mod params;
mod prompt;
mod repaint;
mod run;
mod size;
mod sketch;
mod upscale;

use atelier_catalogue::ModelSpec;
use image::{DynamicImage, RgbImage, RgbaImage};
use serde_json::{Map, Value};

pub use outpaint::Expansion;
pub use run::{MAX_IMAGES, MAX_STEPS};
pub use upscale::UPSCALE_FACTORS;

/// The largest width or height the renderer produces, in pixels.
pub const MAX_SIDE: u32 = 16384;

/// One finished step of a render, reported as it happens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    /// 1-based.
    pub step: u32,
    pub total: u32,
}

/// What to draw. The same sketch always gives the same pixels.
#[derive(Clone, Debug)]
pub struct Sketch<'a> {
    pub prompt: &'a str,
    pub negative_prompt: &'a str,
    pub width: u32,
    pub height: u32,
    pub seed: u64,
    /// How many steps the work is split into (0 counts as 1); progress is reported after each.
    pub steps: u32,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RenderError {
    #[error("{0}")]
    Invalid(String),
    #[error("the result would be {width}×{height}, larger than {max} pixels on a side")]
    TooLarge { width: u32, height: u32, max: u32 },
}

/// Input images of a request, already fetched and decoded by the caller.
#[derive(Debug, Default)]
pub struct Inputs {
    pub image: Option<DynamicImage>,
    pub mask: Option<DynamicImage>,
}

#[derive(Debug)]
pub struct Rendered {
    pub images: Vec<DynamicImage>,
    /// The seed of the first image; image `i` used `seed + i`.
    pub seed: u64,
}

/// A procedural picture of `sketch.width`×`sketch.height`: palette and composition come from the
/// prompt's words, everything else from the seed.
pub fn text_to_image(sketch: &Sketch, progress: &mut dyn FnMut(Step)) -> RgbImage {
    sketch::paint(sketch, progress)
}

/// The source, at its own size, blended with a sketch: `strength` 0 keeps the source exactly, 1
/// gives the sketch alone. `sketch.width` and `sketch.height` are ignored.
pub fn image_to_image(
    sketch: &Sketch,
    source: &DynamicImage,
    strength: f32,
    progress: &mut dyn FnMut(Step),
) -> RgbImage {
    repaint::image_to_image(sketch, source, strength, progress)
}

/// Like [`image_to_image`], but only where the mask is light (luminance above 127); elsewhere the
/// source's pixels are kept exactly. A mask of another size is stretched to the source's.
pub fn inpaint(
    sketch: &Sketch,
    source: &DynamicImage,
    mask: &DynamicImage,
    strength: f32,
    progress: &mut dyn FnMut(Step),
) -> RgbImage {
    repaint::inpaint(sketch, source, mask, strength, progress)
}

/// The canvas grown by `expansion`, the source placed in it with its pixels unchanged, and the new area
/// filled with a sketch that fades in from the source's stretched edge so the seam blends. 8 bits a
/// channel, no alpha. Refuses an empty source or expansion, and a canvas wider or taller than
/// [`MAX_SIDE`]. `sketch.width` and `sketch.height` are ignored.
pub fn outpaint(
    sketch: &Sketch,
    source: &DynamicImage,
    expansion: Expansion,
    progress: &mut dyn FnMut(Step),
) -> Result<RgbImage, RenderError> {
    outpaint::outpaint(sketch, source, expansion, progress)
}

/// A Lanczos3 enlargement by `factor` (2, 4 or 8), 8 bits a channel, keeping the alpha channel if the
/// source has one. Refuses a result wider or taller than [`MAX_SIDE`].
pub fn upscale(source: &DynamicImage, factor: u32) -> Result<DynamicImage, RenderError> {
    upscale::upscale(source, factor)
}

/// Makes the background transparent: the colour filling the border, wherever it connects to the
/// border, with a feathered edge. Enclosed areas of that colour are kept.
pub fn remove_background(source: &DynamicImage) -> RgbaImage {
    background::remove_background(source)
}

/// Runs a catalogue model offline with validated parameters.
///
/// The operation is the model's first capability of: upscale (`upscale_factor`), background removal,
/// outpainting (`expand_left`, `expand_right`, `expand_top`, `expand_bottom` in pixels, and fal's
/// `zoom_out_percentage`, which first shrinks the image inside a frame of its size), inpainting
/// (`strength`; needs the image and the mask), image-to-image (`strength`), text-to-image
/// (`image_size`, or `width` and `height`, or `aspect_ratio`). A model that can also work from text
/// alone inpaints only when given a mask, and transforms an image only when given one. A missing
/// input is refused by its request name (`image_url is required`). Generative operations make
/// `num_images` images with seeds `seed`, `seed + 1`, … (a fresh seed when none is given) in
/// `num_inference_steps` steps each; progress counts the steps of all images together.
pub fn run(
    spec: &ModelSpec,
    params: &Map<String, Value>,
    inputs: &Inputs,
    progress: &mut dyn FnMut(Step),
) -> Result<Rendered, RenderError> {
    run::run(spec, params, inputs, progress)
}
