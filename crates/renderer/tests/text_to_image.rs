//! Text-to-image: repeatable, varied, the requested size, with honest progress.

use atelier_renderer::{Sketch, Step, text_to_image};
use image::RgbImage;

fn sketch(prompt: &str, seed: u64, width: u32, height: u32) -> Sketch<'_> {
    Sketch { prompt, negative_prompt: "", width, height, seed, steps: 12 }
}

fn draw(sketch: &Sketch) -> RgbImage {
    text_to_image(sketch, &mut |_| {})
}

/// Mean absolute difference per channel, 0 to 255.
fn difference(a: &RgbImage, b: &RgbImage) -> f64 {
    let total: u64 = a.as_raw().iter().zip(b.as_raw()).map(|(&x, &y)| u64::from(x.abs_diff(y))).sum();
    total as f64 / a.as_raw().len() as f64
}

fn mean_channel(image: &RgbImage, channel: usize) -> f64 {
    let total: u64 = image.pixels().map(|pixel| u64::from(pixel[channel])).sum();
    total as f64 / f64::from(image.width() * image.height())
}

#[test]
fn the_same_inputs_give_the_same_bytes() {
    let first = draw(&sketch("a lighthouse on a cliff at dusk", 1234, 160, 96));
    let second = draw(&sketch("a lighthouse on a cliff at dusk", 1234, 160, 96));
    assert_eq!(first.as_raw(), second.as_raw());
}

#[test]
fn different_prompts_give_visibly_different_pictures() {
    let prompts = ["a red fox in the forest", "sunset over the ocean", "neon city at night", "a cat", "a dog", ""];
    let pictures: Vec<RgbImage> = prompts.iter().map(|prompt| draw(&sketch(prompt, 7, 128, 128))).collect();
    for (i, a) in pictures.iter().enumerate() {
        for (j, b) in pictures.iter().enumerate().filter(|(j, _)| *j > i) {
            let diff = difference(a, b);
            assert!(diff > 12.0, "{:?} and {:?} differ by only {diff:.1}", prompts[i], prompts[j]);
        }
    }
}

#[test]
fn different_seeds_give_different_pictures_of_the_same_prompt() {
    let a = draw(&sketch("mountains", 1, 128, 128));
    let b = draw(&sketch("mountains", 2, 128, 128));
    assert!(difference(&a, &b) > 8.0);
}

#[test]
fn case_and_punctuation_do_not_change_the_picture() {
    let a = draw(&sketch("Red Mountains, at night!", 5, 96, 64));
    let b = draw(&sketch("red mountains at night", 5, 96, 64));
    assert_eq!(a.as_raw(), b.as_raw());
}

#[test]
fn the_negative_prompt_changes_the_picture() {
    let plain = draw(&sketch("mountains by the sea", 3, 128, 96));
    let without = draw(&Sketch { negative_prompt: "mountains", ..sketch("mountains by the sea", 3, 128, 96) });
    assert!(difference(&plain, &without) > 5.0);
}

#[test]
fn colour_words_steer_the_palette() {
    let (mut redder, mut bluer, mut darker) = (0, 0, 0);
    for seed in 0..12 {
        let red = draw(&sketch("red", seed, 96, 96));
        let ocean = draw(&sketch("ocean", seed, 96, 96));
        let night = draw(&sketch("night", seed, 96, 96));
        let day = draw(&sketch("day", seed, 96, 96));
        redder += usize::from(mean_channel(&red, 0) > mean_channel(&red, 2));
        bluer += usize::from(mean_channel(&ocean, 2) > mean_channel(&ocean, 0));
        let brightness = |image: &RgbImage| (0..3).map(|c| mean_channel(image, c)).sum::<f64>();
        darker += usize::from(brightness(&night) < brightness(&day));
    }
    assert_eq!((redder, bluer, darker), (12, 12, 12));
}

#[test]
fn pictures_have_the_requested_size_even_when_tiny_or_thin() {
    for (width, height) in [(1, 1), (2, 3), (300, 7), (7, 300), (64, 48)] {
        let image = draw(&sketch("hills and a city by the sea under stars", 9, width, height));
        assert_eq!(image.dimensions(), (width, height));
    }
}

#[test]
fn pictures_are_not_flat() {
    let image = draw(&sketch("a cat", 11, 128, 128));
    let first = image.get_pixel(0, 0);
    let varied = image.pixels().filter(|pixel| pixel.0.iter().zip(first.0).any(|(a, b)| a.abs_diff(b) > 20)).count();
    assert!(varied > 128 * 128 / 4, "only {varied} pixels differ from the corner");
}

#[test]
fn progress_is_reported_after_each_step_in_order() {
    for steps in [1, 4, 12, 30] {
        let mut reported = Vec::new();
        text_to_image(&Sketch { steps, ..sketch("forest", 1, 64, 64) }, &mut |step| reported.push(step));
        let expected: Vec<Step> = (1..=steps).map(|step| Step { step, total: steps }).collect();
        assert_eq!(reported, expected);
    }
}

#[test]
fn zero_steps_count_as_one() {
    let mut reported = Vec::new();
    text_to_image(&Sketch { steps: 0, ..sketch("forest", 1, 16, 16) }, &mut |step| reported.push(step));
    assert_eq!(reported, [Step { step: 1, total: 1 }]);
}

#[test]
fn the_step_count_paces_the_work_without_changing_the_picture() {
    let few = draw(&Sketch { steps: 2, ..sketch("clouds over hills", 4, 96, 80) });
    let many = draw(&Sketch { steps: 40, ..sketch("clouds over hills", 4, 96, 80) });
    assert_eq!(few.as_raw(), many.as_raw());
}

#[test]
fn an_empty_size_gives_an_empty_picture_and_still_reports_progress() {
    let mut count = 0;
    let image = text_to_image(&Sketch { steps: 3, ..sketch("sea", 1, 0, 10) }, &mut |_| count += 1);
    assert_eq!((image.width(), image.height(), count), (0, 10, 3));
}

#[test]
fn a_full_size_picture_renders() {
    let image = draw(&sketch("snowy mountains above a lake at sunrise", 42, 1024, 1024));
    assert_eq!(image.dimensions(), (1024, 1024));
    let corner = image.get_pixel(0, 0);
    assert!(image.pixels().any(|pixel| pixel != corner));
}
