//! Upscaling: the right sizes, a real filter, alpha kept, and refusals a person can act on.

use atelier_renderer::{MAX_SIDE, RenderError, upscale};
use image::{ColorType, DynamicImage, GrayImage, Luma, Rgb, RgbImage, Rgba, RgbaImage};

fn checkerboard(width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
        if (x / 4 + y / 4) % 2 == 0 { Rgb([250, 240, 10]) } else { Rgb([20, 30, 200]) }
    }))
}

#[test]
fn upscaling_by_two_four_and_eight_multiplies_both_sides() {
    let source = checkerboard(24, 10);
    for factor in [2, 4, 8] {
        let output = upscale(&source, factor).expect("a supported factor");
        assert_eq!((output.width(), output.height()), (24 * factor, 10 * factor));
        assert_eq!(output.color(), ColorType::Rgb8);
    }
}

#[test]
fn other_factors_are_refused_with_a_readable_message() {
    for factor in [0, 1, 3, 16] {
        let refusal = upscale(&checkerboard(8, 8), factor).expect_err("an unsupported factor");
        assert_eq!(refusal, RenderError::Invalid(format!("the upscale factor must be 2, 4 or 8, not {factor}")));
        assert!(refusal.to_string().contains("2, 4 or 8"));
    }
}

#[test]
fn results_wider_or_taller_than_the_limit_are_too_large() {
    let tall = DynamicImage::ImageLuma8(GrayImage::new(1, MAX_SIDE / 4 + 1));
    assert_eq!(upscale(&tall, 4), Err(RenderError::TooLarge { width: 4, height: MAX_SIDE + 4, max: MAX_SIDE }));
    let at_the_limit = DynamicImage::ImageLuma8(GrayImage::new(MAX_SIDE / 8, 1));
    assert_eq!(upscale(&at_the_limit, 8).map(|image| image.width()), Ok(MAX_SIDE));
}

#[test]
fn an_empty_image_cannot_be_upscaled() {
    let empty = DynamicImage::ImageRgb8(RgbImage::new(0, 5));
    assert_eq!(upscale(&empty, 2), Err(RenderError::Invalid("the image to upscale is empty".into())));
}

#[test]
fn a_flat_colour_stays_that_colour() {
    let flat = DynamicImage::ImageRgb8(RgbImage::from_pixel(9, 7, Rgb([12, 140, 230])));
    let output = upscale(&flat, 4).expect("upscaled").to_rgb8();
    assert!(output.pixels().all(|pixel| pixel.0.iter().zip([12, 140, 230]).all(|(a, b)| a.abs_diff(b) <= 1)));
}

#[test]
fn edges_are_interpolated_like_lanczos_not_copied_like_nearest_neighbour() {
    // A black half and a white half: nearest-neighbour would give only 0 and 255; Lanczos gives
    // in-between values at the edge and a slight overshoot (ringing) beside it.
    let source = DynamicImage::ImageLuma8(GrayImage::from_fn(8, 1, |x, _| Luma([if x < 4 { 60 } else { 200 }])));
    let row: Vec<u8> = upscale(&source, 8).expect("upscaled").to_luma8().as_raw().clone();
    assert!(row.iter().any(|&v| v > 70 && v < 190), "no in-between values: {row:?}");
    assert!(row.iter().any(|&v| v < 60) && row.iter().any(|&v| v > 200), "no Lanczos ringing: {row:?}");
}

#[test]
fn an_alpha_channel_is_kept() {
    let source = DynamicImage::ImageRgba8(RgbaImage::from_fn(16, 16, |x, _| {
        if x < 8 { Rgba([255, 0, 0, 255]) } else { Rgba([0, 0, 0, 0]) }
    }));
    let output = upscale(&source, 2).expect("upscaled");
    assert_eq!(output.color(), ColorType::Rgba8);
    let output = output.to_rgba8();
    assert_eq!(output.get_pixel(0, 0)[3], 255);
    assert_eq!(output.get_pixel(31, 31)[3], 0);
    // Premultiplied filtering: the transparent black does not darken the red edge.
    assert!(output.get_pixel(14, 5)[0] > 240, "{:?}", output.get_pixel(14, 5));
}

#[test]
fn grey_and_sixteen_bit_images_are_upscaled_too() {
    let grey = DynamicImage::ImageLuma8(GrayImage::from_pixel(5, 5, Luma([77])));
    assert_eq!(upscale(&grey, 2).map(|image| image.width()), Ok(10));
    let deep = DynamicImage::ImageRgba16(image::ImageBuffer::from_pixel(5, 4, Rgba([1000u16, 2, 3, 65535])));
    let output = upscale(&deep, 4).expect("upscaled");
    assert_eq!((output.width(), output.height(), output.color()), (20, 16, ColorType::Rgba8));
}
