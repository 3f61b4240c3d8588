//! fal.run: synchronous runs.

mod common;

use base64::Engine;
use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn run_sync(harness: &Harness, model: &str, input: &Value) -> (StatusCode, Value) {
    let response = harness
        .http
        .post(format!("{}/{model}", harness.emulator.sync_url()))
        .header("authorization", harness.auth())
        .json(input)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn a_sync_run_answers_the_output_with_cdn_urls() {
    let harness = start().await;
    let (code, output) = run_sync(&harness, FLUX_DEV, &small_input("sync")).await;
    assert_eq!(code, StatusCode::OK);
    let url = output["images"][0]["url"].as_str().unwrap();
    assert!(url.starts_with(&format!("{}/files/", harness.emulator.url())), "{url}");
    let (_, image) = harness.fetch_image(url).await;
    assert_eq!(image.width(), 64);
    assert_eq!(harness.stats().await["sync"], 1);
    assert_eq!(harness.requests().await[0]["via"], "sync");
}

#[tokio::test]
async fn sync_mode_inlines_the_images_as_data_uris() {
    let harness = start().await;
    let mut input = small_input("inline");
    input["sync_mode"] = json!(true);
    let (code, output) = run_sync(&harness, SCHNELL, &input).await;
    assert_eq!(code, StatusCode::OK);
    let url = output["images"][0]["url"].as_str().unwrap();
    let payload = url.strip_prefix("data:image/png;base64,").expect("a PNG data URI");
    let bytes = base64::engine::general_purpose::STANDARD.decode(payload).unwrap();
    let image = image::load_from_memory(&bytes).unwrap();
    assert_eq!((image.width(), image.height()), (64, 64));
}

#[tokio::test]
async fn sync_mode_on_the_queue_inlines_the_result_images_too() {
    let harness = start().await;
    let mut input = small_input("inline queued");
    input["sync_mode"] = json!(true);
    let submitted = harness.submit(SCHNELL, &input, &[]).await;
    harness.wait_completed(&submitted).await;
    let (_, output) = harness.result(&submitted).await;
    assert!(output["images"][0]["url"].as_str().unwrap().starts_with("data:image/png;base64,"));
}

#[tokio::test]
async fn an_invalid_sync_input_is_answered_with_422_detail() {
    let harness = start().await;
    let mut input = small_input("bad size");
    input["num_images"] = json!(9);
    let (code, body) = run_sync(&harness, FLUX_DEV, &input).await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["detail"][0]["loc"], json!(["body", "num_images"]));
}

#[tokio::test]
async fn a_sync_run_of_an_unknown_model_is_not_found() {
    let harness = start().await;
    let (code, body) = run_sync(&harness, "fal-ai/unknown", &small_input("x")).await;
    assert_eq!(code, StatusCode::NOT_FOUND);
    assert!(body["detail"].as_str().unwrap().contains("not found"));
}
