//! Webhooks: signed delivery verified against the JWKS, retries, never and twice.

mod common;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use bytes::Bytes;
use common::*;
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use fal_emulator::{EmulatorConfig, WEBHOOK_USER_ID, sign_webhook};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

/// A webhook receiver answering with the given status codes in turn (then 200).
struct Receiver {
    url: String,
    deliveries: mpsc::UnboundedReceiver<(HeaderMap, Bytes)>,
}

#[derive(Clone)]
struct ReceiverState {
    answers: Arc<Mutex<Vec<u16>>>,
    deliveries: mpsc::UnboundedSender<(HeaderMap, Bytes)>,
}

async fn receive(State(state): State<ReceiverState>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let _ = state.deliveries.send((headers, body));
    let mut answers = state.answers.lock().unwrap();
    let code = if answers.is_empty() { 200 } else { answers.remove(0) };
    StatusCode::from_u16(code).unwrap()
}

async fn start_receiver(answers: &[u16]) -> Receiver {
    let (sender, deliveries) = mpsc::unbounded_channel();
    let state = ReceiverState { answers: Arc::new(Mutex::new(answers.to_vec())), deliveries: sender };
    let app = axum::Router::new().route("/hook", axum::routing::post(receive)).with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Receiver { url, deliveries }
}

impl Receiver {
    async fn next(&mut self) -> (HeaderMap, Bytes) {
        tokio::time::timeout(Duration::from_secs(10), self.deliveries.recv()).await.expect("a delivery").unwrap()
    }

    async fn nothing_more(&mut self, wait: Duration) {
        assert!(tokio::time::timeout(wait, self.deliveries.recv()).await.is_err(), "no further delivery");
    }
}

async fn submit_with_webhook(harness: &Harness, input: &Value, webhook: &str, headers: &[(&str, &str)]) -> Value {
    let mut request = harness
        .http
        .post(format!("{}/{SCHNELL}", harness.emulator.queue_url()))
        .query(&[("fal_webhook", webhook)])
        .header("authorization", harness.auth())
        .json(input);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// Verifies a delivery the way a receiver must: against a key of the JWKS.
async fn verify(harness: &Harness, headers: &HeaderMap, body: &[u8]) -> bool {
    let jwks: Value = harness.http.get(harness.emulator.jwks_url()).send().await.unwrap().json().await.unwrap();
    let header = |name: &str| headers[name].to_str().unwrap().to_owned();
    let message = format!(
        "{}\n{}\n{}\n{}",
        header("x-fal-webhook-request-id"),
        header("x-fal-webhook-user-id"),
        header("x-fal-webhook-timestamp"),
        hex::encode(Sha256::digest(body))
    );
    let Ok(signature) = hex::decode(header("x-fal-webhook-signature")) else { return false };
    let Ok(signature) = Signature::from_slice(&signature) else { return false };
    jwks["keys"].as_array().unwrap().iter().any(|key| {
        assert_eq!((key["kty"].as_str(), key["crv"].as_str()), (Some("OKP"), Some("Ed25519")));
        let x = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(key["x"].as_str().unwrap()).unwrap();
        let key = VerifyingKey::from_bytes(&x.try_into().unwrap()).unwrap();
        key.verify(message.as_bytes(), &signature).is_ok()
    })
}

#[tokio::test]
async fn a_completed_request_is_delivered_signed_with_the_jwks_key() {
    let harness = start().await;
    let mut receiver = start_receiver(&[]).await;
    let submitted = submit_with_webhook(&harness, &small_input("hooked"), &receiver.url, &[]).await;
    let (headers, body) = receiver.next().await;

    assert!(verify(&harness, &headers, &body).await);
    assert_eq!(headers["x-fal-webhook-request-id"], submitted["request_id"].as_str().unwrap());
    assert_eq!(headers["x-fal-webhook-user-id"], WEBHOOK_USER_ID);
    let timestamp: u64 = headers["x-fal-webhook-timestamp"].to_str().unwrap().parse().unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    assert!(now.abs_diff(timestamp) < 60);
    let payload: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(payload["status"], "OK");
    assert_eq!(payload["request_id"], submitted["request_id"]);
    assert_eq!(payload["gateway_request_id"], submitted["gateway_request_id"]);
    assert_eq!(payload["payload"], harness.result(&submitted).await.1);

    let mut tampered = body.to_vec();
    tampered.extend_from_slice(b" ");
    assert!(!verify(&harness, &headers, &tampered).await, "a changed body no longer verifies");
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(harness.request(&submitted["request_id"]).await["webhook_deliveries"], 1);
}

#[tokio::test]
async fn a_failed_request_is_delivered_as_an_error_with_the_422_detail() {
    let harness = start().await;
    let mut receiver = start_receiver(&[]).await;
    submit_with_webhook(&harness, &json!({ "prompt": "" , "num_inference_steps": 0 }), &receiver.url, &[]).await;
    let (_, body) = receiver.next().await;
    let payload: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(payload["status"], "ERROR");
    assert_eq!(payload["error"], "Invalid status code: 422");
    assert!(payload["payload"]["detail"][0]["loc"].is_array(), "{payload}");
}

#[tokio::test]
async fn a_delivery_the_receiver_refuses_is_retried() {
    let config = EmulatorConfig { webhook_retry_delay: Duration::from_millis(20), ..EmulatorConfig::default() };
    let harness = start_with(config).await;
    let mut receiver = start_receiver(&[500, 503]).await;
    let submitted = submit_with_webhook(&harness, &small_input("retried"), &receiver.url, &[]).await;
    let (_, first) = receiver.next().await;
    let (_, second) = receiver.next().await;
    let (headers, third) = receiver.next().await;
    assert_eq!(first, third, "the same payload each time");
    assert_eq!(second, third);
    assert!(verify(&harness, &headers, &third).await);
    receiver.nothing_more(Duration::from_millis(150)).await;
    assert_eq!(harness.request(&submitted["request_id"]).await["webhook_deliveries"], 1);
}

#[tokio::test]
async fn delivery_gives_up_after_the_configured_attempts() {
    let config = EmulatorConfig {
        webhook_attempts: 2,
        webhook_retry_delay: Duration::from_millis(10),
        ..EmulatorConfig::default()
    };
    let harness = start_with(config).await;
    let mut receiver = start_receiver(&[500, 500, 500]).await;
    let submitted = submit_with_webhook(&harness, &small_input("refused"), &receiver.url, &[]).await;
    receiver.next().await;
    receiver.next().await;
    receiver.nothing_more(Duration::from_millis(150)).await;
    assert_eq!(harness.request(&submitted["request_id"]).await["webhook_deliveries"], 0);
}

#[tokio::test]
async fn the_webhook_never_fault_withholds_delivery() {
    let harness = start().await;
    let mut receiver = start_receiver(&[]).await;
    let submitted = submit_with_webhook(
        &harness,
        &small_input("silent"),
        &receiver.url,
        &[("x-fal-emulator-fault", "webhook_never")],
    )
    .await;
    harness.wait_completed(&submitted).await;
    receiver.nothing_more(Duration::from_millis(200)).await;
    assert_eq!(harness.request(&submitted["request_id"]).await["webhook_deliveries"], 0);
}

#[tokio::test]
async fn the_webhook_twice_fault_delivers_the_same_signed_request_twice() {
    let harness = start().await;
    harness.add_fault(json!({ "fault": "webhook_twice", "on": "submit" })).await;
    let mut receiver = start_receiver(&[]).await;
    let submitted = submit_with_webhook(&harness, &small_input("echo"), &receiver.url, &[]).await;
    let (first_headers, first) = receiver.next().await;
    let (second_headers, second) = receiver.next().await;
    assert_eq!(first, second);
    assert_eq!(first_headers["x-fal-webhook-signature"], second_headers["x-fal-webhook-signature"]);
    assert!(verify(&harness, &second_headers, &second).await);
    receiver.nothing_more(Duration::from_millis(150)).await;
    assert_eq!(harness.request(&submitted["request_id"]).await["webhook_deliveries"], 2);

    let next = submit_with_webhook(&harness, &small_input("once"), &receiver.url, &[]).await;
    receiver.next().await;
    receiver.nothing_more(Duration::from_millis(150)).await;
    assert_eq!(harness.request(&next["request_id"]).await["webhook_deliveries"], 1, "the rule fired once");
}

#[tokio::test]
async fn a_cancelled_request_is_delivered_as_an_error() {
    let harness = start().await;
    let mut receiver = start_receiver(&[]).await;
    let slow = [("x-fal-emulator-fault", "slow_queue;delay_ms=3000")];
    let submitted = submit_with_webhook(&harness, &small_input("cancelled"), &receiver.url, &slow).await;
    harness.put(submitted["cancel_url"].as_str().unwrap()).await;
    let (_, body) = receiver.next().await;
    let payload: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(payload["status"], "ERROR");
    assert_eq!(payload["payload"]["detail"], "Request was cancelled");
}

#[tokio::test]
async fn sign_webhook_matches_what_the_emulator_sends() {
    let harness = start().await;
    let mut receiver = start_receiver(&[]).await;
    submit_with_webhook(&harness, &small_input("resigned"), &receiver.url, &[]).await;
    let (headers, body) = receiver.next().await;
    let header = |name: &str| headers[name].to_str().unwrap().to_owned();
    let timestamp: u64 = header("x-fal-webhook-timestamp").parse().unwrap();
    let signature = sign_webhook(
        harness.emulator.signing_key(),
        &header("x-fal-webhook-request-id"),
        WEBHOOK_USER_ID,
        timestamp,
        &body,
    );
    assert_eq!(signature, header("x-fal-webhook-signature"));
}

#[tokio::test]
async fn a_webhook_url_that_is_not_http_is_refused_at_submit() {
    let harness = start().await;
    let response = harness
        .http
        .post(format!("{}/{SCHNELL}", harness.emulator.queue_url()))
        .query(&[("fal_webhook", "ftp://example.com/hook")])
        .header("authorization", harness.auth())
        .json(&small_input("x"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}
