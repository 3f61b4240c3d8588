//! Upscaling by 2, 4 or 8 with a Lanczos3 filter.

use std::borrow::Cow;

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::{DynamicImage, RgbImage, RgbaImage};

use crate::{MAX_SIDE, RenderError};

/// The factors an upscaler offers.
pub const UPSCALE_FACTORS: [u32; 3] = [2, 4, 8];

pub(crate) fn upscale(source: &DynamicImage, factor: u32) -> Result<DynamicImage, RenderError> {
    if !UPSCALE_FACTORS.contains(&factor) {
        return Err(RenderError::Invalid(format!("the upscale factor must be 2, 4 or 8, not {factor}")));
    }
    let (width, height) = (source.width(), source.height());
    if width == 0 || height == 0 {
        return Err(RenderError::Invalid("the image to upscale is empty".into()));
    }
    let (target_width, target_height) = (u64::from(width) * u64::from(factor), u64::from(height) * u64::from(factor));
    if target_width > u64::from(MAX_SIDE) || target_height > u64::from(MAX_SIDE) {
        return Err(RenderError::TooLarge {
            width: u32::try_from(target_width).unwrap_or(u32::MAX),
            height: u32::try_from(target_height).unwrap_or(u32::MAX),
            max: MAX_SIDE,
        });
    }
    let (target_width, target_height) = (target_width as u32, target_height as u32);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    let mut resizer = Resizer::new();
    let failed = |error: fast_image_resize::ResizeError| RenderError::Invalid(format!("could not upscale: {error}"));
    if source.color().has_alpha() {
        let pixels: Cow<RgbaImage> = match source.as_rgba8() {
            Some(rgba) => Cow::Borrowed(rgba),
            None => Cow::Owned(source.to_rgba8()),
        };
        let mut output = RgbaImage::new(target_width, target_height);
        resizer.resize(pixels.as_ref(), &mut output, &options).map_err(failed)?;
        Ok(DynamicImage::ImageRgba8(output))
    } else {
        let pixels: Cow<RgbImage> = match source.as_rgb8() {
            Some(rgb) => Cow::Borrowed(rgb),
            None => Cow::Owned(source.to_rgb8()),
        };
        let mut output = RgbImage::new(target_width, target_height);
        resizer.resize(pixels.as_ref(), &mut output, &options).map_err(failed)?;
        Ok(DynamicImage::ImageRgb8(output))
    }
}
