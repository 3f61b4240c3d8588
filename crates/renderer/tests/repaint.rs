//! Image-to-image and inpainting: the source is kept where and as much as asked.

use atelier_renderer::{Sketch, Step, image_to_image, inpaint, text_to_image};
use image::{DynamicImage, GrayImage, Luma, Rgb, RgbImage, Rgba, RgbaImage};

fn sketch(width: u32, height: u32) -> Sketch<'static> {
    Sketch { prompt: "a lake under a violet sky", negative_prompt: "", width, height, seed: 99, steps: 6 }
}

/// A source with structure: a diagonal gradient.
fn source(width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x * 255 / width.max(1)) as u8, (y * 255 / height.max(1)) as u8, 128])
    }))
}

fn quiet() -> impl FnMut(Step) {
    |_| {}
}

#[test]
fn image_to_image_at_strength_zero_returns_the_source() {
    let source = source(90, 70);
    let output = image_to_image(&sketch(512, 512), &source, 0.0, &mut quiet());
    assert_eq!(output.as_raw(), source.to_rgb8().as_raw());
}

#[test]
fn image_to_image_at_strength_one_is_a_new_sketch_at_the_sources_size() {
    let source = source(90, 70);
    let output = image_to_image(&sketch(16, 16), &source, 1.0, &mut quiet());
    let fresh = text_to_image(&sketch(90, 70), &mut quiet());
    assert_eq!(output.as_raw(), fresh.as_raw());
}

#[test]
fn image_to_image_in_between_mixes_the_two() {
    let source = source(64, 64);
    let output = image_to_image(&sketch(64, 64), &source, 0.5, &mut quiet());
    let fresh = text_to_image(&sketch(64, 64), &mut quiet());
    let original = source.to_rgb8();
    for ((mixed, new), old) in output.as_raw().iter().zip(fresh.as_raw()).zip(original.as_raw()) {
        assert!(mixed.abs_diff((*new / 2).saturating_add(*old / 2)) <= 1);
    }
    assert_eq!(output.as_raw(), image_to_image(&sketch(64, 64), &source, 0.5, &mut quiet()).as_raw());
}

#[test]
fn image_to_image_keeps_the_sources_size_and_drops_its_alpha() {
    let source = DynamicImage::ImageRgba8(RgbaImage::from_pixel(33, 21, Rgba([10, 20, 30, 40])));
    let output = image_to_image(&sketch(400, 400), &source, 0.3, &mut quiet());
    assert_eq!(output.dimensions(), (33, 21));
}

#[test]
fn out_of_range_strengths_are_held_to_zero_and_one() {
    let source = source(40, 30);
    let below = image_to_image(&sketch(40, 30), &source, -2.0, &mut quiet());
    let nan = image_to_image(&sketch(40, 30), &source, f32::NAN, &mut quiet());
    assert_eq!(below.as_raw(), source.to_rgb8().as_raw());
    assert_eq!(nan.as_raw(), source.to_rgb8().as_raw());
    let above = image_to_image(&sketch(40, 30), &source, 7.0, &mut quiet());
    assert_eq!(above.as_raw(), text_to_image(&sketch(40, 30), &mut quiet()).as_raw());
}

#[test]
fn image_to_image_reports_every_step_once_in_order() {
    let mut reported = Vec::new();
    image_to_image(&sketch(32, 32), &source(32, 32), 0.7, &mut |step| reported.push(step));
    assert_eq!(reported, (1..=6).map(|step| Step { step, total: 6 }).collect::<Vec<_>>());
}

/// The left half of the mask is white (repaint), the right half black (keep).
fn left_half_mask(width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageLuma8(GrayImage::from_fn(width, height, |x, _| Luma([if x < width / 2 { 255 } else { 0 }])))
}

#[test]
fn inpainting_leaves_unmasked_pixels_exactly_alone() {
    let source = source(80, 60);
    let output = inpaint(&sketch(80, 60), &source, &left_half_mask(80, 60), 1.0, &mut quiet());
    let original = source.to_rgb8();
    let fresh = text_to_image(&sketch(80, 60), &mut quiet());
    for (x, y, pixel) in output.enumerate_pixels() {
        if x < 40 {
            assert_eq!(pixel, fresh.get_pixel(x, y), "masked pixel ({x}, {y}) is the new sketch");
        } else {
            assert_eq!(pixel, original.get_pixel(x, y), "unmasked pixel ({x}, {y}) is kept");
        }
    }
}

#[test]
fn a_mask_of_another_size_is_stretched_to_the_source() {
    let source = source(80, 60);
    let output = inpaint(&sketch(80, 60), &source, &left_half_mask(8, 3), 1.0, &mut quiet());
    let original = source.to_rgb8();
    let kept = |x: u32| (0..60).all(|y| output.get_pixel(x, y) == original.get_pixel(x, y));
    assert!((40..80).all(kept), "the right half is kept");
    assert!(!(0..40).any(kept), "every column of the left half is repainted somewhere");
}

#[test]
fn only_light_mask_pixels_count_and_grey_below_the_middle_keeps_the_source() {
    let source = source(50, 50);
    let dim = DynamicImage::ImageLuma8(GrayImage::from_pixel(50, 50, Luma([127])));
    let output = inpaint(&sketch(50, 50), &source, &dim, 1.0, &mut quiet());
    assert_eq!(output.as_raw(), source.to_rgb8().as_raw());
    let light = DynamicImage::ImageLuma8(GrayImage::from_pixel(50, 50, Luma([128])));
    let output = inpaint(&sketch(50, 50), &source, &light, 1.0, &mut quiet());
    assert_eq!(output.as_raw(), text_to_image(&sketch(50, 50), &mut quiet()).as_raw());
}

#[test]
fn inpainting_strength_blends_inside_the_mask() {
    let source = source(64, 64);
    let soft = inpaint(&sketch(64, 64), &source, &left_half_mask(64, 64), 0.3, &mut quiet());
    let original = source.to_rgb8();
    let fresh = text_to_image(&sketch(64, 64), &mut quiet());
    let (x, y) = (10, 20);
    for c in 0..3 {
        let expected = f32::from(original.get_pixel(x, y)[c]) * 0.7 + f32::from(fresh.get_pixel(x, y)[c]) * 0.3;
        assert!((f32::from(soft.get_pixel(x, y)[c]) - expected).abs() <= 1.0);
    }
}

#[test]
fn inpainting_reports_every_step_once_in_order() {
    let mut reported = Vec::new();
    inpaint(&sketch(32, 32), &source(32, 32), &left_half_mask(32, 32), 0.85, &mut |step| reported.push(step));
    assert_eq!(reported, (1..=6).map(|step| Step { step, total: 6 }).collect::<Vec<_>>());
}
