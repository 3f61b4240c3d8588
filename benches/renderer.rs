//! The offline renderer's speed: text-to-image at 1024×1024 in 12 steps (median and 95th percentile),
//! a 4× upscale of a 512×512 image and background removal on a 1024×1024 image. Run with
//! `cargo bench --bench renderer --features ssr`.

use atelier_renderer::{Sketch, remove_background, text_to_image, upscale};
use image::{DynamicImage, Rgb, RgbImage};
use std::hint::black_box;
use std::time::Duration;

#[path = "support/timing.rs"]
mod timing;

const RUNS: usize = 30;
const WARM_UP: usize = 3;
const OTHER_RUNS: usize = 10;

fn sketch(seed: u64, width: u32, height: u32) -> Sketch<'static> {
    Sketch {
        prompt: "snowy mountains above a harbour town at sunset, clouds",
        negative_prompt: "",
        width,
        height,
        seed,
        steps: 12,
    }
}

fn timings(runs: usize, work: impl FnMut(usize)) -> Vec<Duration> {
    timing::timings(runs, WARM_UP, work)
}

fn report(what: &str, samples: &[Duration]) {
    timing::report("renderer", what, samples);
}

/// A subject on a slightly noisy studio backdrop, as a product photo would be.
fn product_photo(side: u32) -> DynamicImage {
    let centre = side as f32 / 2.0;
    DynamicImage::ImageRgb8(RgbImage::from_fn(side, side, |x, y| {
        let (dx, dy) = (x as f32 - centre, y as f32 - centre * 1.1);
        if (dx * dx / 1.4 + dy * dy).sqrt() < side as f32 * 0.3 {
            Rgb([(120 + x % 90) as u8, 40, (200 - y % 120) as u8])
        } else {
            let noise = ((x * 7 + y * 13) % 9) as u8;
            Rgb([244 - noise, 242 - noise, 238 - noise])
        }
    }))
}

fn main() {
    let samples = timings(RUNS, |run| {
        black_box(text_to_image(&sketch(run as u64, 1024, 1024), &mut |step| {
            black_box(step);
        }));
    });
    report("text_to_image 1024x1024 (12 steps)", &samples);

    let source = DynamicImage::ImageRgb8(text_to_image(&sketch(1, 512, 512), &mut |_| {}));
    let samples = timings(OTHER_RUNS, |_| {
        let upscaled = upscale(&source, 4).expect("a 2048×2048 result is allowed");
        assert_eq!(upscaled.width(), 2048);
        black_box(upscaled);
    });
    report("upscale 4x 512x512 -> 2048x2048", &samples);

    let photo = product_photo(1024);
    let samples = timings(OTHER_RUNS, |_| {
        black_box(remove_background(&photo));
    });
    report("remove_background 1024x1024", &samples);
}
