//! Injected faults: each fires as documented, only on matching calls, and only `times` times.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// Submits and returns status, headers and the body text (or the error reading it).
async fn submit_outcome(
    harness: &Harness,
    headers: &[(&str, &str)],
) -> (StatusCode, reqwest::header::HeaderMap, Result<String, String>) {
    let response = harness.submit_raw(SCHNELL, &small_input("fault target"), headers).await;
    let status = response.status();
    let response_headers = response.headers().clone();
    (status, response_headers, response.text().await.map_err(|error| error.to_string()))
}

fn json_of(body: &Result<String, String>) -> Value {
    serde_json::from_str(body.as_ref().expect("a complete body")).expect("a JSON body")
}

#[tokio::test]
async fn each_immediate_fault_answers_as_documented_and_only_the_given_number_of_times() {
    let harness = start().await;
    let faults = [
        "unauthorized",
        "validation",
        "rate_limited",
        "http_500",
        "http_502",
        "http_503",
        "http_504",
        "user_timeout",
        "drop_connection",
    ];
    for fault in faults {
        harness
            .add_fault(json!({ "fault": fault, "on": "submit", "times": 2, "retry_after": 7, "field": "seed" }))
            .await;
        for _ in 0..2 {
            let (status, headers, body) = submit_outcome(&harness, &[]).await;
            match fault {
                "unauthorized" => {
                    assert_eq!(status, StatusCode::UNAUTHORIZED);
                    assert!(json_of(&body)["detail"].is_string());
                }
                "validation" => {
                    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
                    let detail = &json_of(&body)["detail"][0];
                    assert_eq!(detail["loc"], json!(["body", "seed"]));
                    assert_eq!(detail["type"], "value_error");
                }
                "rate_limited" => {
                    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
                    assert_eq!(headers["retry-after"], "7");
                }
                "http_500" => assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR),
                "http_502" => assert_eq!(status, StatusCode::BAD_GATEWAY),
                "http_503" => {
                    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
                    assert_eq!(
                        json_of(&body),
                        json!({ "detail": "Runner scheduling failure", "error_type": "runner_scheduling_failure" })
                    );
                    assert_eq!(headers["x-fal-error-type"], "runner_scheduling_failure");
                }
                "http_504" => {
                    assert_eq!(status, StatusCode::GATEWAY_TIMEOUT);
                    assert_eq!(
                        json_of(&body),
                        json!({ "detail": "Request timed out", "error_type": "request_timeout" })
                    );
                    assert_eq!(headers["x-fal-error-type"], "request_timeout");
                    assert!(headers.get("x-fal-request-timeout-type").is_none());
                }
                "user_timeout" => {
                    assert_eq!(status, StatusCode::GATEWAY_TIMEOUT);
                    assert_eq!(headers["x-fal-request-timeout-type"], "user");
                }
                "drop_connection" => {
                    assert_eq!(status, StatusCode::OK);
                    assert!(body.is_err(), "the body breaks off: {body:?}");
                }
                _ => unreachable!(),
            }
        }
        let (status, _, body) = submit_outcome(&harness, &[]).await;
        assert_eq!(status, StatusCode::OK, "{fault} fired only twice");
        assert_eq!(json_of(&body)["status"], "IN_QUEUE");
    }
    assert_eq!(harness.requests().await.len(), faults.len(), "faulted submits created no requests");
    assert_eq!(harness.stats().await["submit"], faults.len() as u64 * 3);
}

#[tokio::test]
async fn a_rule_fires_only_on_its_kind_of_call_and_model() {
    let harness = start().await;
    harness.add_fault(json!({ "fault": "http_503", "on": "status", "model": FLUX_DEV })).await;
    let schnell = harness.submit(SCHNELL, &small_input("other model"), &[]).await;
    assert_eq!(harness.status(&schnell).await.0.as_u16() / 100, 2, "another model is untouched");
    let dev = harness.submit(FLUX_DEV, &small_input("this model"), &[]).await;
    assert_eq!(harness.status(&dev).await.0, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(harness.status(&dev).await.0.as_u16() / 100, 2);
    let rules: Value = harness.http.get(harness.url("/_emulator/faults")).send().await.unwrap().json().await.unwrap();
    assert_eq!(rules, json!([]), "a spent rule is gone");
}

#[tokio::test]
async fn faults_can_target_result_stream_cancel_and_upload_calls() {
    let harness = start().await;
    let submitted = harness.submit(SCHNELL, &small_input("target"), &[]).await;
    harness.wait_completed(&submitted).await;

    harness.add_fault(json!({ "fault": "validation", "on": "result", "field": "image_size" })).await;
    let (code, body) = harness.result(&submitted).await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["detail"][0]["loc"], json!(["body", "image_size"]));
    assert_eq!(harness.result(&submitted).await.0, StatusCode::OK);

    harness.add_fault(json!({ "fault": "drop_connection", "on": "stream" })).await;
    let stream = harness
        .http
        .get(format!("{}/stream", submitted["status_url"].as_str().unwrap()))
        .header("authorization", harness.auth())
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    assert!(stream.text().await.is_err());

    harness.add_fault(json!({ "fault": "http_502", "on": "cancel" })).await;
    assert_eq!(harness.put(submitted["cancel_url"].as_str().unwrap()).await.0, StatusCode::BAD_GATEWAY);

    harness.add_fault(json!({ "fault": "rate_limited", "on": "upload", "retry_after": 3 })).await;
    let upload = harness
        .http
        .post(format!("{}/storage/upload/initiate", harness.emulator.rest_url()))
        .header("authorization", harness.auth())
        .json(&json!({ "content_type": "image/png", "file_name": "a.png" }))
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(upload.headers()["retry-after"], "3");
}

#[tokio::test]
async fn a_fault_header_answers_the_call_that_carries_it() {
    let harness = start().await;
    let (status, _, _) = submit_outcome(&harness, &[("x-fal-emulator-fault", "http_502")]).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    let (status, headers, _) =
        submit_outcome(&harness, &[("x-fal-emulator-fault", "rate_limited;retry_after=9")]).await;
    assert_eq!((status, headers["retry-after"].to_str().unwrap()), (StatusCode::TOO_MANY_REQUESTS, "9"));
    let (status, _, body) = submit_outcome(&harness, &[("x-fal-emulator-fault", "explode")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(json_of(&body)["detail"].as_str().unwrap().contains("unknown fault 'explode'"));
}

#[tokio::test]
async fn slow_queue_keeps_a_request_waiting_before_a_runner_takes_it() {
    let harness = start().await;
    let started = Instant::now();
    let submitted =
        harness.submit(SCHNELL, &small_input("late"), &[("x-fal-emulator-fault", "slow_queue;delay_ms=400")]).await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    let (code, status) = harness.status(&submitted).await;
    assert_eq!((code, status["status"].as_str()), (StatusCode::ACCEPTED, Some("IN_QUEUE")));
    assert_eq!(status["queue_position"], 0);
    harness.wait_completed(&submitted).await;
    assert!(started.elapsed() >= Duration::from_millis(400));

    let other = harness.submit(SCHNELL, &small_input("not slowed"), &[]).await;
    let quick = harness.wait_completed(&other).await;
    assert!(quick.get("error").is_none());
}

#[tokio::test]
async fn slow_run_makes_the_run_last_at_least_its_delay() {
    let harness = start().await;
    harness.add_fault(json!({ "fault": "slow_run", "delay_ms": 300 })).await;
    let submitted = harness.submit(SCHNELL, &small_input("slow"), &[]).await;
    harness.wait_for_status(&submitted, "IN_PROGRESS").await;
    let started = Instant::now();
    let status = harness.wait_completed(&submitted).await;
    assert!(started.elapsed() >= Duration::from_millis(250));
    assert!(status["metrics"]["inference_time"].as_f64().unwrap() >= 0.3);
}

#[tokio::test]
async fn error_result_fails_the_run_with_a_runner_error() {
    let harness = start().await;
    let submitted = harness.submit(SCHNELL, &small_input("doomed"), &[("x-fal-emulator-fault", "error_result")]).await;
    let status = harness.wait_completed(&submitted).await;
    assert_eq!(status["error"], "Internal server error");
    assert_eq!(status["error_type"], "runner_server_error");
    assert!(status["logs"].as_array().unwrap().iter().any(|log| log["level"] == "ERROR"));
    let (code, body) = harness.result(&submitted).await;
    assert_eq!((code, body), (StatusCode::INTERNAL_SERVER_ERROR, json!({ "detail": "Internal server error" })));
}

#[tokio::test]
async fn lifecycle_faults_apply_to_sync_runs_too() {
    let harness = start().await;
    let response = harness
        .http
        .post(format!("{}/{SCHNELL}", harness.emulator.sync_url()))
        .header("authorization", harness.auth())
        .header("x-fal-emulator-fault", "error_result")
        .json(&small_input("sync doom"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn clearing_faults_removes_every_rule() {
    let harness = start().await;
    harness.add_fault(json!({ "fault": "http_500", "times": 5 })).await;
    let cleared = harness.http.delete(harness.url("/_emulator/faults")).send().await.unwrap();
    assert_eq!(cleared.status(), StatusCode::NO_CONTENT);
    harness.submit(SCHNELL, &small_input("clean"), &[]).await;
}

#[tokio::test]
async fn a_malformed_fault_rule_is_refused_with_a_reason() {
    let harness = start().await;
    for rule in [
        json!({ "fault": "explode" }),
        json!({ "fault": "http_500", "on": "everything" }),
        json!({ "fault": "http_500", "times": 0 }),
        json!({ "fault": "http_500", "tims": 2 }),
    ] {
        let response = harness.http.post(harness.url("/_emulator/faults")).json(&rule).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{rule}");
        let body: Value = response.json().await.unwrap();
        assert!(!body["detail"][0]["msg"].as_str().unwrap().is_empty());
    }
}

#[tokio::test]
async fn absurd_delays_and_timeouts_are_accepted_without_harm() {
    let harness = start().await;
    let headers =
        [("x-fal-emulator-fault", "slow_queue;delay_ms=18446744073709551615"), ("x-fal-request-timeout", "1e300")];
    let stuck = harness.submit(SCHNELL, &small_input("forever"), &headers).await;
    assert_eq!(harness.status(&stuck).await.1["status"], "IN_QUEUE");
    let next = harness.submit(SCHNELL, &small_input("next"), &[]).await;
    harness.wait_completed(&next).await;
    assert_eq!(harness.put(stuck["cancel_url"].as_str().unwrap()).await.0, StatusCode::ACCEPTED);
}
