//! The results pipeline's image step for one 1024×1024 PNG: `prepare_generated` whole (decode, preview,
//! thumbnail, perceptual hash, metadata, checksum) and the 256 px thumbnail path alone, side by side
//! with libvips' `vipsthumbnail` making the same thumbnail. Run with
//! `cargo bench --bench results_pipeline --features ssr`.

use atelier::server::imaging::{
    GenerationMetadata, ImageLimits, decode_untrusted, encode_jpeg, prepare_generated, thumbnail,
};
use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::{DynamicImage, Rgb, RgbImage};
use std::hint::black_box;
use std::io::Cursor;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

#[path = "support/timing.rs"]
mod timing;

const RUNS: usize = 30;
const WARM_UP: usize = 3;
/// Each batch thumbnails `RUNS` files in one `vipsthumbnail` process.
const BATCHES: usize = 5;
const SIDE: u32 = 1024;
const LIMITS: ImageLimits = ImageLimits { max_bytes: 64 * 1024 * 1024, max_width: 8192, max_height: 8192 };

/// Times `work` `RUNS` times after a short warm-up, fastest first.
fn timings(work: impl FnMut()) -> Vec<Duration> {
    timings_of(RUNS, work)
}

fn timings_of(runs: usize, mut work: impl FnMut()) -> Vec<Duration> {
    timing::timings(runs, WARM_UP, |_| work())
}

fn report(what: &str, samples: &[Duration]) -> f64 {
    timing::report("results_pipeline", what, samples).median
}

/// Photo-like: smooth colour gradients with a soft vignette and per-pixel noise, which is what makes
/// PNG sizes and decode times realistic (a clean gradient compresses to almost nothing).
fn photo_like(side: u32) -> DynamicImage {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    DynamicImage::ImageRgb8(RgbImage::from_fn(side, side, |x, y| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let noise = (state % 17) as f32 - 8.0;
        let (u, v) = (x as f32 / side as f32, y as f32 / side as f32);
        let vignette = 1.0 - 0.5 * ((u - 0.5).powi(2) + (v - 0.5).powi(2));
        let channel = |base: f32| (base * vignette + noise).clamp(0.0, 255.0) as u8;
        Rgb([channel(60.0 + 170.0 * u), channel(90.0 + 120.0 * v), channel(200.0 - 90.0 * u * v)])
    }))
}

fn metadata() -> GenerationMetadata {
    GenerationMetadata {
        prompt: "snowy mountains above a harbour town at sunset, clouds".to_owned(),
        negative_prompt: Some("blurry".to_owned()),
        model: "fal-ai/flux/dev".to_owned(),
        parameters: serde_json::json!({ "num_inference_steps": 28, "guidance_scale": 3.5 }),
        seed: Some(42),
    }
}

fn resize_with(image: &DynamicImage, filter: FilterType) -> DynamicImage {
    let mut out = DynamicImage::new(256, 256, image.color());
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(filter));
    Resizer::new().resize(image, &mut out, &options).expect("RGB8 resizes");
    out
}

fn run(command: &mut Command) {
    let status = command.stdout(Stdio::null()).stderr(Stdio::inherit()).status().expect("vipsthumbnail runs");
    assert!(status.success(), "{command:?} failed");
}

fn main() {
    let source = photo_like(SIDE);
    let mut png = Cursor::new(Vec::new());
    source.write_to(&mut png, image::ImageFormat::Png).expect("PNG encodes");
    let png = png.into_inner();
    println!("results_pipeline input: {SIDE}x{SIDE} RGB PNG, {} KB", png.len() / 1024);

    let metadata = metadata();
    let prepared = prepare_generated(&png, &LIMITS, &metadata).expect("the PNG is accepted");
    println!(
        "results_pipeline output: preview {}x{} {} KB, thumbnail {}x{} {} KB ({})",
        prepared.preview.width,
        prepared.preview.height,
        prepared.preview.bytes.len() / 1024,
        prepared.thumbnail.width,
        prepared.thumbnail.height,
        prepared.thumbnail.bytes.len() / 1024,
        prepared.thumbnail.mime
    );
    report(
        "prepare_generated 1024x1024 PNG",
        &timings(|| {
            black_box(prepare_generated(black_box(&png), &LIMITS, &metadata).unwrap());
        }),
    );
    let ours = report(
        "thumbnail path (decode + 256 px + JPEG q82)",
        &timings(|| {
            let decoded = decode_untrusted(black_box(&png), &LIMITS).unwrap();
            black_box(encode_jpeg(&thumbnail(&decoded.image, 256), 82).unwrap());
        }),
    );

    // Where the time goes.
    report(
        "  decode alone",
        &timings(|| {
            black_box(decode_untrusted(black_box(&png), &LIMITS).unwrap());
        }),
    );
    report(
        "  1024 px JPEG q82 encode alone",
        &timings(|| {
            black_box(encode_jpeg(black_box(&source), 82).unwrap());
        }),
    );
    for (name, filter) in [("Lanczos3", FilterType::Lanczos3), ("CatmullRom", FilterType::CatmullRom)] {
        report(
            &format!("  resize 1024 -> 256 {name}"),
            &timings(|| {
                black_box(resize_with(black_box(&source), filter));
            }),
        );
    }

    vips_side_by_side(&png, ours);
}

fn vips_side_by_side(png: &[u8], ours: f64) {
    if Command::new("vipsthumbnail").arg("--version").stdout(Stdio::null()).status().is_err() {
        println!(
            "results_pipeline vipsthumbnail: not found; install libvips-tools (apt-get install libvips-tools) to compare"
        );
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let input = dir.path().join("in.png");
    std::fs::write(&input, png).expect("the PNG is written");
    let output = format!("{}[Q=82]", dir.path().join("out.jpg").display());

    let spawned = report(
        "vipsthumbnail in.png -s 256 -o out.jpg[Q=82] (one process per image)",
        &timings(|| run(Command::new("vipsthumbnail").arg(&input).args(["-s", "256", "-o", &output]))),
    );
    report(
        "  vipsthumbnail --version (process start alone)",
        &timings(|| run(Command::new("vipsthumbnail").arg("--version"))),
    );

    // Without the spawn: one process thumbnails RUNS distinct copies (distinct names, so libvips'
    // operation cache cannot answer), and the wall time is divided by RUNS.
    let copies: Vec<_> = (0..RUNS)
        .map(|i| {
            let copy = dir.path().join(format!("copy{i}.png"));
            std::fs::copy(&input, &copy).expect("the PNG is copied");
            copy
        })
        .collect();
    let batch = timings_of(BATCHES, || {
        run(Command::new("vipsthumbnail").args(&copies).args(["-s", "256", "-o", "%s_t.jpg[Q=82]"]))
    });
    let per_image = timing::percentile_ms(&batch, 0.5) / RUNS as f64;
    println!(
        "results_pipeline vipsthumbnail {RUNS} files in one process: {per_image:.1} ms per image (median of {} batches)",
        batch.len()
    );
    println!(
        "results_pipeline thumbnail path vs vipsthumbnail: {ours:.1} ms against {spawned:.1} ms per spawned process, \
         {per_image:.1} ms per image in one process"
    );
    assert!(Path::new(&dir.path().join("copy0_t.jpg")).exists(), "vipsthumbnail wrote its thumbnails");
}
