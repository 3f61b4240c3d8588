//! Downscaling with `fast_image_resize` (SIMD, Lanczos3, alpha-aware). The output keeps the input's
//! colour type.

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::{ColorType, DynamicImage};

/// The image scaled so its longer side is at most `max_side` (at least 1), keeping the aspect ratio;
/// an image that already fits is returned unchanged, never enlarged.
pub fn thumbnail(image: &DynamicImage, max_side: u32) -> DynamicImage {
    let max_side = max_side.max(1);
    let (width, height) = (image.width(), image.height());
    if width <= max_side && height <= max_side {
        return image.clone();
    }
    let (new_width, new_height) = fit_within(width, height, max_side);
    resize(image, new_width, new_height, ResizeOptions::new())
}

/// Exactly `side`×`side` (`side` at least 1): the centred square of the image, scaled to size (up as
/// well as down, so small pictures still fill the avatar). `side` must come from code, not from a
/// user: the output is allocated at that size.
pub fn square_avatar(image: &DynamicImage, side: u32) -> DynamicImage {
    let side = side.max(1);
    if image.width() == 0 || image.height() == 0 {
        return DynamicImage::new(side, side, ColorType::Rgba8);
    }
    resize(image, side, side, ResizeOptions::new().fit_into_destination(Some((0.5, 0.5))))
}

/// The size with the longer side `max_side` and the shorter one in proportion, rounded, at least 1.
fn fit_within(width: u32, height: u32, max_side: u32) -> (u32, u32) {
    let scale = |short: u32, long: u32| {
        let scaled = (u64::from(short) * u64::from(max_side) + u64::from(long) / 2) / u64::from(long);
        u32::try_from(scaled).unwrap_or(max_side).clamp(1, max_side)
    };
    if width >= height { (max_side, scale(height, width)) } else { (scale(width, height), max_side) }
}

fn resize(image: &DynamicImage, width: u32, height: u32, options: ResizeOptions) -> DynamicImage {
    let options = options.resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3)).use_alpha(has_transparency(image));
    let mut resized = DynamicImage::new(width, height, image.color());
    match Resizer::new().resize(image, &mut resized, &options) {
        Ok(()) => resized,
        Err(err) => {
            // Only a colour type fast_image_resize cannot handle gets here; image's own resizer is
            // slower but takes anything.
            tracing::warn!(%err, color = ?image.color(), "fast resize failed; using the slow path");
            slow_resize(image, width, height, &options)
        }
    }
}

/// Resizing with alpha premultiplies every pixel, which costs more than the resize itself (70 ms against
/// 20 ms for 4096² RGBA); screenshots are often RGBA yet fully opaque, and checking is cheaper.
pub(super) fn has_transparency(image: &DynamicImage) -> bool {
    match image {
        DynamicImage::ImageRgba8(pixels) => pixels.as_raw().chunks_exact(4).any(|pixel| pixel[3] != u8::MAX),
        DynamicImage::ImageLumaA8(pixels) => pixels.as_raw().chunks_exact(2).any(|pixel| pixel[1] != u8::MAX),
        DynamicImage::ImageRgba16(pixels) => pixels.as_raw().chunks_exact(4).any(|pixel| pixel[3] != u16::MAX),
        DynamicImage::ImageLumaA16(pixels) => pixels.as_raw().chunks_exact(2).any(|pixel| pixel[1] != u16::MAX),
        _ => image.color().has_alpha(),
    }
}

fn slow_resize(image: &DynamicImage, width: u32, height: u32, options: &ResizeOptions) -> DynamicImage {
    let lanczos = image::imageops::FilterType::Lanczos3;
    match options.cropping {
        fast_image_resize::SrcCropping::FitIntoDestination(_) => image.resize_to_fill(width, height, lanczos),
        _ => image.resize_exact(width, height, lanczos),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{GenericImageView, Rgba, RgbaImage};

    fn picture(width: u32, height: u32) -> DynamicImage {
        DynamicImage::ImageRgba8(RgbaImage::from_fn(width, height, |x, y| {
            Rgba([(x % 256) as u8, (y % 256) as u8, 90, 255])
        }))
    }

    #[test]
    fn thumbnail_keeps_the_aspect_ratio() {
        for ((width, height), max_side, expected) in [
            ((800, 600), 80, (80, 60)),
            ((600, 800), 80, (60, 80)),
            ((300, 300), 64, (64, 64)),
            ((1001, 333), 100, (100, 33)),
            ((5000, 3), 100, (100, 1)),
            ((3, 5000), 100, (1, 100)),
        ] {
            let thumb = thumbnail(&picture(width, height), max_side);
            assert_eq!(thumb.dimensions(), expected, "{width}×{height} in {max_side}");
            assert_eq!(thumb.color(), ColorType::Rgba8);
        }
    }

    #[test]
    fn thumbnail_never_upscales() {
        let small = picture(120, 80);
        assert_eq!(thumbnail(&small, 400), small);
        assert_eq!(thumbnail(&small, 120), small);
        assert_eq!(thumbnail(&small, 0).dimensions(), (1, 1));
        let empty = DynamicImage::new(0, 0, ColorType::Rgb8);
        assert_eq!(thumbnail(&empty, 64).dimensions(), (0, 0));
    }

    #[test]
    fn thumbnail_resamples_rather_than_skips_pixels() {
        // Black and white columns one pixel wide average to grey, not to one of the two.
        let stripes = DynamicImage::ImageLuma8(image::GrayImage::from_fn(400, 400, |x, _| {
            image::Luma([if x % 2 == 0 { 0 } else { 255 }])
        }));
        let thumb = thumbnail(&stripes, 100).to_luma8();
        let centre = thumb.get_pixel(50, 50).0[0];
        assert!((100..=155).contains(&centre), "{centre}");
    }

    #[test]
    fn transparent_pixels_do_not_darken_their_neighbours() {
        // Left half fully transparent black, right half opaque white: any visible pixel stays white.
        let half = DynamicImage::ImageRgba8(RgbaImage::from_fn(400, 100, |x, _| {
            if x < 200 { Rgba([0, 0, 0, 0]) } else { Rgba([255, 255, 255, 255]) }
        }));
        let thumb = thumbnail(&half, 40).to_rgba8();
        for pixel in thumb.pixels().filter(|p| p.0[3] > 16) {
            assert!(pixel.0[..3].iter().all(|&c| c >= 250), "{pixel:?}");
        }
        assert!(thumb.pixels().any(|p| p.0[3] < 255 && p.0[3] > 16), "the edge is blended");
    }

    #[test]
    fn square_avatar_is_exactly_side_by_side_from_the_centre() {
        // Landscape: left and right thirds red, centre green.
        let landscape = DynamicImage::ImageRgba8(RgbaImage::from_fn(300, 100, |x, _| {
            if (100..200).contains(&x) { Rgba([0, 255, 0, 255]) } else { Rgba([255, 0, 0, 255]) }
        }));
        let avatar = square_avatar(&landscape, 64);
        assert_eq!(avatar.dimensions(), (64, 64));
        assert!(avatar.to_rgba8().pixels().all(|p| p.0[1] > 240 && p.0[0] < 15), "only the green centre remains");

        for (width, height, side) in [(100, 300, 64), (10, 10, 128), (1, 1000, 32), (800, 600, 64), (7, 5, 0)] {
            let avatar = square_avatar(&picture(width, height), side);
            assert_eq!(avatar.dimensions(), (side.max(1), side.max(1)), "{width}×{height} to {side}");
        }
        assert_eq!(square_avatar(&DynamicImage::new(0, 0, ColorType::L8), 16).dimensions(), (16, 16));
    }

    #[test]
    fn every_colour_type_resizes() {
        let base = picture(64, 48);
        for image in [
            DynamicImage::ImageLuma8(base.to_luma8()),
            DynamicImage::ImageLumaA8(base.to_luma_alpha8()),
            DynamicImage::ImageRgb8(base.to_rgb8()),
            DynamicImage::ImageRgba16(base.to_rgba16()),
            DynamicImage::ImageLuma16(base.to_luma16()),
            DynamicImage::ImageRgb32F(base.to_rgb32f()),
        ] {
            assert_eq!(thumbnail(&image, 32).dimensions(), (32, 24));
            assert_eq!(thumbnail(&image, 32).color(), image.color());
            assert_eq!(square_avatar(&image, 20).dimensions(), (20, 20));
        }
    }
}
