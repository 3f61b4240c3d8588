//! Running catalogue models offline: the operation follows the capabilities, parameters are read
//! with their defaults, and progress spans every image.

use atelier_catalogue::{
    Capability, Category, Cost, CostUnit, ModelSpec, OutputShape, ParamKind, ParamSpec, ProviderKind,
};
use atelier_renderer::{
    Expansion, Inputs, MAX_SIDE, RenderError, Rendered, Sketch, Step, image_to_image, outpaint, run, text_to_image,
};
use image::{ColorType, DynamicImage, GrayImage, Luma, Rgb, RgbImage};
use serde_json::{Map, Value, json};

fn model(capabilities: &[Capability]) -> ModelSpec {
    ModelSpec {
        id: "atelier/sketch".into(),
        name: "Atelier Sketch".into(),
        description: "An offline procedural preview".into(),
        category: Category::TextToImage,
        provider: ProviderKind::Offline,
        capabilities: capabilities.to_vec(),
        cost: Cost { credits: 0, per: CostUnit::Image },
        speed: 5,
        quality: 1,
        featured: false,
        recommended: Default::default(),
        docs_url: None,
        output: OutputShape::Images,
        params: vec![ParamSpec {
            name: "image_size".into(),
            label: "Image size".into(),
            kind: ParamKind::ImageSize { default: "square".into(), max_side: 2048 },
            required: false,
            advanced: false,
            help: None,
        }],
        at_least_one_above_zero: Vec::new(),
    }
}

fn params(value: Value) -> Map<String, Value> {
    value.as_object().cloned().expect("an object")
}

fn photo(width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| Rgb([x as u8, y as u8, 90])))
}

fn run_quietly(spec: &ModelSpec, given: Value, inputs: &Inputs) -> Result<Rendered, RenderError> {
    run(spec, &params(given), inputs, &mut |_| {})
}

#[test]
fn text_to_image_uses_the_size_and_seed_asked_for() {
    let spec = model(&[Capability::TextToImage]);
    let given =
        json!({"prompt": "a harbour", "image_size": {"width": 96, "height": 64}, "seed": 5, "num_inference_steps": 3});
    let rendered = run_quietly(&spec, given, &Inputs::default()).expect("rendered");
    assert_eq!(rendered.seed, 5);
    assert_eq!(rendered.images.len(), 1);
    let sketch = Sketch { prompt: "a harbour", negative_prompt: "", width: 96, height: 64, seed: 5, steps: 3 };
    assert_eq!(rendered.images[0].to_rgb8().as_raw(), text_to_image(&sketch, &mut |_| {}).as_raw());
}

#[test]
fn several_images_use_consecutive_seeds_and_share_one_progress_count() {
    let spec = model(&[Capability::TextToImage]);
    let given = params(
        json!({"prompt": "dunes", "width": 48, "height": 32, "seed": 10, "num_images": 3, "num_inference_steps": 4}),
    );
    let mut reported = Vec::new();
    let rendered = run(&spec, &given, &Inputs::default(), &mut |step| reported.push(step)).expect("rendered");
    assert_eq!(rendered.seed, 10);
    assert_eq!(reported, (1..=12).map(|step| Step { step, total: 12 }).collect::<Vec<_>>());
    for (index, image) in rendered.images.iter().enumerate() {
        let sketch =
            Sketch { prompt: "dunes", negative_prompt: "", width: 48, height: 32, seed: 10 + index as u64, steps: 4 };
        assert_eq!(image.to_rgb8().as_raw(), text_to_image(&sketch, &mut |_| {}).as_raw(), "image {index}");
    }
    assert_ne!(rendered.images[0].to_rgb8().as_raw(), rendered.images[1].to_rgb8().as_raw());
}

#[test]
fn the_default_is_twelve_steps_and_one_image() {
    let spec = model(&[Capability::TextToImage]);
    let mut reported = Vec::new();
    let given = params(json!({"prompt": "sea", "image_size": {"width": 16, "height": 16}}));
    let rendered = run(&spec, &given, &Inputs::default(), &mut |step| reported.push(step)).expect("rendered");
    assert_eq!(rendered.images.len(), 1);
    assert_eq!(reported.last(), Some(&Step { step: 12, total: 12 }));
    assert_eq!(reported.len(), 12);
}

#[test]
fn without_a_seed_one_is_picked_within_falls_range() {
    let spec = model(&[Capability::TextToImage]);
    let rendered =
        run_quietly(&spec, json!({"image_size": {"width": 8, "height": 8}}), &Inputs::default()).expect("rendered");
    assert!(rendered.seed <= u64::from(u32::MAX));
}

#[test]
fn sizes_come_from_presets_aspect_ratios_or_the_models_default() {
    let spec = model(&[Capability::TextToImage]);
    let size = |given: Value| {
        let rendered = run_quietly(&spec, given, &Inputs::default()).expect("rendered");
        (rendered.images[0].width(), rendered.images[0].height())
    };
    assert_eq!(size(json!({"image_size": "landscape_16_9", "num_inference_steps": 1})), (1024, 576));
    assert_eq!(size(json!({"aspect_ratio": "21:9", "num_inference_steps": 1})), (1568, 672));
    assert_eq!(size(json!({"num_inference_steps": 1})), (512, 512));
}

#[test]
fn sizes_beyond_the_models_limit_are_refused() {
    let spec = model(&[Capability::TextToImage]);
    let given = json!({"image_size": {"width": 4096, "height": 64}});
    assert!(matches!(run_quietly(&spec, given, &Inputs::default()), Err(RenderError::TooLarge { max: 2048, .. })));
}

#[test]
fn bad_parameters_are_refused_by_name() {
    let spec = model(&[Capability::TextToImage]);
    let refusal = |given: Value| run_quietly(&spec, given, &Inputs::default()).err().map(|error| error.to_string());
    assert_eq!(refusal(json!({"num_images": 5})), Some("num_images must be between 1 and 4".into()));
    assert_eq!(
        refusal(json!({"num_inference_steps": 0})),
        Some("num_inference_steps must be between 1 and 100".into())
    );
    assert_eq!(refusal(json!({"prompt": 12})), Some("prompt must be text".into()));
    assert_eq!(refusal(json!({"seed": -3})), Some("seed must be a whole number of 0 or more".into()));
}

#[test]
fn image_to_image_works_at_the_sources_size_with_its_default_strength() {
    let spec = model(&[Capability::ImageToImage]);
    let inputs = Inputs { image: Some(photo(40, 30)), mask: None };
    let given = json!({"prompt": "storm", "seed": 3, "num_inference_steps": 2, "image_size": "square_hd"});
    let rendered = run_quietly(&spec, given, &inputs).expect("rendered");
    let sketch = Sketch { prompt: "storm", negative_prompt: "", width: 1, height: 1, seed: 3, steps: 2 };
    let expected = image_to_image(&sketch, &photo(40, 30), 0.95, &mut |_| {});
    assert_eq!(rendered.images[0].to_rgb8().as_raw(), expected.as_raw());
}

#[test]
fn a_missing_input_image_is_named() {
    for capability in [
        Capability::ImageToImage,
        Capability::Upscale,
        Capability::BackgroundRemoval,
        Capability::Inpainting,
        Capability::Outpainting,
    ] {
        assert_eq!(
            run_quietly(&model(&[capability]), json!({}), &Inputs::default()).err(),
            Some(RenderError::Invalid("image_url is required".into())),
            "{capability:?}"
        );
    }
    let mask_only = Inputs { image: None, mask: Some(photo(4, 4)) };
    assert_eq!(
        run_quietly(&model(&[Capability::Inpainting]), json!({}), &mask_only).err(),
        Some(RenderError::Invalid("image_url is required".into()))
    );
    let image_only = Inputs { image: Some(photo(4, 4)), mask: None };
    assert_eq!(
        run_quietly(&model(&[Capability::Inpainting]), json!({}), &image_only).err(),
        Some(RenderError::Invalid("mask_url is required".into()))
    );
}

#[test]
fn a_model_that_also_works_from_text_ignores_missing_images() {
    let spec = model(&[Capability::TextToImage, Capability::ImageToImage, Capability::Inpainting]);
    let given = json!({"image_size": {"width": 20, "height": 10}, "num_inference_steps": 1});
    let rendered = run_quietly(&spec, given.clone(), &Inputs::default()).expect("text to image");
    assert_eq!(rendered.images[0].width(), 20);
    let with_image = Inputs { image: Some(photo(30, 30)), mask: None };
    assert_eq!(run_quietly(&spec, given, &with_image).expect("image to image").images[0].width(), 30);
}

#[test]
fn inpainting_keeps_what_the_mask_leaves_dark() {
    let spec = model(&[Capability::Inpainting]);
    let mask = DynamicImage::ImageLuma8(GrayImage::from_fn(32, 32, |_, y| Luma([if y < 16 { 255 } else { 0 }])));
    let inputs = Inputs { image: Some(photo(32, 32)), mask: Some(mask) };
    let rendered = run_quietly(&spec, json!({"prompt": "moon", "seed": 1}), &inputs).expect("rendered");
    let output = rendered.images[0].to_rgb8();
    let source = photo(32, 32).to_rgb8();
    assert!((16..32).all(|y| (0..32).all(|x| output.get_pixel(x, y) == source.get_pixel(x, y))));
    assert!((0..16).any(|y| (0..32).any(|x| output.get_pixel(x, y) != source.get_pixel(x, y))));
}

#[test]
fn outpainting_grows_the_canvas_by_its_expansions_for_every_image() {
    let spec = model(&[Capability::Outpainting]);
    let inputs = Inputs { image: Some(photo(40, 30)), mask: None };
    let given = json!({
        "prompt": "cliffs", "seed": 8, "num_images": 2, "num_inference_steps": 2,
        "expand_left": 8, "expand_right": 0, "expand_top": 0.0, "expand_bottom": "6",
    });
    let mut reported = Vec::new();
    let rendered = run(&spec, &params(given), &inputs, &mut |step| reported.push(step)).expect("outpainted");
    assert_eq!(reported.last(), Some(&Step { step: 4, total: 4 }));
    let expansion = Expansion { left: 8, right: 0, top: 0, bottom: 6 };
    for (index, image) in rendered.images.iter().enumerate() {
        assert_eq!((image.width(), image.height()), (48, 36));
        let sketch =
            Sketch { prompt: "cliffs", negative_prompt: "", width: 1, height: 1, seed: 8 + index as u64, steps: 2 };
        let expected = outpaint(&sketch, &photo(40, 30), expansion, &mut |_| {}).unwrap();
        assert_eq!(image.to_rgb8().as_raw(), expected.as_raw(), "image {index}");
    }
}

#[test]
fn outpainting_refuses_nothing_to_add_and_a_canvas_beyond_the_limit_before_drawing() {
    let spec = model(&[Capability::Outpainting]);
    let inputs = Inputs { image: Some(photo(40, 30)), mask: None };
    let mut reported = 0;
    let mut refusal = |given: Value| run(&spec, &params(given), &inputs, &mut |_| reported += 1).err();
    assert_eq!(
        refusal(json!({"expand_left": 0})),
        Some(RenderError::Invalid("expand_left, expand_right, expand_top or expand_bottom must be more than 0".into()))
    );
    // An empty image zoomed out is refused as empty, not shrunk.
    let empty = Inputs { image: Some(DynamicImage::ImageRgb8(image::RgbImage::new(0, 0))), mask: None };
    assert_eq!(
        run(&spec, &params(json!({"expand_left": 8, "zoom_out_percentage": 20})), &empty, &mut |_| {}).err(),
        Some(RenderError::Invalid("the image to extend is empty".into()))
    );
    assert_eq!(
        refusal(json!({"expand_top": MAX_SIDE})),
        Some(RenderError::TooLarge { width: 40, height: MAX_SIDE + 30, max: MAX_SIDE })
    );
    assert_eq!(
        refusal(json!({"expand_left": MAX_SIDE + 1})),
        Some(RenderError::Invalid(format!("expand_left must be between 0 and {MAX_SIDE}")))
    );
    assert_eq!(reported, 0, "nothing was drawn");
}

#[test]
fn zooming_out_shrinks_the_source_inside_its_own_frame_before_extending() {
    let spec = model(&[Capability::Outpainting]);
    let flat = DynamicImage::ImageRgb8(RgbImage::from_pixel(40, 40, Rgb([200, 30, 30])));
    let inputs = Inputs { image: Some(flat), mask: None };
    let given = json!({"seed": 2, "num_inference_steps": 1, "zoom_out_percentage": 50, "expand_right": 10});
    let output = run_quietly(&spec, given, &inputs).expect("zoomed out").images.remove(0).to_rgb8();
    assert_eq!(output.dimensions(), (50, 40), "the frame keeps the source's size, plus the expansion");
    // The shrunk source sits in the middle of its old frame (10..30), its colour kept.
    assert_eq!(*output.get_pixel(20, 20), Rgb([200, 30, 30]));
    assert_ne!(*output.get_pixel(0, 0), Rgb([200, 30, 30]), "the margin around it is filled");
    assert!(run_quietly(&spec, json!({"zoom_out_percentage": 20}), &inputs).is_ok(), "zooming out alone is enough");
    assert_eq!(
        run_quietly(&spec, json!({"zoom_out_percentage": 95}), &inputs).err(),
        Some(RenderError::Invalid("zoom_out_percentage must be a number between 0 and 90".into()))
    );
}

#[test]
fn upscaling_comes_first_and_reads_its_factor() {
    let spec = model(&[Capability::Upscale, Capability::TextToImage]);
    let inputs = Inputs { image: Some(photo(10, 6)), mask: None };
    let mut reported = Vec::new();
    let rendered =
        run(&spec, &params(json!({"upscale_factor": 4})), &inputs, &mut |step| reported.push(step)).expect("upscaled");
    assert_eq!((rendered.images[0].width(), rendered.images[0].height()), (40, 24));
    assert_eq!(reported, [Step { step: 1, total: 1 }]);
    let doubled = run_quietly(&spec, json!({}), &inputs).expect("upscaled");
    assert_eq!(doubled.images[0].width(), 20, "the default factor is 2");
    assert_eq!(
        run_quietly(&spec, json!({"upscale_factor": 3}), &inputs).err(),
        Some(RenderError::Invalid("the upscale factor must be 2, 4 or 8, not 3".into()))
    );
}

#[test]
fn background_removal_returns_a_transparent_png_ready_image() {
    let spec = model(&[Capability::BackgroundRemoval]);
    let square = DynamicImage::ImageRgb8(RgbImage::from_fn(40, 40, |x, y| {
        if (10..30).contains(&x) && (10..30).contains(&y) { Rgb([0, 0, 0]) } else { Rgb([250, 250, 250]) }
    }));
    let rendered = run_quietly(&spec, json!({}), &Inputs { image: Some(square), mask: None }).expect("cut out");
    assert_eq!(rendered.images[0].color(), ColorType::Rgba8);
    let output = rendered.images[0].to_rgba8();
    assert_eq!((output.get_pixel(0, 0)[3], output.get_pixel(20, 20)[3]), (0, 255));
}

#[test]
fn a_model_without_an_offline_capability_is_refused() {
    let refusal = run_quietly(&model(&[Capability::Lora]), json!({}), &Inputs::default()).err();
    assert!(
        matches!(refusal, Some(RenderError::Invalid(message)) if message.starts_with("Atelier Sketch cannot run offline"))
    );
}
