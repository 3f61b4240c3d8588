//! Storage uploads and image inputs (uploaded files, data URIs, unreachable URLs).

mod common;

use base64::Engine;
use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn upload(harness: &Harness, bytes: Vec<u8>, content_type: &str, file_name: &str) -> Value {
    let initiate = harness
        .http
        .post(format!("{}/storage/upload/initiate?storage_type=fal-cdn-v3", harness.emulator.rest_url()))
        .header("authorization", harness.auth())
        .json(&json!({ "content_type": content_type, "file_name": file_name }))
        .send()
        .await
        .unwrap();
    assert_eq!(initiate.status(), StatusCode::OK);
    let urls: Value = initiate.json().await.unwrap();
    let put = harness
        .http
        .put(urls["upload_url"].as_str().unwrap())
        .header("content-type", content_type)
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), StatusCode::OK);
    urls
}

#[tokio::test]
async fn an_uploaded_file_is_served_at_its_file_url() {
    let harness = start().await;
    let urls = upload(&harness, b"hello".to_vec(), "text/plain", "note.txt").await;
    let file_url = urls["file_url"].as_str().unwrap();
    assert!(file_url.starts_with(&format!("{}/files/", harness.emulator.url())) && file_url.ends_with(".txt"));
    let response = harness.http.get(file_url).send().await.unwrap();
    assert_eq!(response.headers()["content-type"], "text/plain");
    assert_eq!(response.bytes().await.unwrap().as_ref(), b"hello");

    let again = harness.http.put(urls["upload_url"].as_str().unwrap()).body("twice").send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_FOUND, "an upload URL works once");
    let stats = harness.stats().await;
    assert_eq!((stats["upload"].as_u64(), stats["upload_put"].as_u64()), (Some(1), Some(2)));
}

#[tokio::test]
async fn an_uploaded_image_can_be_upscaled_through_its_file_url() {
    let harness = start().await;
    let urls = upload(&harness, png_bytes(32, 24), "image/png", "small.png").await;
    let input = json!({ "image_url": urls["file_url"], "upscale_factor": 2 });
    let submitted = harness.submit(UPSCALER, &input, &[]).await;
    let status = harness.wait_completed(&submitted).await;
    assert!(status.get("error").is_none(), "{status}");
    let (code, output) = harness.result(&submitted).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!((output["image"]["width"].as_u64(), output["image"]["height"].as_u64()), (Some(64), Some(48)));
    let (_, image) = harness.fetch_image(output["image"]["url"].as_str().unwrap()).await;
    assert_eq!((image.width(), image.height()), (64, 48));
    assert!(output["timings"].is_object());
}

#[tokio::test]
async fn a_data_uri_image_is_accepted_as_input() {
    let harness = start().await;
    let data_uri =
        format!("data:image/png;base64,{}", base64::engine::general_purpose::STANDARD.encode(png_bytes(20, 20)));
    let submitted = harness.submit("fal-ai/imageutils/rembg", &json!({ "image_url": data_uri }), &[]).await;
    harness.wait_completed(&submitted).await;
    let (code, output) = harness.result(&submitted).await;
    assert_eq!(code, StatusCode::OK, "{output}");
    assert_eq!(output["image"]["width"], 20);
}

#[tokio::test]
async fn an_image_url_that_cannot_be_fetched_is_a_422_at_that_field() {
    let harness = start().await;
    let missing = format!("{}/files/{}.png", harness.emulator.url(), uuid::Uuid::new_v4());
    for image_url in [missing.as_str(), "data:image/png;base64,bm90IGFuIGltYWdl"] {
        let submitted = harness.submit(UPSCALER, &json!({ "image_url": image_url }), &[]).await;
        harness.wait_completed(&submitted).await;
        let (code, body) = harness.result(&submitted).await;
        assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{image_url}");
        assert_eq!(body["detail"][0]["loc"], json!(["body", "image_url"]));
        assert!(!body["detail"][0]["msg"].as_str().unwrap().is_empty());
    }
}

#[tokio::test]
async fn an_unknown_file_is_not_found() {
    let harness = start().await;
    let response = harness.http.get(harness.url("/files/nothing.png")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
