//! The fal.ai client against the fal emulator: every status path, every injected fault, cancelling
//! in each state, synchronous runs, file inputs, and the key staying secret.
#![cfg(feature = "ssr")]

use std::time::{Duration, Instant};

use atelier::server::providers::fal::{
    CancelOutcome, FalClient, FalError, FalSettings, QueueStatus, RequestHandle, RetryPolicy, StatusKind,
};
use bytes::Bytes;
use fal_emulator::{Emulator, EmulatorConfig};
use futures_util::StreamExt;
use serde_json::{Value, json};

const MODEL: &str = "fal-ai/flux/schnell";
const KEY: &str = "fal-test-key:5e3c1a9d";

/// Retries within milliseconds, so fault tests stay fast.
fn quick_retries() -> RetryPolicy {
    RetryPolicy { retries: 3, poll_retries: 5, base: Duration::from_millis(2), cap: Duration::from_millis(40) }
}

async fn emulator(step_delay_ms: u64) -> Emulator {
    let config = EmulatorConfig {
        key: KEY.to_owned(),
        runners: 2,
        step_delay: Duration::from_millis(step_delay_ms),
        ..Default::default()
    };
    Emulator::start(config, "127.0.0.1:0".parse().unwrap()).await.expect("the emulator starts")
}

fn settings(emu: &Emulator, key: &str) -> FalSettings {
    let mut settings = FalSettings::new(key, emu.queue_url(), emu.sync_url(), emu.rest_url());
    settings.poll_interval = Duration::from_millis(10);
    settings.request_timeout = Duration::from_secs(10);
    settings
}

fn client(emu: &Emulator) -> FalClient {
    FalClient::new(settings(emu, emu.key()), quick_retries())
}

fn input(prompt: &str) -> Value {
    json!({"prompt": prompt, "image_size": {"width": 64, "height": 64}, "num_inference_steps": 2})
}

/// Injects a fault through the emulator's control API.
async fn inject(emu: &Emulator, rule: Value) {
    let response =
        reqwest::Client::new().post(format!("{}/_emulator/faults", emu.url())).json(&rule).send().await.unwrap();
    assert!(response.status().is_success(), "fault {rule} refused: {}", response.text().await.unwrap());
}

/// How many calls of `kind` the emulator has answered.
async fn calls(emu: &Emulator, kind: &str) -> u64 {
    let stats: Value = reqwest::get(format!("{}/_emulator/stats", emu.url())).await.unwrap().json().await.unwrap();
    stats[kind].as_u64().unwrap_or_else(|| panic!("no {kind} in {stats}"))
}

/// Polls until the request completes (10 s at most); returns every status kind seen, in order.
async fn poll_to_completion(client: &FalClient, handle: &RequestHandle) -> (Vec<StatusKind>, QueueStatus) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen: Vec<StatusKind> = Vec::new();
    loop {
        let status = client.status(handle, true).await.expect("status answers");
        if seen.last() != Some(&status.status) {
            seen.push(status.status.clone());
        }
        if status.is_completed() {
            return (seen, status);
        }
        assert!(Instant::now() < deadline, "the request did not complete in 10 s; saw {seen:?}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn wait_until(client: &FalClient, handle: &RequestHandle, wanted: StatusKind) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while client.status(handle, false).await.unwrap().status != wanted {
        assert!(Instant::now() < deadline, "the request never reached {wanted:?}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn first_image(result: &Value) -> &Value {
    &result["images"][0]
}

// ---------------------------------------------------------------------------------------------
// The happy paths

#[tokio::test]
async fn a_submitted_request_goes_through_the_queue_and_its_result_holds_the_images() {
    let emu = emulator(0).await;
    inject(&emu, json!({"fault": "slow_queue", "on": "submit", "delay_ms": 150})).await;
    inject(&emu, json!({"fault": "slow_run", "on": "submit", "delay_ms": 150})).await;
    let client = client(&emu);
    let handle = client.submit(MODEL, &input("a lighthouse at dusk"), None).await.unwrap();
    assert_eq!(handle.model_id, MODEL);
    assert!(handle.status_url.starts_with(&emu.queue_url()), "{}", handle.status_url);

    let (seen, last) = poll_to_completion(&client, &handle).await;
    assert_eq!(seen, vec![StatusKind::InQueue, StatusKind::InProgress, StatusKind::Completed]);
    assert!(!last.is_failed(), "{last:?}");
    assert!(last.metrics.and_then(|m| m.inference_time).is_some());

    let result = client.result(&handle).await.unwrap();
    let image = first_image(&result);
    assert_eq!((image["width"].as_u64(), image["height"].as_u64()), (Some(64), Some(64)));
    let url = image["url"].as_str().expect("an image URL");
    let bytes = reqwest::get(url).await.unwrap().bytes().await.unwrap();
    assert!(!bytes.is_empty());
}

#[tokio::test]
async fn a_queued_request_reports_its_place_in_the_queue() {
    let emu = emulator(0).await;
    inject(&emu, json!({"fault": "slow_queue", "on": "submit", "delay_ms": 300})).await;
    let client = client(&emu);
    let handle = client.submit(MODEL, &input("queued"), None).await.unwrap();
    let status = client.status(&handle, false).await.unwrap();
    assert_eq!(status.status, StatusKind::InQueue);
    assert_eq!(status.queue_position, Some(0));
    assert_eq!(status.request_id.as_deref(), Some(handle.request_id.as_str()));
}

#[tokio::test]
async fn the_status_stream_reports_each_change_in_order_and_ends_after_completion() {
    let emu = emulator(0).await;
    inject(&emu, json!({"fault": "slow_queue", "on": "submit", "delay_ms": 100})).await;
    inject(&emu, json!({"fault": "slow_run", "on": "submit", "delay_ms": 100})).await;
    let client = client(&emu);
    let handle = client.submit(MODEL, &input("a stream of statuses"), None).await.unwrap();

    let events: Vec<QueueStatus> = client.status_stream(&handle).map(Result::unwrap).collect().await;
    let kinds: Vec<StatusKind> = events.iter().map(|e| e.status.clone()).collect();
    assert_eq!(kinds.first(), Some(&StatusKind::InQueue), "{kinds:?}");
    assert!(kinds.contains(&StatusKind::InProgress), "{kinds:?}");
    assert_eq!(kinds.last(), Some(&StatusKind::Completed), "{kinds:?}");
    let rank = |k: &StatusKind| {
        [StatusKind::InQueue, StatusKind::InProgress, StatusKind::Completed].iter().position(|x| x == k)
    };
    assert!(kinds.windows(2).all(|w| rank(&w[0]) <= rank(&w[1])), "out of order: {kinds:?}");
    assert_eq!(calls(&emu, "stream").await, 1);
    assert_eq!(calls(&emu, "status").await, 0, "no polling while the events flow");
}

#[tokio::test]
async fn a_status_stream_that_breaks_carries_on_by_polling() {
    let emu = emulator(5).await;
    inject(&emu, json!({"fault": "drop_connection", "on": "stream"})).await;
    let client = client(&emu);
    let handle = client.submit(MODEL, &input("a broken stream"), None).await.unwrap();

    let events: Vec<QueueStatus> = client.status_stream(&handle).map(Result::unwrap).collect().await;
    assert_eq!(events.last().map(|e| e.status.clone()), Some(StatusKind::Completed));
    assert!(calls(&emu, "status").await >= 1, "the stream fell back to polling");
    assert!(client.result(&handle).await.is_ok());
}

#[tokio::test]
async fn a_sync_run_answers_the_output_directly() {
    let emu = emulator(0).await;
    let result = client(&emu).run_sync(MODEL, &input("right away")).await.unwrap();
    assert_eq!(first_image(&result)["width"], 64);
    assert_eq!(calls(&emu, "sync").await, 1);
    assert_eq!(calls(&emu, "submit").await, 0);
}

// ---------------------------------------------------------------------------------------------
// Faults: each ends in success after a retry, or in a typed error a person can read

#[tokio::test]
async fn a_refused_key_is_a_typed_error_that_is_not_retried() {
    let emu = emulator(0).await;
    let wrong = FalClient::new(settings(&emu, "not-the-key"), quick_retries());
    let err = wrong.submit(MODEL, &input("x"), None).await.unwrap_err();
    assert!(matches!(err, FalError::Unauthorized { status: 401 }), "{err:?}");
    assert_eq!(err.user_message(), "fal.ai refused the API key — check FAL_KEY.");
    assert_eq!(calls(&emu, "submit").await, 1);

    inject(&emu, json!({"fault": "unauthorized", "on": "sync"})).await;
    let err = client(&emu).run_sync(MODEL, &input("x")).await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(calls(&emu, "sync").await, 1);
}

#[tokio::test]
async fn a_refused_input_names_the_field() {
    let emu = emulator(0).await;
    inject(&emu, json!({"fault": "validation", "on": "submit", "field": "image_size"})).await;
    let err = client(&emu).submit(MODEL, &input("x"), None).await.unwrap_err();
    assert_eq!(err.status(), Some(422));
    assert_eq!(err.fields()[0].field, "image_size");
    assert!(err.user_message().starts_with("fal.ai refused the input: image_size: "), "{}", err.user_message());
    assert_eq!(calls(&emu, "submit").await, 1);
}

#[tokio::test]
async fn an_input_the_model_refuses_completes_with_an_error_and_a_422_result() {
    let emu = emulator(0).await;
    let client = client(&emu);
    let bad = json!({"prompt": "too wide", "image_size": {"width": 0, "height": 64}});
    let handle = client.submit(MODEL, &bad, None).await.unwrap();
    let (_, last) = poll_to_completion(&client, &handle).await;
    assert!(last.is_failed());
    assert_eq!(last.error.as_deref(), Some("Invalid status code: 422"));

    let err = client.result(&handle).await.unwrap_err();
    assert_eq!(err.status(), Some(422));
    assert!(err.fields()[0].field.starts_with("image_size"), "{err:?}");
    assert_eq!(calls(&emu, "result").await, 1);
}

#[tokio::test]
async fn a_rate_limit_is_retried_after_the_wait_fal_asks_for() {
    let emu = emulator(0).await;
    inject(&emu, json!({"fault": "rate_limited", "on": "submit", "retry_after": 1})).await;
    let patient = RetryPolicy { cap: Duration::from_secs(5), ..quick_retries() };
    let client = FalClient::new(settings(&emu, emu.key()), patient);
    let started = Instant::now();
    client.submit(MODEL, &input("x"), None).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1), "waited only {:?}", started.elapsed());
    assert_eq!(calls(&emu, "submit").await, 2);
}

#[tokio::test]
async fn a_rate_limit_that_does_not_lift_ends_in_a_rate_limited_error() {
    let emu = emulator(0).await;
    inject(&emu, json!({"fault": "rate_limited", "on": "submit", "retry_after": 0, "times": 10})).await;
    let err = client(&emu).submit(MODEL, &input("x"), None).await.unwrap_err();
    assert!(matches!(err, FalError::RateLimited { .. }), "{err:?}");
    assert!(err.user_message().contains("rate limited"), "{}", err.user_message());
    assert_eq!(calls(&emu, "submit").await, 4, "the first try and three retries");
}

#[tokio::test]
async fn a_500_on_submit_is_reported_without_a_retry() {
    let emu = emulator(0).await;
    inject(&emu, json!({"fault": "http_500", "on": "submit"})).await;
    let err = client(&emu).submit(MODEL, &input("x"), None).await.unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert_eq!(calls(&emu, "submit").await, 1);
}

#[tokio::test]
async fn a_500_on_a_status_poll_is_retried() {
    let emu = emulator(0).await;
    let client = client(&emu);
    let handle = client.submit(MODEL, &input("x"), None).await.unwrap();
    inject(&emu, json!({"fault": "http_500", "on": "status", "times": 2})).await;
    client.status(&handle, false).await.unwrap();
    assert_eq!(calls(&emu, "status").await, 3);
}

#[tokio::test]
async fn gateway_errors_are_retried_until_fal_answers() {
    let emu = emulator(0).await;
    let client = client(&emu);
    for (round, fault) in ["http_502", "http_503", "http_504"].into_iter().enumerate() {
        inject(&emu, json!({"fault": fault, "on": "submit", "times": 2})).await;
        client.submit(MODEL, &input(fault), None).await.unwrap_or_else(|e| panic!("{fault}: {e}"));
        assert_eq!(calls(&emu, "submit").await, 3 * (round as u64 + 1), "{fault}");
    }
}

#[tokio::test]
async fn gateway_errors_that_persist_end_in_typed_errors() {
    let emu = emulator(0).await;
    let client = client(&emu);
    inject(&emu, json!({"fault": "http_503", "on": "submit", "times": 10})).await;
    let err = client.submit(MODEL, &input("x"), None).await.unwrap_err();
    assert_eq!((err.status(), err.error_type()), (Some(503), Some("runner_scheduling_failure")));
    assert!(err.user_message().contains("no free machine"), "{}", err.user_message());

    inject(&emu, json!({"fault": "http_504", "on": "result", "times": 10})).await;
    let handle = client.handle(MODEL, "00000000-0000-4000-8000-000000000000").unwrap();
    let err = client.result(&handle).await.unwrap_err();
    assert_eq!((err.status(), err.error_type()), (Some(504), Some("request_timeout")));
    assert!(err.user_message().contains("timed out"), "{}", err.user_message());
    assert_eq!(calls(&emu, "result").await, 4);
}

#[tokio::test]
async fn a_user_timeout_is_never_retried() {
    let emu = emulator(0).await;
    let client = client(&emu);
    let handle = client.submit(MODEL, &input("x"), None).await.unwrap();
    inject(&emu, json!({"fault": "user_timeout", "on": "status"})).await;
    let err = client.status(&handle, false).await.unwrap_err();
    assert!(err.is_user_timeout(), "{err:?}");
    assert!(err.user_message().contains("time limit"), "{}", err.user_message());
    assert_eq!(calls(&emu, "status").await, 1);
}

#[tokio::test]
async fn a_connection_dropped_while_reading_a_result_is_retried() {
    let emu = emulator(0).await;
    let client = client(&emu);
    let handle = client.submit(MODEL, &input("x"), None).await.unwrap();
    poll_to_completion(&client, &handle).await;
    inject(&emu, json!({"fault": "drop_connection", "on": "result"})).await;
    let result = client.result(&handle).await.unwrap();
    assert_eq!(first_image(&result)["width"], 64);
    assert_eq!(calls(&emu, "result").await, 2);
}

#[tokio::test]
async fn a_connection_dropped_after_a_submit_is_reported_rather_than_resubmitted() {
    let emu = emulator(0).await;
    inject(&emu, json!({"fault": "drop_connection", "on": "submit"})).await;
    let err = client(&emu).submit(MODEL, &input("x"), None).await.unwrap_err();
    assert!(matches!(err, FalError::Transport { reached_server: true, .. }), "{err:?}");
    assert!(err.user_message().contains("could not be reached or the connection broke"));
    assert_eq!(calls(&emu, "submit").await, 1, "a second submit could start a second paid job");
}

#[tokio::test]
async fn an_unreachable_fal_is_a_transport_error_after_the_retries() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let settings = FalSettings::new(KEY, &closed, &closed, &closed);
    let err = FalClient::new(settings, quick_retries()).submit(MODEL, &input("x"), None).await.unwrap_err();
    assert!(matches!(err, FalError::Transport { reached_server: false, .. }), "{err:?}");
}

#[tokio::test]
async fn a_failed_run_makes_the_result_a_typed_error() {
    let emu = emulator(0).await;
    inject(&emu, json!({"fault": "error_result", "on": "submit"})).await;
    let client = client(&emu);
    let handle = client.submit(MODEL, &input("x"), None).await.unwrap();
    let (_, last) = poll_to_completion(&client, &handle).await;
    assert!(last.is_failed(), "{last:?}");
    let err = client.result(&handle).await.unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert!(err.user_message().starts_with("The model failed on fal.ai"), "{}", err.user_message());
    assert_eq!(calls(&emu, "result").await, 1, "a model's own failure is not retried");
}

#[tokio::test]
async fn slow_queues_and_slow_runs_still_complete() {
    let emu = emulator(0).await;
    inject(&emu, json!({"fault": "slow_queue", "on": "submit", "delay_ms": 300})).await;
    inject(&emu, json!({"fault": "slow_run", "on": "submit", "delay_ms": 300})).await;
    let client = client(&emu);
    let handle = client.submit(MODEL, &input("patience"), None).await.unwrap();
    let (seen, last) = poll_to_completion(&client, &handle).await;
    assert_eq!(seen, vec![StatusKind::InQueue, StatusKind::InProgress, StatusKind::Completed]);
    assert!(!last.is_failed());
    assert!(client.result(&handle).await.is_ok());
}

// ---------------------------------------------------------------------------------------------
// Cancelling

#[tokio::test]
async fn cancelling_a_queued_request_completes_it_as_cancelled() {
    let emu = emulator(0).await;
    inject(&emu, json!({"fault": "slow_queue", "on": "submit", "delay_ms": 5000})).await;
    let client = client(&emu);
    let handle = client.submit(MODEL, &input("never mind"), None).await.unwrap();
    assert_eq!(client.cancel(&handle).await.unwrap(), CancelOutcome::Requested);
    let (_, last) = poll_to_completion(&client, &handle).await;
    assert_eq!(last.error_type.as_deref(), Some("request_cancelled"));
    let err = client.result(&handle).await.unwrap_err();
    assert_eq!(err.status(), Some(400));
}

#[tokio::test]
async fn cancelling_a_running_request_completes_it_as_cancelled() {
    let emu = emulator(0).await;
    inject(&emu, json!({"fault": "slow_run", "on": "submit", "delay_ms": 5000})).await;
    let client = client(&emu);
    let handle = client.submit(MODEL, &input("stop"), None).await.unwrap();
    wait_until(&client, &handle, StatusKind::InProgress).await;
    assert_eq!(client.cancel(&handle).await.unwrap(), CancelOutcome::Requested);
    let (_, last) = poll_to_completion(&client, &handle).await;
    assert_eq!(last.error_type.as_deref(), Some("request_cancelled"));
}

#[tokio::test]
async fn cancelling_a_completed_request_is_too_late() {
    let emu = emulator(0).await;
    let client = client(&emu);
    let handle = client.submit(MODEL, &input("done"), None).await.unwrap();
    poll_to_completion(&client, &handle).await;
    assert_eq!(client.cancel(&handle).await.unwrap(), CancelOutcome::AlreadyCompleted);
    assert!(client.result(&handle).await.is_ok(), "the result is still there");
}

#[tokio::test]
async fn cancelling_an_unknown_request_says_it_was_not_found() {
    let emu = emulator(0).await;
    let client = client(&emu);
    let handle = client.handle(MODEL, "7b0e1c52-0000-4000-8000-000000000000").unwrap();
    assert_eq!(client.cancel(&handle).await.unwrap(), CancelOutcome::NotFound);
    assert_eq!(calls(&emu, "cancel").await, 1);
}

// ---------------------------------------------------------------------------------------------
// Files

/// A valid 8×8 PNG padded to `size` bytes with a private ancillary chunk decoders skip.
fn png_of_size(size: usize) -> Vec<u8> {
    let mut png = Vec::new();
    image::RgbImage::from_pixel(8, 8, image::Rgb([200, 40, 90]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let iend = png.len() - 12;
    let padding = size.saturating_sub(png.len() + 12);
    let mut chunk = Vec::with_capacity(padding + 12);
    chunk.extend_from_slice(&u32::try_from(padding).unwrap().to_be_bytes());
    chunk.extend_from_slice(b"prVt");
    chunk.resize(8 + padding, 0);
    chunk.extend_from_slice(&crc32fast::hash(&chunk[4..]).to_be_bytes());
    png.splice(iend..iend, chunk);
    png
}

#[tokio::test]
async fn a_small_file_goes_inline_as_a_data_uri() {
    let emu = emulator(0).await;
    let client = client(&emu);
    let png = png_of_size(2048);
    let uri = client.file_input(Bytes::from(png), "image/png", "small.png").await.unwrap();
    assert!(uri.starts_with("data:image/png;base64,iVBOR"), "{}", &uri[..40]);
    assert_eq!(calls(&emu, "upload").await, 0);

    let input = json!({"image_url": uri, "prompt": "rework", "num_inference_steps": 2});
    let handle = client.submit("fal-ai/flux/dev/image-to-image", &input, None).await.unwrap();
    let (_, last) = poll_to_completion(&client, &handle).await;
    assert!(!last.is_failed(), "the model reads the data URI: {last:?}");
}

#[tokio::test]
async fn a_file_over_ten_mebibytes_is_uploaded_and_models_can_read_it() {
    let emu = emulator(0).await;
    let client = client(&emu);
    let png = png_of_size(10 * 1024 * 1024 + 1);
    let url = client.file_input(Bytes::from(png.clone()), "image/png", "large.png").await.unwrap();
    assert!(url.starts_with(&emu.url()), "a storage URL, not a data URI: {}", &url[..url.len().min(60)]);
    assert_eq!((calls(&emu, "upload").await, calls(&emu, "upload_put").await), (1, 1));
    let stored = reqwest::get(&url).await.unwrap().bytes().await.unwrap();
    assert_eq!(stored.len(), png.len());

    let input = json!({"image_url": url, "prompt": "rework", "num_inference_steps": 2});
    let handle = client.submit("fal-ai/flux/dev/image-to-image", &input, None).await.unwrap();
    let (_, last) = poll_to_completion(&client, &handle).await;
    assert!(!last.is_failed(), "the model reads the uploaded file: {last:?}");
    assert!(client.result(&handle).await.is_ok());
}

#[tokio::test]
async fn a_file_with_a_made_up_media_type_is_refused_before_any_call() {
    let emu = emulator(0).await;
    let err = client(&emu).file_input(Bytes::from_static(b"x"), "image/png;base64,AAAA", "x").await.unwrap_err();
    assert!(matches!(err, FalError::InvalidInput(_)), "{err:?}");
}

// ---------------------------------------------------------------------------------------------
// Ids, URLs and the key

#[tokio::test]
async fn a_malformed_model_id_is_refused_before_any_call() {
    let emu = emulator(0).await;
    let err = client(&emu).submit("fal-ai/../admin", &input("x"), None).await.unwrap_err();
    assert!(matches!(err, FalError::InvalidInput(_)), "{err:?}");
    assert!(err.user_message().contains("is not a fal model id"));
    assert_eq!(calls(&emu, "submit").await, 0);
}

#[tokio::test]
async fn a_stored_handle_pointing_elsewhere_is_not_sent_the_key() {
    let emu = emulator(0).await;
    let client = client(&emu);
    let mut handle = client.submit(MODEL, &input("x"), None).await.unwrap();
    handle.status_url = "http://127.0.0.1:9/steal/status".to_owned();
    let status = client.status(&handle, false).await.unwrap();
    assert_eq!(status.request_id.as_deref(), Some(handle.request_id.as_str()));
}

#[tokio::test]
async fn a_request_handle_survives_storage_as_json() {
    let emu = emulator(0).await;
    let client = client(&emu);
    let handle = client.submit(MODEL, &input("stored"), None).await.unwrap();
    let restored: RequestHandle = serde_json::from_str(&serde_json::to_string(&handle).unwrap()).unwrap();
    poll_to_completion(&client, &restored).await;
    assert!(client.result(&restored).await.is_ok());
}

#[tokio::test]
async fn the_key_never_appears_in_debug_output_or_error_messages() {
    let emu = emulator(0).await;
    let client = client(&emu);
    assert!(!format!("{client:?}").contains(KEY));
    assert!(!format!("{:?}", client.settings()).contains(KEY));
    assert_eq!(client.settings().key.to_string(), "***");

    let mut errors = Vec::new();
    for fault in ["unauthorized", "validation", "http_500", "http_503", "drop_connection"] {
        inject(&emu, json!({"fault": fault, "on": "submit", "times": 10})).await;
        errors.push(client.submit(MODEL, &input("x"), None).await.unwrap_err());
        reqwest::Client::new().delete(format!("{}/_emulator/faults", emu.url())).send().await.unwrap();
    }
    let wrong = FalClient::new(settings(&emu, "wrong-secret-key"), quick_retries());
    errors.push(wrong.submit(MODEL, &input("x"), None).await.unwrap_err());
    for err in &errors {
        for text in [err.to_string(), format!("{err:?}"), err.user_message()] {
            assert!(!text.contains(KEY) && !text.contains("wrong-secret-key"), "{text}");
        }
    }
}
