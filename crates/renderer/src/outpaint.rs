//! Outpainting: the canvas grown on the chosen sides, the source placed in it unchanged, and the new
//! area filled with a sketch that fades in from the source's stretched edge, so the seam blends.

use image::imageops::FilterType;
use image::{DynamicImage, Rgb, RgbImage};
use std::borrow::Cow;

use crate::colour::{smoothstep, to_byte};
use crate::repaint::{mix, paint_then};
use crate::{MAX_SIDE, RenderError, Sketch, Step};

/// How much of the sketch shows once past the seam: the rest is the source's edge, stretched out,
/// which carries its colours into the new area.
const FILL_STRENGTH: f32 = 0.85;
/// The sketch fades in over half the widest expansion, within these bounds (pixels).
const MIN_FEATHER: f32 = 8.0;
const MAX_FEATHER: f32 = 96.0;
/// How far the sketch's average colour moves towards the source's.
const HARMONY: f32 = 0.75;

/// Pixels added on each side of an image.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Expansion {
    pub left: u32,
    pub right: u32,
    pub top: u32,
    pub bottom: u32,
}

impl Expansion {
    /// Whether it adds nothing at all.
    pub fn is_empty(&self) -> bool {
        *self == Expansion::default()
    }

    /// The size of a `width`×`height` image grown by this; refused beyond [`MAX_SIDE`] on a side.
    pub fn grow(&self, width: u32, height: u32) -> Result<(u32, u32), RenderError> {
        let grown = |side: u32, before: u32, after: u32| u64::from(side) + u64::from(before) + u64::from(after);
        let (grown_width, grown_height) = (grown(width, self.left, self.right), grown(height, self.top, self.bottom));
        if grown_width > u64::from(MAX_SIDE) || grown_height > u64::from(MAX_SIDE) {
            let clamp = |side: u64| u32::try_from(side).unwrap_or(u32::MAX);
            return Err(RenderError::TooLarge {
                width: clamp(grown_width),
                height: clamp(grown_height),
                max: MAX_SIDE,
            });
        }
        Ok((grown_width as u32, grown_height as u32))
    }

    fn plus(self, other: Expansion) -> Expansion {
        Expansion {
            left: self.left.saturating_add(other.left),
            right: self.right.saturating_add(other.right),
            top: self.top.saturating_add(other.top),
            bottom: self.bottom.saturating_add(other.bottom),
        }
    }
}

pub(crate) fn outpaint(
    sketch: &Sketch,
    source: &DynamicImage,
    expansion: Expansion,
    progress: &mut dyn FnMut(Step),
) -> Result<RgbImage, RenderError> {
    let (width, height) = (source.width(), source.height());
    if width == 0 || height == 0 {
        return Err(RenderError::Invalid("the image to extend is empty".into()));
    }
    if expansion.is_empty() {
        return Err(RenderError::Invalid(
            "expand_left, expand_right, expand_top or expand_bottom must be more than 0".into(),
        ));
    }
    let (grown_width, grown_height) = expansion.grow(width, height)?;
    let source = source.to_rgb8();
    let Expansion { left, right, top, bottom } = expansion;
    // Every new pixel starts as the source's nearest edge pixel; inside, the source itself.
    let mut output = RgbImage::from_fn(grown_width, grown_height, |x, y| {
        *source.get_pixel(x.saturating_sub(left).min(width - 1), y.saturating_sub(top).min(height - 1))
    });
    let feather = (left.max(right).max(top).max(bottom) as f32 / 2.0).clamp(MIN_FEATHER, MAX_FEATHER);
    let (right_edge, bottom_edge) = (left + width, top + height);
    let sketch_weight = |x: u32, y: u32| {
        let outside = |position: u32, start: u32, end: u32| {
            if position < start {
                start - position
            } else if position >= end {
                position - end + 1
            } else {
                0
            }
        };
        let (dx, dy) = (outside(x, left, right_edge) as f32, outside(y, top, bottom_edge) as f32);
        let distance = (dx * dx + dy * dy).sqrt();
        if distance == 0.0 { 0.0 } else { FILL_STRENGTH * smoothstep(0.0, feather, distance) }
    };
    let source_mean = mean_colour(source.pixels());
    paint_then(sketch, (grown_width, grown_height), progress, |drawn| {
        // The sketch keeps its texture but moves towards the source's colours, so it reads as more of it.
        let new_area = drawn.enumerate_pixels().filter(|&(x, y, _)| sketch_weight(x, y) > 0.0);
        let sketch_mean = mean_colour(new_area.map(|(_, _, pixel)| pixel));
        let shift: [f32; 3] = std::array::from_fn(|channel| (source_mean[channel] - sketch_mean[channel]) * HARMONY);
        for (x, y, pixel) in output.enumerate_pixels_mut() {
            let weight = sketch_weight(x, y);
            if weight > 0.0 {
                let new = drawn.get_pixel(x, y);
                for (channel, value) in pixel.0.iter_mut().enumerate() {
                    *value = mix(*value, to_byte(f32::from(new[channel]) + shift[channel]), weight);
                }
            }
        }
    });
    Ok(output)
}

/// The mean of each channel; black for no pixels.
fn mean_colour<'a>(pixels: impl Iterator<Item = &'a Rgb<u8>>) -> [f32; 3] {
    let (mut sums, mut count) = ([0.0_f64; 3], 0_u64);
    for pixel in pixels {
        for (sum, &value) in sums.iter_mut().zip(&pixel.0) {
            *sum += f64::from(value);
        }
        count += 1;
    }
    sums.map(|sum| if count == 0 { 0.0 } else { (sum / count as f64) as f32 })
}

/// fal's zoom-out: the source shrunk by `percentage` (0–90) inside a frame of its own size, and the
/// margins that leaves, to be filled like any other expansion.
pub(crate) fn zoomed_out(
    source: &DynamicImage,
    percentage: f32,
    expansion: Expansion,
) -> (Cow<'_, DynamicImage>, Expansion) {
    let scale = 1.0 - percentage.clamp(0.0, 90.0) / 100.0;
    let (width, height) = (source.width(), source.height());
    // An empty source stays as it is (and `outpaint` refuses it).
    let shrink = |side: u32| ((side as f32 * scale).round() as u32).clamp(side.min(1), side);
    let (small_width, small_height) = (shrink(width), shrink(height));
    if (small_width, small_height) == (width, height) {
        return (Cow::Borrowed(source), expansion);
    }
    let margins = Expansion {
        left: (width - small_width) / 2,
        right: (width - small_width) - (width - small_width) / 2,
        top: (height - small_height) / 2,
        bottom: (height - small_height) - (height - small_height) / 2,
    };
    (Cow::Owned(source.resize_exact(small_width, small_height, FilterType::Lanczos3)), expansion.plus(margins))
}
