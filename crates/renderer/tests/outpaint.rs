//! Outpainting: the canvas grows by exactly the expansions, the source stays exactly as it was, and the
//! new area is a sketch that fades in from the source's edge, the same for the same seed.

use atelier_renderer::{Expansion, MAX_SIDE, RenderError, Sketch, Step, outpaint, text_to_image};
use image::{DynamicImage, Rgb, RgbImage, RgbaImage};

fn sketch(seed: u64) -> Sketch<'static> {
    Sketch { prompt: "a violet sea under orange clouds", negative_prompt: "", width: 1, height: 1, seed, steps: 4 }
}

/// A source with structure: a diagonal gradient.
fn gradient(width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 128])
    }))
}

/// One flat grey: whatever varies beyond it was drawn by the fill.
fn grey(width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_pixel(width, height, Rgb([128, 128, 128])))
}

fn right(pixels: u32) -> Expansion {
    Expansion { right: pixels, ..Expansion::default() }
}

fn extended(source: &DynamicImage, expansion: Expansion, seed: u64) -> RgbImage {
    outpaint(&sketch(seed), source, expansion, &mut |_| {}).expect("outpainted")
}

fn luminance(pixel: &Rgb<u8>) -> f64 {
    0.2126 * f64::from(pixel[0]) + 0.7152 * f64::from(pixel[1]) + 0.0722 * f64::from(pixel[2])
}

/// The mean and standard deviation of the luminance of the pixels in columns `columns`.
fn column_stats(image: &RgbImage, columns: std::ops::Range<u32>) -> (f64, f64) {
    let values: Vec<f64> = columns
        .flat_map(|x| (0..image.height()).map(move |y| (x, y)))
        .map(|(x, y)| luminance(image.get_pixel(x, y)))
        .collect();
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    let variance = values.iter().map(|value| (value - mean).powi(2)).sum::<f64>() / values.len() as f64;
    (mean, variance.sqrt())
}

/// The mean absolute difference, per channel, between column `a` of one image and column `b` of another.
fn column_difference(one: &RgbImage, a: u32, other: &RgbImage, b: u32) -> f64 {
    let total: u32 = (0..one.height())
        .flat_map(|y| {
            one.get_pixel(a, y).0.into_iter().zip(other.get_pixel(b, y).0).map(|(p, q)| u32::from(p.abs_diff(q)))
        })
        .sum();
    f64::from(total) / f64::from(one.height() * 3)
}

#[test]
fn the_canvas_grows_by_each_expansion() {
    let expansion = Expansion { left: 10, right: 20, top: 5, bottom: 0 };
    assert_eq!(extended(&gradient(40, 30), expansion, 1).dimensions(), (70, 35));
    let all_sides = Expansion { left: 16, right: 16, top: 16, bottom: 16 };
    assert_eq!(extended(&gradient(64, 48), all_sides, 1).dimensions(), (96, 80));
}

#[test]
fn the_sources_pixels_are_placed_unchanged() {
    let source = gradient(48, 36);
    let expansion = Expansion { left: 24, right: 8, top: 12, bottom: 30 };
    let output = extended(&source, expansion, 3);
    let source = source.to_rgb8();
    for (x, y, pixel) in source.enumerate_pixels() {
        assert_eq!(output.get_pixel(x + 24, y + 12), pixel, "({x}, {y})");
    }
}

#[test]
fn the_new_area_is_filled_with_a_sketch_not_left_flat_or_blank() {
    let output = extended(&grey(64, 64), right(128), 5);
    // Past the seam's fade (half the expansion) the fill varies; the stretched grey edge alone would not.
    let (mean, spread) = column_stats(&output, 64 + 64..64 + 128);
    assert!(spread > 8.0, "the new area is nearly flat: mean {mean:.1}, spread {spread:.1}");
    // Its colours lean towards the source's, so it is neither blank nor far from the grey.
    assert!((64.0..192.0).contains(&mean), "the new area is far from the source's colours: mean {mean:.1}");
    let new_pixels = (64 + 8..192).flat_map(|x| (0..64).map(move |y| (x, y)));
    let changed = new_pixels.filter(|&(x, y)| output.get_pixel(x, y) != &Rgb([128, 128, 128])).count();
    assert!(changed > 120 * 64 * 9 / 10, "only {changed} pixels of the new area were painted");
}

#[test]
fn the_seam_blends_into_the_sources_edge() {
    let output = extended(&grey(64, 64), right(128), 5);
    let source = grey(64, 64).to_rgb8();
    // Just past the edge the new area is almost the source's own edge; further out it is the sketch.
    let at_seam = column_difference(&output, 64, &source, 63);
    let far_out = column_difference(&output, 64 + 100, &source, 63);
    assert!(at_seam < 2.0, "a visible step at the seam: {at_seam:.2}");
    assert!(far_out > 4.0 * at_seam.max(1.0), "the fill does not depart from the edge: {far_out:.2}");
    // And it changes gradually: no column differs much from its neighbour within the fade.
    for x in 64..64 + 64 {
        assert!(column_difference(&output, x, &output, x + 1) < 12.0, "a step between columns {x} and {}", x + 1);
    }
}

#[test]
fn the_new_area_leans_towards_the_sources_colours() {
    let red = Rgb([200, 30, 30]);
    let source = DynamicImage::ImageRgb8(RgbImage::from_pixel(64, 64, red));
    let output = extended(&source, right(128), 9);
    let plain = text_to_image(&Sketch { width: 192, height: 64, ..sketch(9) }, &mut |_| {});
    let distance_to_red = |image: &RgbImage| {
        let pixels: Vec<&Rgb<u8>> =
            (128..192).flat_map(|x| (0..64).map(move |y| (x, y))).map(|(x, y)| image.get_pixel(x, y)).collect();
        let mean =
            |channel: usize| pixels.iter().map(|pixel| f64::from(pixel[channel])).sum::<f64>() / pixels.len() as f64;
        (0..3).map(|channel| (mean(channel) - f64::from(red[channel])).powi(2)).sum::<f64>().sqrt()
    };
    let (filled, unshifted) = (distance_to_red(&output), distance_to_red(&plain));
    assert!(filled < unshifted * 0.6, "the fill is {filled:.1} from the source's red, the plain sketch {unshifted:.1}");
}

#[test]
fn the_same_seed_gives_the_same_pixels_and_another_seed_others() {
    let source = gradient(40, 40);
    let expansion = Expansion { left: 20, right: 0, top: 0, bottom: 20 };
    let first = extended(&source, expansion, 11);
    assert_eq!(first.as_raw(), extended(&source, expansion, 11).as_raw());
    assert_ne!(first.as_raw(), extended(&source, expansion, 12).as_raw());
}

#[test]
fn a_transparent_source_is_extended_without_its_alpha() {
    let source = DynamicImage::ImageRgba8(RgbaImage::from_pixel(20, 10, image::Rgba([10, 20, 30, 0])));
    let output = extended(&source, right(5), 2);
    assert_eq!((output.dimensions(), *output.get_pixel(0, 0)), ((25, 10), Rgb([10, 20, 30])));
}

#[test]
fn every_step_is_reported_once_in_order() {
    let mut reported = Vec::new();
    outpaint(&sketch(1), &gradient(16, 16), right(16), &mut |step| reported.push(step)).expect("outpainted");
    assert_eq!(reported, (1..=4).map(|step| Step { step, total: 4 }).collect::<Vec<_>>());
}

#[test]
fn nothing_to_add_or_nothing_to_extend_is_refused_and_an_oversized_canvas_is_too_large() {
    let refused = |source: &DynamicImage, expansion| outpaint(&sketch(1), source, expansion, &mut |_| {}).err();
    assert_eq!(
        refused(&gradient(8, 8), Expansion::default()),
        Some(RenderError::Invalid("expand_left, expand_right, expand_top or expand_bottom must be more than 0".into()))
    );
    assert_eq!(refused(&grey(0, 0), right(8)), Some(RenderError::Invalid("the image to extend is empty".into())));
    let wide = Expansion { left: MAX_SIDE - 100, right: 1, ..Expansion::default() };
    assert_eq!(
        refused(&grey(100, 10), wide),
        Some(RenderError::TooLarge { width: MAX_SIDE + 1, height: 10, max: MAX_SIDE })
    );
    let tall = Expansion { top: u32::MAX, bottom: u32::MAX, ..Expansion::default() };
    assert!(matches!(refused(&grey(4, 4), tall), Some(RenderError::TooLarge { max: MAX_SIDE, .. })));
}
