//! Extending an image (outpainting) through the real router and the real engine: the job makes a child
//! on the grown canvas with the original's pixels untouched; expansions of nothing or too far are
//! refused at their field with nothing queued or held; and an image made at fal.ai is extended by
//! fal's outpainter (the emulator), asked with the `expand_*` fields.
#![cfg(feature = "ssr")]

mod support;

use atelier::api::generate::SubmitGeneration;
use atelier::api::images::{GetImage, IterateImage};
use atelier::server::db::entity::{generation_queue, images, usage_logs, users};
use atelier::types::{ApiError, ImageDetail, ImageView, Job};
use axum::http::StatusCode;
use fal_emulator::{Emulator, EmulatorConfig};
use image::RgbImage;
use leptos::server_fn::ServerFn;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::time::Duration;
use support::client::{Client, signed_up};
use support::engine::{engine, made_by};
use support::studio::{TestResponse, TestStudio};
use uuid::Uuid;

const NO_EMAIL_CHECK: (&str, &str) = ("ATELIER_REQUIRE_VERIFIED_EMAIL", "false");
const OFFLINE_OUTPAINTER: &str = "atelier/sketch/outpaint";
const FAL_OUTPAINTER: &str = "fal-ai/image-apps-v2/outpaint";

fn ok<T: DeserializeOwned>(response: TestResponse) -> T {
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    response.json()
}

fn refusal(response: TestResponse) -> ApiError {
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", response.body);
    response.api_error()
}

/// One image of `side`×`side` from `model_id`, made by the engine for `client`.
async fn generated(studio: &TestStudio, client: &Client<'_>, model_id: &str, parameters: Value) -> images::Model {
    let request =
        json!({ "model_id": model_id, "prompt": "a red lighthouse on a green hill", "parameters": parameters });
    let job: Job = ok(client.post_json(SubmitGeneration::PATH, &json!({ "request": request })).await);
    let mut made = made_by(studio, job.id).await;
    assert_eq!(made.len(), 1);
    made.remove(0)
}

async fn sketched(studio: &TestStudio, client: &Client<'_>) -> images::Model {
    let parameters = json!({ "image_size": { "width": 64, "height": 64 }, "num_images": 1, "seed": 7 });
    generated(studio, client, "atelier/sketch", parameters).await
}

async fn extend(client: &Client<'_>, id: Uuid, outpaint: Value) -> TestResponse {
    let mut iteration = outpaint;
    iteration["kind"] = json!("outpaint");
    client.post_json(IterateImage::PATH, &json!({ "id": id, "iteration": iteration })).await
}

async fn get_image(client: &Client<'_>, id: Uuid) -> ImageDetail {
    ok(client.call(GetImage::PATH, &[("id", &id.to_string())]).await)
}

/// The stored original file of `row`, decoded.
async fn pixels(client: &Client<'_>, row: &images::Model) -> RgbImage {
    let file = client.get_bytes(&ImageView::file_url(row.id, "original")).await;
    image::load_from_memory(&file.body).expect("the stored file decodes").to_rgb8()
}

/// Whether `inner` sits in `outer` unchanged with its top-left corner at (`left`, `top`).
fn placed_unchanged(outer: &RgbImage, inner: &RgbImage, left: u32, top: u32) -> bool {
    inner.enumerate_pixels().all(|(x, y, pixel)| outer.get_pixel(x + left, y + top) == pixel)
}

/// Jobs, usage log rows and the balance of `email`: what a refused request must leave alone.
async fn ledger(studio: &TestStudio, email: &str) -> (u64, u64, i32) {
    let db = &studio.state.db;
    let user = users::Entity::find().filter(users::Column::Email.eq(email)).one(db).await.unwrap().unwrap();
    let jobs = generation_queue::Entity::find().filter(generation_queue::Column::UserId.eq(user.id)).count(db);
    let logs = usage_logs::Entity::find().filter(usage_logs::Column::UserId.eq(user.id)).count(db);
    (jobs.await.unwrap(), logs.await.unwrap(), user.credits_balance)
}

#[tokio::test]
async fn extending_a_sketch_makes_a_child_on_the_grown_canvas_with_the_original_untouched() {
    let studio = TestStudio::start(&[NO_EMAIL_CHECK]).await;
    let engine = engine(&studio);
    let ada = signed_up(&studio, "ada@example.com").await;
    let original = sketched(&studio, &ada).await;

    // To the right and down, guided by the image's own prompt.
    let job: Job = ok(extend(&ada, original.id, json!({ "right": 32, "bottom": 16 })).await);
    assert_eq!((job.model_id.as_str(), job.kind.as_str()), (OFFLINE_OUTPAINTER, "outpaint"));
    assert_eq!((job.parent_image_id, job.prompt.as_str()), (Some(original.id), original.prompt.as_str()));
    assert_eq!(job.parameters["image_url"], json!(ImageView::reference(original.id)));
    let sides = ["expand_left", "expand_right", "expand_top", "expand_bottom"].map(|side| job.parameters[side].clone());
    assert_eq!(sides, [json!(0), json!(32), json!(0), json!(16)]);
    assert_eq!(job.credits_held, 0, "the offline outpainter is free");
    let extended = made_by(&studio, job.id).await;
    assert_eq!(extended.len(), 1);
    let child = &extended[0];
    assert_eq!((child.width, child.height, child.parent_image_id), (96, 80, Some(original.id)));
    assert_eq!(child.model_id.as_deref(), Some(OFFLINE_OUTPAINTER));
    let (before, after) = (pixels(&ada, &original).await, pixels(&ada, child).await);
    assert_eq!(after.dimensions(), (96, 80), "the stored file is the size the row says");
    assert!(placed_unchanged(&after, &before, 0, 0), "the original's pixels are kept at the top left");

    // On every side, with a prompt of its own for the new area.
    let job: Job = ok(extend(
        &ada,
        original.id,
        json!({ "left": 16, "right": 16, "top": 16, "bottom": 16, "prompt": "a stormy sea all around" }),
    )
    .await);
    assert_eq!(job.prompt, "a stormy sea all around");
    let framed = made_by(&studio, job.id).await.remove(0);
    assert_eq!((framed.width, framed.height, framed.parent_image_id), (96, 96, Some(original.id)));
    assert!(placed_unchanged(&pixels(&ada, &framed).await, &before, 16, 16), "the original sits in the middle");

    // The family, as the image page reads it.
    let detail = get_image(&ada, original.id).await;
    let children: Vec<Uuid> = detail.children.iter().map(|image| image.id).collect();
    assert_eq!(children, [child.id, framed.id]);
    let child_detail = get_image(&ada, child.id).await;
    assert_eq!(child_detail.parent.map(|parent| parent.id), Some(original.id));
    assert_eq!((child_detail.image.width, child_detail.image.height), (96, 80));
    engine.stop().await;
}

#[tokio::test]
async fn extending_by_nothing_or_too_far_is_refused_naming_the_side_and_nothing_is_queued_or_held() {
    let studio = TestStudio::start(&[NO_EMAIL_CHECK]).await;
    let engine = engine(&studio);
    let ada = signed_up(&studio, "ada@example.com").await;
    let original = sketched(&studio, &ada).await;
    // A wide upload, near the largest side the studio keeps.
    let mut wide_png = std::io::Cursor::new(Vec::new());
    RgbImage::new(8000, 600).write_to(&mut wide_png, image::ImageFormat::Png).unwrap();
    let upload = ada.upload(ImageView::UPLOAD_PATH, "image", "wide.png", "image/png", wide_png.get_ref()).await;
    assert_eq!(upload.status, StatusCode::CREATED, "{}", upload.body);
    let wide: ImageView = upload.json();
    let before = ledger(&studio, "ada@example.com").await;

    // Past the largest side kept, the larger expansion of the side too long is the one to take back.
    let error = refusal(extend(&ada, wide.id, json!({ "left": 100, "right": 150 })).await);
    assert_eq!(error.field.as_deref(), Some("right"), "{}", error.message);
    assert!(error.message.contains("8250 × 600"), "{}", error.message);

    let error = refusal(extend(&ada, original.id, json!({})).await);
    assert_eq!(error.field.as_deref(), Some("sides"), "{}", error.message);
    assert!(error.message.contains("at least one side"), "{}", error.message);
    let error = refusal(extend(&ada, original.id, json!({ "left": 0, "right": 0, "top": 0, "bottom": 0 })).await);
    assert_eq!(error.field.as_deref(), Some("sides"));
    for (outpaint, side) in [
        (json!({ "right": 701 }), "right"),
        (json!({ "left": 64, "top": 5000 }), "top"),
        (json!({ "bottom": 4_000_000_000_u32 }), "bottom"),
    ] {
        let error = refusal(extend(&ada, original.id, outpaint.clone()).await);
        assert_eq!(error.field.as_deref(), Some(side), "{outpaint}: {}", error.message);
        assert!(error.message.contains("at most 700 pixels"), "{}", error.message);
    }
    assert_eq!(extend(&ada, Uuid::now_v7(), json!({ "right": 64 })).await.status, StatusCode::NOT_FOUND);

    // The model asked for by hand, as the generate page would: the catalogue's own rule, at its field.
    let request = json!({
        "model_id": OFFLINE_OUTPAINTER,
        "prompt": "",
        "parameters": { "image_url": ImageView::reference(original.id), "expand_top": 0 },
    });
    let error = refusal(ada.post_json(SubmitGeneration::PATH, &json!({ "request": request })).await);
    assert_eq!(error.field.as_deref(), Some("expand_left"), "{}", error.message);
    assert!(error.message.contains("must be more than 0"), "{}", error.message);

    assert_eq!(ledger(&studio, "ada@example.com").await, before, "no job, no hold, no usage row");
    engine.stop().await;
}

#[tokio::test]
async fn an_image_made_at_fal_is_extended_by_fals_outpainter_with_the_expand_fields() {
    let emu = Emulator::start(
        EmulatorConfig { key: "outpaint-test-key".to_owned(), step_delay: Duration::ZERO, ..Default::default() },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .expect("the emulator starts");
    let studio = TestStudio::start(&[
        NO_EMAIL_CHECK,
        ("FAL_KEY", emu.key()),
        ("ATELIER_FAL_QUEUE_URL", &emu.queue_url()),
        ("ATELIER_FAL_SYNC_URL", &emu.sync_url()),
        ("ATELIER_FAL_REST_URL", &emu.rest_url()),
        ("ATELIER_FAL_JWKS_URL", &emu.jwks_url()),
    ])
    .await;
    let engine = engine(&studio);
    let ada = signed_up(&studio, "ada@example.com").await;
    let parameters = json!({ "image_size": { "width": 64, "height": 64 }, "num_inference_steps": 1, "num_images": 1 });
    let original = generated(&studio, &ada, "fal-ai/flux/schnell", parameters).await;

    let job: Job = ok(extend(&ada, original.id, json!({ "left": 16, "top": 8, "prompt": "more of the hill" })).await);
    assert_eq!((job.model_id.as_str(), job.kind.as_str()), (FAL_OUTPAINTER, "outpaint"));
    assert!(job.credits_held > 0, "fal's outpainter is paid for");
    let extended = made_by(&studio, job.id).await.remove(0);
    assert_eq!((extended.width, extended.height, extended.parent_image_id), (80, 72, Some(original.id)));
    assert_eq!(extended.model_id.as_deref(), Some(FAL_OUTPAINTER));

    let requests: Value =
        reqwest::get(format!("{}/_emulator/requests", emu.url())).await.unwrap().json().await.unwrap();
    let outpaints: Vec<&Value> =
        requests.as_array().unwrap().iter().filter(|request| request["model"] == json!(FAL_OUTPAINTER)).collect();
    assert_eq!(outpaints.len(), 1, "one request to fal's outpainter: {requests}");
    let input = &outpaints[0]["input"];
    let sides = ["expand_left", "expand_right", "expand_top", "expand_bottom"].map(|side| input[side].clone());
    assert_eq!(sides, [json!(16), json!(0), json!(8), json!(0)], "{input}");
    assert_eq!(input["zoom_out_percentage"], json!(0.0), "fal's default zoom-out would shrink the original");
    assert_eq!(input["prompt"], json!("more of the hill"));
    let image_url = input["image_url"].as_str().unwrap_or_default();
    assert!(image_url.starts_with("data:image/jpeg;base64,"), "the image's own file, inline: {input}");
    assert_eq!(outpaints[0]["status"], json!("COMPLETED"));

    // Paid per megapixel of what it makes: a 1000×1000 image grown by 500 is 1.5 megapixels, billed
    // as 2 started megapixels × 4 credits.
    let parameters =
        json!({ "image_size": { "width": 1000, "height": 1000 }, "num_inference_steps": 1, "num_images": 1 });
    let large = generated(&studio, &ada, "fal-ai/flux/schnell", parameters).await;
    let job: Job = ok(extend(&ada, large.id, json!({ "right": 500 })).await);
    assert_eq!(job.credits_held, 8, "the grown canvas is what is billed");
    let wider = made_by(&studio, job.id).await.remove(0);
    assert_eq!((wider.width, wider.height, wider.cost_credits), (1500, 1000, 8));
    engine.stop().await;
}
