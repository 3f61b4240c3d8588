//! Image-to-image and inpainting: a sketch of the source's size blended into the source, everywhere
//! or only where a mask allows. Outpainting paints and mixes its new area the same way.

use image::imageops::{self, FilterType};
use image::{DynamicImage, GrayImage, RgbImage};

use crate::colour::to_byte;
use crate::sketch;
use crate::{Sketch, Step};

/// Mask pixels lighter than this are repainted; the rest are kept.
const MASK_THRESHOLD: u8 = 127;

pub(crate) fn image_to_image(
    sketch: &Sketch,
    source: &DynamicImage,
    strength: f32,
    progress: &mut dyn FnMut(Step),
) -> RgbImage {
    let mut output = source.to_rgb8();
    let strength = usable_strength(strength);
    paint_then(sketch, output.dimensions(), progress, |drawn| {
        for (pixel, &new) in output.iter_mut().zip(drawn.iter()) {
            *pixel = mix(*pixel, new, strength);
        }
    });
    output
}

pub(crate) fn inpaint(
    sketch: &Sketch,
    source: &DynamicImage,
    mask: &DynamicImage,
    strength: f32,
    progress: &mut dyn FnMut(Step),
) -> RgbImage {
    let mut output = source.to_rgb8();
    let mask = mask_for(mask, output.width(), output.height());
    let strength = usable_strength(strength);
    paint_then(sketch, output.dimensions(), progress, |drawn| {
        let pixels = output.chunks_exact_mut(3).zip(drawn.chunks_exact(3)).zip(mask.iter());
        for ((pixel, new), &light) in pixels {
            if light > MASK_THRESHOLD {
                for (channel, &value) in pixel.iter_mut().zip(new) {
                    *channel = mix(*channel, value, strength);
                }
            }
        }
    });
    output
}

/// Paints a sketch of `size`, hands it to `blend`, and only then reports the last step,
/// so progress reaches its end when the result is really done.
pub(crate) fn paint_then(
    sketch: &Sketch,
    size: (u32, u32),
    progress: &mut dyn FnMut(Step),
    blend: impl FnOnce(&RgbImage),
) {
    let sized = Sketch { width: size.0, height: size.1, ..sketch.clone() };
    let mut last = None;
    let drawn = sketch::paint(&sized, &mut |step: Step| {
        if step.step < step.total {
            progress(step);
        } else {
            last = Some(step);
        }
    });
    blend(&drawn);
    if let Some(step) = last {
        progress(step);
    }
}

/// The mask's lightness at the source's size, stretched nearest-neighbour when the sizes differ.
fn mask_for(mask: &DynamicImage, width: u32, height: u32) -> GrayImage {
    let luma = mask.to_luma8();
    if luma.dimensions() == (width, height) {
        luma
    } else if luma.width() == 0 || luma.height() == 0 {
        // An empty mask marks nothing to repaint.
        GrayImage::new(width, height)
    } else {
        imageops::resize(&luma, width, height, FilterType::Nearest)
    }
}

fn usable_strength(strength: f32) -> f32 {
    if strength.is_nan() { 0.0 } else { strength.clamp(0.0, 1.0) }
}

#[inline]
pub(crate) fn mix(old: u8, new: u8, strength: f32) -> u8 {
    let old_value = f32::from(old);
    to_byte(old_value + (f32::from(new) - old_value) * strength)
}
