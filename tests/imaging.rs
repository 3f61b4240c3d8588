//! The results pipeline's image step: a provider's output checked, given a thumbnail, a preview, a
//! perceptual hash and its generation metadata, without re-encoding the original.
#![cfg(feature = "ssr")]

use atelier::server::imaging::{
    GenerationMetadata, ImageError, ImageFormat, ImageLimits, PreparedImage, decode_untrusted, hamming_distance,
    prepare_generated, read_generation_metadata,
};
use image::{DynamicImage, Rgb, RgbImage, Rgba, RgbaImage};
use sha2::{Digest, Sha256};
use std::io::Cursor;

const LIMITS: ImageLimits = ImageLimits { max_bytes: 20 * 1024 * 1024, max_width: 4096, max_height: 4096 };

fn metadata(prompt: &str) -> GenerationMetadata {
    GenerationMetadata {
        prompt: prompt.to_owned(),
        negative_prompt: Some("blurry, watermark".to_owned()),
        model: "fal-ai/flux/dev".to_owned(),
        parameters: serde_json::json!({ "steps": 28, "guidance_scale": 3.5, "image_size": "landscape_4_3" }),
        seed: Some(u64::MAX),
    }
}

/// Something like a photograph: a sky gradient, a sun, hills, and a little deterministic noise.
fn scene(width: u32, height: u32, seed: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        let (u, v) = (x as f32 / width as f32, y as f32 / height as f32);
        let noise =
            (x.wrapping_mul(374_761_393) ^ y.wrapping_mul(668_265_263) ^ seed).wrapping_mul(1_274_126_177) >> 29;
        let (du, dv) = (u - 0.7, v - 0.3);
        let pixel = if du * du + dv * dv < 0.01 {
            [250, 220, 120]
        } else if v > 0.65 + 0.1 * (u * 9.0).sin() {
            [40 + (u * 60.0) as u8, 110 - (v * 40.0) as u8, 50]
        } else {
            [(60.0 + 120.0 * v + 60.0 * u) as u8, (110.0 + 80.0 * v + 50.0 * u) as u8, 235]
        };
        Rgb(pixel.map(|c| c.saturating_add(noise as u8)))
    })
}

/// A grid of random grey squares: no two seeds look alike.
fn squares(side: u32, seed: u64) -> RgbImage {
    let cell = |cx: u32, cy: u32| {
        let mut state = seed ^ (u64::from(cx) << 32 | u64::from(cy)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        state ^= state >> 29;
        state = state.wrapping_mul(0xBF58_476D_1CE4_E5B9);
        (state >> 56) as u8
    };
    RgbImage::from_fn(side, side, |x, y| {
        let grey = cell(x * 6 / side, y * 6 / side);
        Rgb([grey, grey, grey])
    })
}

fn encoded(image: impl Into<DynamicImage>, format: image::ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.into().write_to(&mut out, format).unwrap();
    out.into_inner()
}

fn png(image: impl Into<DynamicImage>) -> Vec<u8> {
    encoded(image, image::ImageFormat::Png)
}

fn jpeg(image: impl Into<DynamicImage>) -> Vec<u8> {
    encoded(image, image::ImageFormat::Jpeg)
}

fn prepare(bytes: &[u8]) -> PreparedImage {
    prepare_generated(bytes, &LIMITS, &metadata("a harbour town at sunset")).unwrap()
}

fn occurrences(haystack: &[u8], needle: &[u8]) -> usize {
    haystack.windows(needle.len()).filter(|window| *window == needle).count()
}

#[test]
fn png_metadata_reads_back_and_a_second_embedding_replaces_the_first() {
    let first =
        prepare_generated(&png(scene(64, 48, 1)), &LIMITS, &metadata("un café au crépuscule — 夕暮れ")).unwrap();
    assert!(first.metadata_embedded);
    assert_eq!(first.original_format, ImageFormat::Png);
    assert_eq!(read_generation_metadata(&first.original), Some(metadata("un café au crépuscule — 夕暮れ")));

    let second = prepare_generated(&first.original, &LIMITS, &metadata("a lighthouse")).unwrap();
    assert_eq!(read_generation_metadata(&second.original), Some(metadata("a lighthouse")));
    assert_eq!(occurrences(&second.original, b"atelier:generation"), 1);
    assert_eq!(&second.original[second.original.len() - 12..][4..8], b"IEND");
}

#[test]
fn jpeg_metadata_reads_back_and_a_second_embedding_replaces_the_first() {
    let first = prepare(&jpeg(scene(64, 48, 1)));
    assert!(first.metadata_embedded);
    assert_eq!(first.original_format, ImageFormat::Jpeg);
    assert_eq!(read_generation_metadata(&first.original), Some(metadata("a harbour town at sunset")));

    let without_optional = GenerationMetadata {
        negative_prompt: None,
        seed: None,
        parameters: serde_json::Value::Null,
        ..metadata("a lighthouse")
    };
    let second = prepare_generated(&first.original, &LIMITS, &without_optional).unwrap();
    assert_eq!(read_generation_metadata(&second.original), Some(without_optional));
    assert_eq!(occurrences(&second.original, b"atelier:generation"), 1);
}

#[test]
fn embedding_metadata_leaves_the_pixels_unchanged() {
    for provider_bytes in
        [png(scene(120, 80, 2)), jpeg(scene(120, 80, 2)), png(DynamicImage::ImageRgb8(scene(30, 20, 2)).to_rgba16())]
    {
        let prepared = prepare(&provider_bytes);
        assert_ne!(prepared.original, provider_bytes);
        let before = decode_untrusted(&provider_bytes, &LIMITS).unwrap().image;
        let after = decode_untrusted(&prepared.original, &LIMITS).unwrap().image;
        assert_eq!(after, before);
        assert!(prepared.original.len() > provider_bytes.len());
        assert!(prepared.original.len() < provider_bytes.len() + 400, "the pixel data was not re-encoded");
    }
}

#[test]
fn webp_originals_are_kept_byte_for_byte_without_metadata() {
    let provider_bytes = encoded(scene(64, 48, 3), image::ImageFormat::WebP);
    let prepared = prepare(&provider_bytes);
    assert_eq!(prepared.original, provider_bytes);
    assert_eq!(prepared.original_format, ImageFormat::Webp);
    assert!(!prepared.metadata_embedded);
    assert_eq!(read_generation_metadata(&prepared.original), None);
}

#[test]
fn jpeg_metadata_longer_than_one_segment_is_left_out_rather_than_cut() {
    let mut long = metadata("x".repeat(70_000).as_str());
    long.parameters = serde_json::json!({});
    let prepared = prepare_generated(&jpeg(scene(32, 32, 4)), &LIMITS, &long).unwrap();
    assert!(!prepared.metadata_embedded);
    assert_eq!(read_generation_metadata(&prepared.original), None);
    // PNG text chunks have no such limit.
    let prepared = prepare_generated(&png(scene(32, 32, 4)), &LIMITS, &long).unwrap();
    assert!(prepared.metadata_embedded);
    assert_eq!(read_generation_metadata(&prepared.original), Some(long));
}

#[test]
fn derivatives_fit_within_256_and_1024_pixels_keeping_the_aspect_ratio() {
    for ((width, height), preview, thumbnail) in [
        ((1100, 619), (1024, 576), (256, 144)),
        ((619, 1100), (576, 1024), (144, 256)),
        ((300, 300), (300, 300), (256, 256)),
        ((600, 400), (600, 400), (256, 171)),
    ] {
        let prepared = prepare(&png(scene(width, height, 5)));
        assert_eq!((prepared.width, prepared.height), (width, height));
        assert!(!prepared.has_alpha);
        for (encoded, size) in [(&prepared.preview, preview), (&prepared.thumbnail, thumbnail)] {
            assert_eq!((encoded.width, encoded.height), size, "{width}×{height}");
            assert_eq!((encoded.mime, encoded.extension), ("image/jpeg", "jpg"));
            let decoded = decode_untrusted(&encoded.bytes, &LIMITS).unwrap();
            assert_eq!((decoded.format, decoded.width, decoded.height), (ImageFormat::Jpeg, size.0, size.1));
        }
    }
}

#[test]
fn small_images_are_never_upscaled() {
    let prepared = prepare(&jpeg(scene(200, 150, 6)));
    assert_eq!((prepared.thumbnail.width, prepared.thumbnail.height), (200, 150));
    assert_eq!((prepared.preview.width, prepared.preview.height), (200, 150));
    let tiny = prepare(&png(scene(1, 1, 6)));
    assert_eq!((tiny.thumbnail.width, tiny.thumbnail.height), (1, 1));
}

#[test]
fn transparent_images_keep_their_alpha_in_lossless_webp_derivatives() {
    // A cut-out subject, as background removal returns it.
    let cut_out = RgbaImage::from_fn(600, 400, |x, y| {
        let (dx, dy) = (x as i32 - 300, y as i32 - 200);
        if dx * dx + dy * dy < 150 * 150 { Rgba([200, (x % 256) as u8, 60, 255]) } else { Rgba([0, 0, 0, 0]) }
    });
    let prepared = prepare(&png(cut_out.clone()));
    assert!(prepared.has_alpha);
    for encoded in [&prepared.thumbnail, &prepared.preview] {
        assert_eq!((encoded.mime, encoded.extension), ("image/webp", "webp"));
    }
    let preview = decode_untrusted(&prepared.preview.bytes, &LIMITS).unwrap().image.to_rgba8();
    assert_eq!(preview, cut_out, "a preview at the original size is the original's pixels");
    let thumbnail = decode_untrusted(&prepared.thumbnail.bytes, &LIMITS).unwrap().image.to_rgba8();
    assert_eq!(thumbnail.dimensions(), (256, 171));
    assert_eq!(thumbnail.get_pixel(2, 2).0[3], 0);
    assert_eq!(thumbnail.get_pixel(128, 85).0[3], 255);
}

#[test]
fn an_alpha_channel_that_is_opaque_everywhere_gives_jpeg_derivatives() {
    let opaque = DynamicImage::ImageRgb8(scene(300, 200, 7));
    for bytes in [png(opaque.to_rgba8()), png(opaque.to_rgba16())] {
        let prepared = prepare(&bytes);
        assert!(!prepared.has_alpha);
        assert_eq!(prepared.thumbnail.mime, "image/jpeg");
        assert_eq!(prepared.preview.mime, "image/jpeg");
    }
}

#[test]
fn the_same_picture_re_encoded_as_jpeg_has_a_nearby_perceptual_hash() {
    let picture = scene(400, 300, 8);
    let from_png = prepare(&png(picture.clone()));
    let from_jpeg = prepare(&jpeg(picture));
    assert_eq!(from_png.perceptual_hash.len(), 16);
    let distance = hamming_distance(&from_png.perceptual_hash, &from_jpeg.perceptual_hash).unwrap();
    assert!(distance <= 4, "{} and {}: {distance}", from_png.perceptual_hash, from_jpeg.perceptual_hash);
}

#[test]
fn different_pictures_have_distant_perceptual_hashes() {
    let hashes: Vec<String> = [png(squares(300, 1)), png(squares(300, 2)), png(scene(300, 300, 9))]
        .iter()
        .map(|bytes| prepare(bytes).perceptual_hash)
        .collect();
    for (i, a) in hashes.iter().enumerate() {
        for b in &hashes[i + 1..] {
            let distance = hamming_distance(a, b).unwrap();
            assert!(distance >= 10, "{a} and {b}: {distance}");
        }
    }
}

#[test]
fn sha256_is_of_the_original_with_its_metadata() {
    let provider_bytes = png(scene(50, 50, 10));
    let prepared = prepare(&provider_bytes);
    assert_eq!(prepared.sha256, hex::encode(Sha256::digest(&prepared.original)));
    assert_ne!(prepared.sha256, hex::encode(Sha256::digest(&provider_bytes)));
    assert_eq!(prepared.sha256.len(), 64);
    assert_eq!(prepare(&provider_bytes).sha256, prepared.sha256, "the same input gives the same original");
}

#[test]
fn truncated_garbage_and_oversized_inputs_are_refused_with_the_reason() {
    let whole = png(scene(300, 200, 11));
    let refuse = |bytes: &[u8], limits: &ImageLimits| prepare_generated(bytes, limits, &metadata("x")).unwrap_err();

    assert!(matches!(refuse(&whole[..whole.len() / 2], &LIMITS), ImageError::Unreadable { .. }));
    let whole_jpeg = jpeg(scene(300, 200, 11));
    assert!(matches!(refuse(&whole_jpeg[..whole_jpeg.len() / 3], &LIMITS), ImageError::Unreadable { .. }));
    assert!(matches!(refuse(b"<html>502 Bad Gateway</html>", &LIMITS), ImageError::UnsupportedFormat));
    assert!(matches!(refuse(b"", &LIMITS), ImageError::UnsupportedFormat));

    let small_files = ImageLimits { max_bytes: 1000, ..LIMITS };
    assert!(matches!(refuse(&whole, &small_files), ImageError::TooLarge { max_bytes: 1000, .. }));
    let small_pictures = ImageLimits { max_width: 256, max_height: 256, ..LIMITS };
    let err = refuse(&whole, &small_pictures);
    assert!(matches!(err, ImageError::DimensionsTooLarge { width: 300, height: 200, .. }), "{err:?}");
}

#[test]
fn metadata_is_not_read_from_files_without_it() {
    assert_eq!(read_generation_metadata(&png(scene(8, 8, 12))), None);
    assert_eq!(read_generation_metadata(&jpeg(scene(8, 8, 12))), None);
    assert_eq!(read_generation_metadata(b"not an image"), None);
    let prepared = prepare(&png(scene(8, 8, 12)));
    assert_eq!(read_generation_metadata(&prepared.original[..prepared.original.len() - 20]), None);
}
