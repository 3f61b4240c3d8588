//! Cancel: each documented outcome.

mod common;

use common::*;
use fal_emulator::EmulatorConfig;
use reqwest::StatusCode;
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test]
async fn cancelling_a_queued_request_removes_it_from_the_queue() {
    let harness = start_with(EmulatorConfig { runners: 1, ..EmulatorConfig::default() }).await;
    let running =
        harness.submit(SCHNELL, &small_input("running"), &[("x-fal-emulator-fault", "slow_run;delay_ms=600")]).await;
    let queued = harness.submit(SCHNELL, &small_input("queued"), &[]).await;
    let behind = harness.submit(SCHNELL, &small_input("behind"), &[]).await;
    assert_eq!(harness.status(&behind).await.1["queue_position"], 1);

    let (code, body) = harness.put(queued["cancel_url"].as_str().unwrap()).await;
    assert_eq!((code, body), (StatusCode::ACCEPTED, json!({ "status": "CANCELLATION_REQUESTED" })));

    let (code, status) = harness.status(&queued).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(status["status"], "COMPLETED");
    assert_eq!(status["error"], "Request was cancelled");
    assert_eq!(status["error_type"], "request_cancelled");
    assert_eq!(harness.status(&behind).await.1["queue_position"], 0, "the queue closed up");
    let (code, body) = harness.result(&queued).await;
    assert_eq!((code, body), (StatusCode::BAD_REQUEST, json!({ "detail": "Request was cancelled" })));

    harness.wait_completed(&behind).await;
    harness.wait_completed(&running).await;
    let listed = harness.request(&queued["request_id"]).await;
    assert_eq!(listed["cancelled"], true);
    let logs = harness.status(&queued).await.1["logs"].clone();
    assert!(
        logs.as_array().unwrap().iter().all(|log| !log["message"].as_str().unwrap().starts_with("Loading")),
        "it never ran"
    );
}

#[tokio::test]
async fn cancelling_a_running_request_stops_it_at_its_next_step() {
    let config = EmulatorConfig { step_delay: Duration::from_millis(100), ..EmulatorConfig::default() };
    let harness = start_with(config).await;
    let mut input = small_input("long render");
    input["num_inference_steps"] = json!(40);
    let submitted = harness.submit(FLUX_DEV, &input, &[]).await;
    harness.wait_for_status(&submitted, "IN_PROGRESS").await;

    let cancelled_at = Instant::now();
    let (code, body) = harness.put(submitted["cancel_url"].as_str().unwrap()).await;
    assert_eq!((code, body), (StatusCode::ACCEPTED, json!({ "status": "CANCELLATION_REQUESTED" })));
    let status = harness.wait_completed(&submitted).await;
    assert!(cancelled_at.elapsed() < Duration::from_secs(1), "stopped long before its 4 s render");
    assert_eq!(status["error_type"], "request_cancelled");
    assert_eq!(harness.result(&submitted).await.0, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn cancelling_a_completed_request_says_already_completed() {
    let harness = start().await;
    let submitted = harness.submit(SCHNELL, &small_input("done"), &[]).await;
    harness.wait_completed(&submitted).await;
    let (code, body) = harness.put(submitted["cancel_url"].as_str().unwrap()).await;
    assert_eq!((code, body), (StatusCode::BAD_REQUEST, json!({ "status": "ALREADY_COMPLETED" })));
    assert_eq!(harness.result(&submitted).await.0, StatusCode::OK, "the result is untouched");
}

#[tokio::test]
async fn cancelling_an_unknown_request_says_not_found() {
    let harness = start().await;
    let url = format!("{}/fal-ai/flux/requests/{}/cancel", harness.emulator.queue_url(), uuid::Uuid::new_v4());
    let (code, body) = harness.put(&url).await;
    assert_eq!((code, body), (StatusCode::NOT_FOUND, json!({ "status": "NOT_FOUND" })));
}

#[tokio::test]
async fn cancel_answers_on_the_full_model_path_too() {
    let harness = start().await;
    let submitted =
        harness.submit(SCHNELL, &small_input("x"), &[("x-fal-emulator-fault", "slow_queue;delay_ms=2000")]).await;
    let url = format!(
        "{}/{SCHNELL}/requests/{}/cancel",
        harness.emulator.queue_url(),
        submitted["request_id"].as_str().unwrap()
    );
    assert_eq!(harness.put(&url).await.0, StatusCode::ACCEPTED);
    assert_eq!(harness.status(&submitted).await.1["error_type"], "request_cancelled");
    assert_eq!(harness.stats().await["cancel"], 1);
}
