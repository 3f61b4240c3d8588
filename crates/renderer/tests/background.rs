//! Background removal: the border's colour, connected to the border, becomes transparent.

use atelier_renderer::remove_background;
use image::{DynamicImage, Rgb, RgbImage, Rgba, RgbaImage};

/// A red disc of `radius` centred in a white square of `size`.
fn red_circle_on_white(size: u32, radius: f32) -> DynamicImage {
    let centre = size as f32 / 2.0;
    DynamicImage::ImageRgb8(RgbImage::from_fn(size, size, |x, y| {
        let (dx, dy) = (x as f32 + 0.5 - centre, y as f32 + 0.5 - centre);
        if (dx * dx + dy * dy).sqrt() < radius { Rgb([220, 30, 30]) } else { Rgb([255, 255, 255]) }
    }))
}

#[test]
fn a_red_circle_on_white_keeps_the_circle_and_loses_the_white() {
    let output = remove_background(&red_circle_on_white(128, 40.0));
    assert_eq!(output.dimensions(), (128, 128));
    for (x, y) in [(0, 0), (127, 0), (0, 127), (127, 127), (64, 5), (5, 64)] {
        assert_eq!(output.get_pixel(x, y)[3], 0, "({x}, {y}) should be transparent");
    }
    assert_eq!(*output.get_pixel(64, 64), Rgba([220, 30, 30, 255]));
    assert_eq!(output.get_pixel(64, 64 - 35)[3], 255, "well inside the edge is fully opaque");
}

#[test]
fn the_cut_edge_is_feathered() {
    let output = remove_background(&red_circle_on_white(128, 40.0));
    let row: Vec<u8> = (0..64).map(|x| output.get_pixel(x, 64)[3]).collect();
    let partial = row.iter().filter(|&&alpha| alpha > 0 && alpha < 255).count();
    assert!((1..=3).contains(&partial), "a one-to-two pixel ramp at the edge: {row:?}");
    assert!(row.windows(2).all(|pair| pair[0] <= pair[1]), "alpha rises toward the centre: {row:?}");
}

#[test]
fn a_noisy_background_is_still_recognised() {
    let source = red_circle_on_white(96, 30.0).to_rgb8();
    let noisy = RgbImage::from_fn(96, 96, |x, y| {
        let wobble = ((x * 7 + y * 13) % 17) as u8;
        let Rgb([r, g, b]) = *source.get_pixel(x, y);
        Rgb([r.saturating_sub(wobble), g.saturating_sub(wobble), b.saturating_sub(wobble)])
    });
    let output = remove_background(&DynamicImage::ImageRgb8(noisy));
    let transparent = output.pixels().filter(|pixel| pixel[3] == 0).count();
    let disc = (std::f32::consts::PI * 30.0 * 30.0) as usize;
    assert!(transparent > 96 * 96 - disc - 400, "only {transparent} pixels cleared");
    assert_eq!(output.get_pixel(48, 48)[3], 255);
}

#[test]
fn background_colour_enclosed_by_the_subject_is_kept() {
    // A blue ring around a white hole, on white: the hole does not touch the border.
    let image = RgbImage::from_fn(100, 100, |x, y| {
        let (dx, dy) = (x as f32 - 50.0, y as f32 - 50.0);
        let distance = (dx * dx + dy * dy).sqrt();
        if (20.0..35.0).contains(&distance) { Rgb([30, 40, 200]) } else { Rgb([255, 255, 255]) }
    });
    let output = remove_background(&DynamicImage::ImageRgb8(image));
    assert_eq!(output.get_pixel(50, 50)[3], 255);
    assert_eq!(output.get_pixel(2, 2)[3], 0);
}

#[test]
fn existing_transparency_is_kept_and_the_background_colour_is_found_by_majority() {
    // A dark-green background with a translucent yellow square in the middle.
    let image = RgbaImage::from_fn(60, 40, |x, y| {
        if (20..40).contains(&x) && (10..30).contains(&y) { Rgba([240, 220, 20, 128]) } else { Rgba([20, 90, 40, 255]) }
    });
    let output = remove_background(&DynamicImage::ImageRgba8(image));
    assert_eq!(output.get_pixel(0, 0)[3], 0);
    assert_eq!(output.get_pixel(30, 20)[3], 128);
}

#[test]
fn a_blank_image_becomes_fully_transparent_and_an_empty_one_stays_empty() {
    let blank = DynamicImage::ImageRgb8(RgbImage::from_pixel(10, 10, Rgb([9, 9, 9])));
    assert!(remove_background(&blank).pixels().all(|pixel| pixel[3] == 0));
    let empty = DynamicImage::ImageRgb8(RgbImage::new(0, 0));
    assert_eq!(remove_background(&empty).dimensions(), (0, 0));
    let single = DynamicImage::ImageRgb8(RgbImage::new(1, 1));
    assert_eq!(remove_background(&single).get_pixel(0, 0)[3], 0);
}
