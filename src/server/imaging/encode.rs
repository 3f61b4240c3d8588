//! Re-encoding from pixels only: no metadata, colour profile or trailing data of the original survives.

use super::ImageError;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{ColorType, DynamicImage, RgbImage, RgbaImage};
use std::borrow::Cow;

/// Lossless PNG, keeping the colour type and bit depth (8 or 16 bits; float images become 16-bit).
pub fn encode_png(image: &DynamicImage) -> Result<Vec<u8>, ImageError> {
    let image: Cow<'_, DynamicImage> = match image.color() {
        ColorType::L8
        | ColorType::La8
        | ColorType::Rgb8
        | ColorType::Rgba8
        | ColorType::L16
        | ColorType::La16
        | ColorType::Rgb16
        | ColorType::Rgba16 => Cow::Borrowed(image),
        _ if image.color().has_alpha() => Cow::Owned(DynamicImage::ImageRgba16(image.to_rgba16())),
        _ => Cow::Owned(DynamicImage::ImageRgb16(image.to_rgb16())),
    };
    let mut out = Vec::new();
    image.write_with_encoder(PngEncoder::new(&mut out)).map_err(encode_error)?;
    Ok(out)
}

/// Baseline JPEG at `quality` (clamped to 1–100; 80–90 suits photos). JPEG has no transparency, so
/// transparent areas are painted white rather than left to whatever colour they hide. JPEG also limits
/// each side to 65,535 pixels.
pub fn encode_jpeg(image: &DynamicImage, quality: u8) -> Result<Vec<u8>, ImageError> {
    let image = if image.color().has_alpha() {
        DynamicImage::ImageRgb8(over_white(&image.to_rgba8()))
    } else if matches!(image.color(), ColorType::L8 | ColorType::L16) {
        DynamicImage::ImageLuma8(image.to_luma8())
    } else {
        DynamicImage::ImageRgb8(image.to_rgb8())
    };
    let mut out = Vec::new();
    image.write_with_encoder(JpegEncoder::new_with_quality(&mut out, quality.clamp(1, 100))).map_err(encode_error)?;
    Ok(out)
}

/// Lossless WebP (the only WebP `image` can write), 8 bits per channel, keeping transparency.
/// Usually smaller than PNG; for photos JPEG is far smaller still.
pub fn encode_webp_lossless(image: &DynamicImage) -> Result<Vec<u8>, ImageError> {
    let image: Cow<'_, DynamicImage> = match image.color() {
        ColorType::L8 | ColorType::La8 | ColorType::Rgb8 | ColorType::Rgba8 => Cow::Borrowed(image),
        _ if image.color().has_alpha() => Cow::Owned(DynamicImage::ImageRgba8(image.to_rgba8())),
        _ => Cow::Owned(DynamicImage::ImageRgb8(image.to_rgb8())),
    };
    let mut out = Vec::new();
    image.write_with_encoder(WebPEncoder::new_lossless(&mut out)).map_err(encode_error)?;
    Ok(out)
}

fn over_white(image: &RgbaImage) -> RgbImage {
    RgbImage::from_fn(image.width(), image.height(), |x, y| {
        let [r, g, b, a] = image.get_pixel(x, y).0;
        let blend = |c: u8| ((u32::from(c) * u32::from(a) + 255 * (255 - u32::from(a)) + 127) / 255) as u8;
        image::Rgb([blend(r), blend(g), blend(b)])
    })
}

fn encode_error(err: image::ImageError) -> ImageError {
    ImageError::Encode { detail: err.to_string() }
}

#[cfg(test)]
mod tests {
    use super::super::{ImageFormat, ImageLimits, decode_untrusted};
    use super::*;
    use image::{ImageBuffer, Rgba};

    const LIMITS: ImageLimits = ImageLimits { max_bytes: 50 * 1024 * 1024, max_width: 8192, max_height: 8192 };

    fn sample() -> DynamicImage {
        DynamicImage::ImageRgba8(RgbaImage::from_fn(50, 40, |x, y| {
            Rgba([(x * 5) as u8, (y * 6) as u8, (x ^ y) as u8, (x * 5 + 5) as u8])
        }))
    }

    #[test]
    fn png_round_trips_to_the_same_pixels() {
        let rgba16 = DynamicImage::ImageRgba16(ImageBuffer::from_fn(9, 7, |x, y| {
            Rgba([x as u16 * 7000, y as u16 * 9000, 1, 65535])
        }));
        for original in [
            sample(),
            DynamicImage::ImageRgb8(sample().to_rgb8()),
            DynamicImage::ImageLuma8(sample().to_luma8()),
            rgba16,
        ] {
            let png = encode_png(&original).unwrap();
            let decoded = decode_untrusted(&png, &LIMITS).unwrap();
            assert_eq!(decoded.format, ImageFormat::Png);
            assert_eq!(decoded.image, original);
        }
        let float = DynamicImage::ImageRgb32F(sample().to_rgb32f());
        let decoded = decode_untrusted(&encode_png(&float).unwrap(), &LIMITS).unwrap();
        assert_eq!(decoded.image.to_rgb8(), sample().to_rgb8());
    }

    #[test]
    fn re_encoding_drops_what_was_hidden_in_the_original() {
        let mut with_payload = encode_png(&sample()).unwrap();
        with_payload.extend_from_slice(b"<?php system($_GET['c']); ?>");
        let decoded = decode_untrusted(&with_payload, &LIMITS).unwrap();
        let clean = encode_png(&decoded.image).unwrap();
        assert!(!clean.windows(5).any(|w| w == b"<?php"));
    }

    #[test]
    fn webp_lossless_round_trips() {
        let webp = encode_webp_lossless(&sample()).unwrap();
        let decoded = decode_untrusted(&webp, &LIMITS).unwrap();
        assert_eq!(decoded.format, ImageFormat::Webp);
        assert_eq!(decoded.image.to_rgba8(), sample().to_rgba8());
        let sixteen = DynamicImage::ImageRgb16(sample().to_rgb16());
        assert!(encode_webp_lossless(&sixteen).is_ok());
    }

    #[test]
    fn jpeg_is_close_and_paints_transparency_white() {
        let jpeg = encode_jpeg(&sample(), 90).unwrap();
        let decoded = decode_untrusted(&jpeg, &LIMITS).unwrap();
        assert_eq!(decoded.format, ImageFormat::Jpeg);
        assert_eq!((decoded.width, decoded.height), (50, 40));

        let clear = DynamicImage::ImageRgba8(RgbaImage::from_pixel(16, 16, Rgba([0, 0, 0, 0])));
        let white = decode_untrusted(&encode_jpeg(&clear, 0).unwrap(), &LIMITS).unwrap().image.to_rgb8();
        assert!(white.pixels().all(|p| p.0.iter().all(|&c| c >= 250)), "{:?}", white.get_pixel(0, 0));

        let grey = DynamicImage::ImageLuma16(sample().to_luma16());
        let decoded = decode_untrusted(&encode_jpeg(&grey, 255).unwrap(), &LIMITS).unwrap();
        assert_eq!(decoded.image.color(), ColorType::L8);
    }
}
