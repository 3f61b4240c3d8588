//! The queue API: submit, status, result, both path forms, auth, unknown models, validation, positions.

mod common;

use common::*;
use fal_emulator::EmulatorConfig;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

#[tokio::test]
async fn a_submitted_request_completes_with_metrics_logs_and_a_fetchable_png() {
    let harness = start().await;
    let submitted = harness.submit(FLUX_DEV, &small_input("a lighthouse at dusk"), &[]).await;

    assert_eq!(submitted["status"], "IN_QUEUE");
    assert_eq!(submitted["queue_position"], 0);
    let request_id = submitted["request_id"].as_str().unwrap();
    assert!(uuid::Uuid::parse_str(request_id).is_ok());
    assert!(submitted["gateway_request_id"].is_string());
    let base = format!("{}/fal-ai/flux/requests/{request_id}", harness.emulator.queue_url());
    assert_eq!(submitted["response_url"], base);
    assert_eq!(submitted["status_url"], format!("{base}/status"));
    assert_eq!(submitted["cancel_url"], format!("{base}/cancel"));

    let (code, status) = harness.status(&submitted).await;
    if status["status"] == "COMPLETED" {
        assert_eq!(code, StatusCode::OK);
    } else {
        assert_eq!(code, StatusCode::ACCEPTED);
    }

    let completed = harness.wait_completed(&submitted).await;
    let (code, _) = harness.status(&submitted).await;
    assert_eq!(code, StatusCode::OK);
    assert!(completed["metrics"]["inference_time"].as_f64().unwrap() >= 0.0);
    assert!(completed.get("queue_position").is_none());
    assert!(completed.get("error").is_none());
    let logs: Vec<&str> =
        completed["logs"].as_array().unwrap().iter().map(|log| log["message"].as_str().unwrap()).collect();
    assert!(logs.iter().any(|message| message.starts_with("Loading model")), "{logs:?}");
    assert!(completed["logs"][0]["source"] == "USER" && completed["logs"][0]["timestamp"].is_string());

    let response = harness
        .http
        .get(submitted["response_url"].as_str().unwrap())
        .header("authorization", harness.auth())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-fal-request-id"], request_id);
    let output: Value = response.json().await.unwrap();
    assert_eq!(output["prompt"], "a lighthouse at dusk");
    assert_eq!(output["has_nsfw_concepts"], json!([false]));
    assert!(output["seed"].is_u64());
    assert!(output["timings"]["inference"].is_number());
    let image = &output["images"][0];
    assert_eq!((image["width"].as_u64(), image["height"].as_u64()), (Some(64), Some(64)));
    assert_eq!(image["content_type"], "image/png");
    let (content_type, decoded) = harness.fetch_image(image["url"].as_str().unwrap()).await;
    assert_eq!(content_type, "image/png");
    assert_eq!((decoded.width(), decoded.height()), (64, 64));
}

#[tokio::test]
async fn jpeg_output_format_serves_a_jpeg_file() {
    let harness = start().await;
    let mut input = small_input("jpeg please");
    input["output_format"] = json!("jpeg");
    input["num_images"] = json!(2);
    let submitted = harness.submit(SCHNELL, &input, &[]).await;
    harness.wait_completed(&submitted).await;
    let (_, output) = harness.result(&submitted).await;
    assert_eq!(output["images"].as_array().unwrap().len(), 2);
    let url = output["images"][1]["url"].as_str().unwrap();
    assert!(url.ends_with(".jpg"), "{url}");
    let (content_type, decoded) = harness.fetch_image(url).await;
    assert_eq!(content_type, "image/jpeg");
    assert_eq!(decoded.width(), 64);
}

#[tokio::test]
async fn status_and_result_answer_on_the_full_model_path_too() {
    let harness = start().await;
    let submitted = harness.submit(FLUX_DEV, &small_input("both forms"), &[]).await;
    harness.wait_completed(&submitted).await;
    let request_id = submitted["request_id"].as_str().unwrap();
    let full = format!("{}/fal-ai/flux/dev/requests/{request_id}", harness.emulator.queue_url());

    let (code, status) = harness.get(&format!("{full}/status?logs=true")).await;
    assert_eq!((code, status["status"].as_str()), (StatusCode::OK, Some("COMPLETED")));
    assert!(status["logs"].is_array());
    let (code, output) = harness.get(&full).await;
    assert_eq!(code, StatusCode::OK);
    assert!(output["images"].is_array());

    let other_model = format!("{}/fal-ai/flux-pro/requests/{request_id}/status", harness.emulator.queue_url());
    assert_eq!(harness.get(&other_model).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn logs_are_left_out_unless_asked_for() {
    let harness = start().await;
    let submitted = harness.submit(SCHNELL, &small_input("quiet"), &[]).await;
    harness.wait_completed(&submitted).await;
    for query in ["", "?logs=0", "?logs=false"] {
        let (_, status) = harness.get(&format!("{}{query}", submitted["status_url"].as_str().unwrap())).await;
        assert!(status.get("logs").is_none(), "{query}: {status}");
    }
}

#[tokio::test]
async fn a_missing_or_wrong_key_is_refused_with_401() {
    let harness = start().await;
    let url = format!("{}/{FLUX_DEV}", harness.emulator.queue_url());
    let missing = harness.http.post(&url).json(&small_input("x")).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);
    assert!(missing.json::<Value>().await.unwrap()["detail"].is_string());
    for header in ["Key wrong", "Bearer emulator-key", "emulator-key"] {
        let response =
            harness.http.post(&url).header("authorization", header).json(&small_input("x")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{header}");
    }
    let sync = harness.http.post(format!("{}/{FLUX_DEV}", harness.emulator.sync_url())).send().await.unwrap();
    assert_eq!(sync.status(), StatusCode::UNAUTHORIZED);
    let upload =
        harness.http.post(format!("{}/storage/upload/initiate", harness.emulator.rest_url())).send().await.unwrap();
    assert_eq!(upload.status(), StatusCode::UNAUTHORIZED);
    assert!(harness.requests().await.is_empty());
}

#[tokio::test]
async fn an_unknown_model_is_an_application_not_found() {
    let harness = start().await;
    for model in ["fal-ai/no-such-model", "fal-ai", "atelier/sketch"] {
        let response = harness.submit_raw(model, &small_input("x"), &[]).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{model}");
        let body: Value = response.json().await.unwrap();
        assert!(body["detail"].as_str().unwrap().contains("not found"), "{body}");
    }
}

#[tokio::test]
async fn an_unknown_request_is_not_found() {
    let harness = start().await;
    let base = format!("{}/fal-ai/flux/requests", harness.emulator.queue_url());
    for url in [
        format!("{base}/{}/status", uuid::Uuid::new_v4()),
        format!("{base}/{}", uuid::Uuid::new_v4()),
        format!("{base}/not-a-uuid"),
    ] {
        assert_eq!(harness.get(&url).await.0, StatusCode::NOT_FOUND, "{url}");
    }
}

#[tokio::test]
async fn an_invalid_parameter_completes_the_request_with_a_422_result() {
    let harness = start().await;
    let mut input = small_input("too many steps");
    input["num_inference_steps"] = json!(999);
    input["an_unknown_field"] = json!("ignored like fal does");
    let submitted = harness.submit(FLUX_DEV, &input, &[]).await;

    let status = harness.wait_completed(&submitted).await;
    assert_eq!(status["error"], "Invalid status code: 422");
    assert!(status.get("error_type").is_none());
    let (code, body) = harness.result(&submitted).await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    let detail = body["detail"].as_array().unwrap();
    assert_eq!(detail.len(), 1, "only the bad field is reported: {body}");
    assert_eq!(detail[0]["loc"], json!(["body", "num_inference_steps"]));
    assert_eq!(detail[0]["type"], "value_error");
    assert!(detail[0]["msg"].as_str().is_some_and(|message| !message.is_empty()));
}

#[tokio::test]
async fn a_missing_prompt_is_reported_at_the_prompt() {
    let harness = start().await;
    let submitted = harness.submit(SCHNELL, &json!({ "image_size": "square" }), &[]).await;
    harness.wait_completed(&submitted).await;
    let (code, body) = harness.result(&submitted).await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["detail"][0]["loc"], json!(["body", "prompt"]));
}

#[tokio::test]
async fn a_body_that_is_not_a_json_object_is_refused_with_422() {
    let harness = start().await;
    let url = format!("{}/{FLUX_DEV}", harness.emulator.queue_url());
    for body in ["{not json", "[1, 2]"] {
        let response = harness.http.post(&url).header("authorization", harness.auth()).body(body).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let detail: Value = response.json().await.unwrap();
        assert_eq!(detail["detail"][0]["loc"], json!(["body"]));
    }
}

#[tokio::test]
async fn the_result_of_a_request_still_running_is_a_400() {
    let harness = start().await;
    let submitted =
        harness.submit(SCHNELL, &small_input("slow"), &[("x-fal-emulator-fault", "slow_run;delay_ms=400")]).await;
    let (code, body) = harness.result(&submitted).await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert_eq!(body["detail"], "Request is still in progress");
    harness.wait_completed(&submitted).await;
    assert_eq!(harness.result(&submitted).await.0, StatusCode::OK);
}

#[tokio::test]
async fn queue_positions_count_waiting_requests_and_low_priority_waits_behind_normal() {
    let harness = start_with(EmulatorConfig { runners: 1, ..EmulatorConfig::default() }).await;
    let running =
        harness.submit(SCHNELL, &small_input("first"), &[("x-fal-emulator-fault", "slow_run;delay_ms=5000")]).await;
    harness.wait_for_status(&running, "IN_PROGRESS").await;

    let second = harness.submit(SCHNELL, &small_input("second"), &[]).await;
    let third = harness.submit(SCHNELL, &small_input("third"), &[]).await;
    let low = harness.submit(SCHNELL, &small_input("low"), &[("x-fal-queue-priority", "low")]).await;
    let fourth = harness.submit(SCHNELL, &small_input("fourth"), &[]).await;
    assert_eq!(second["queue_position"], 0);
    assert_eq!(third["queue_position"], 1);
    assert_eq!(low["queue_position"], 2);
    assert_eq!(fourth["queue_position"], 2, "a normal request goes ahead of a low one");

    let (code, status) = harness.status(&low).await;
    assert_eq!((code, status["status"].as_str()), (StatusCode::ACCEPTED, Some("IN_QUEUE")));
    assert_eq!(status["queue_position"], 3);
    let (_, running_status) = harness.status(&running).await;
    assert!(running_status.get("queue_position").is_none());

    assert_eq!(harness.put(running["cancel_url"].as_str().unwrap()).await.0, StatusCode::ACCEPTED);
    harness.wait_completed(&low).await;
    let order: Vec<String> = harness
        .requests()
        .await
        .iter()
        .map(|request| request["input"]["prompt"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(order, ["first", "second", "third", "low", "fourth"], "listing keeps submit order");
    for submitted in [&second, &third, &fourth] {
        assert_eq!(harness.status(submitted).await.1["status"], "COMPLETED");
    }
}

#[tokio::test]
async fn a_request_waiting_longer_than_its_request_timeout_ends_with_a_user_timeout() {
    let harness = start_with(EmulatorConfig { runners: 1, ..EmulatorConfig::default() }).await;
    let blocker =
        harness.submit(SCHNELL, &small_input("blocker"), &[("x-fal-emulator-fault", "slow_run;delay_ms=400")]).await;
    let impatient = harness.submit(SCHNELL, &small_input("impatient"), &[("x-fal-request-timeout", "0.1")]).await;
    let status = harness.wait_completed(&impatient).await;
    assert_eq!(status["error_type"], "request_timeout");
    let response = harness
        .http
        .get(impatient["response_url"].as_str().unwrap())
        .header("authorization", harness.auth())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(response.headers()["x-fal-request-timeout-type"], "user");
    assert!(harness.wait_completed(&blocker).await.get("error").is_none());
}

#[tokio::test]
async fn stats_count_each_kind_of_call() {
    let harness = start().await;
    let submitted = harness.submit(SCHNELL, &small_input("counted"), &[]).await;
    harness.wait_completed(&submitted).await;
    harness.result(&submitted).await;
    let stats = harness.stats().await;
    assert_eq!(stats["submit"], 1);
    assert_eq!(stats["result"], 1);
    assert!(stats["status"].as_u64().unwrap() >= 1);
    assert_eq!(stats["cancel"], 0);

    let reset = harness.http.delete(harness.url("/_emulator/stats")).send().await.unwrap();
    assert_eq!(reset.status(), StatusCode::NO_CONTENT);
    assert_eq!(harness.stats().await["submit"], 0);
}

#[tokio::test]
async fn the_request_listing_shows_input_status_and_deliveries() {
    let harness = start().await;
    let submitted = harness.submit(SCHNELL, &small_input("listed"), &[]).await;
    harness.wait_completed(&submitted).await;
    let request = harness.request(&submitted["request_id"]).await;
    assert_eq!(request["model"], SCHNELL);
    assert_eq!(request["status"], "COMPLETED");
    assert_eq!(request["input"], small_input("listed"));
    assert_eq!(request["cancelled"], false);
    assert_eq!(request["webhook_deliveries"], 0);
    assert_eq!(request["via"], "queue");
}

#[tokio::test]
async fn two_runners_work_on_two_requests_at_once() {
    let harness = start().await;
    let slow = [("x-fal-emulator-fault", "slow_run;delay_ms=3000")];
    let first = harness.submit(SCHNELL, &small_input("one"), &slow).await;
    let second = harness.submit(SCHNELL, &small_input("two"), &slow).await;
    harness.wait_for_status(&first, "IN_PROGRESS").await;
    harness.wait_for_status(&second, "IN_PROGRESS").await;
    for submitted in [&first, &second] {
        harness.put(submitted["cancel_url"].as_str().unwrap()).await;
    }
    tokio::time::timeout(Duration::from_secs(2), harness.wait_completed(&second)).await.expect("cancelled promptly");
}
