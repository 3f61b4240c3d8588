//! fal.ai webhooks through the studio's router: a real delivery from the emulator is accepted and
//! published; tampered, stale, foreign-signed or unsigned deliveries are refused.
#![cfg(feature = "ssr")]

mod support;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use atelier::server::providers::fal::{Fal, WEBHOOK_PATH, WebhookError, WebhookEvent, WebhookStatus, WebhookVerifier};
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use ed25519_dalek::SigningKey;
use fal_emulator::{Emulator, EmulatorConfig, sign_webhook};
use serde_json::{Value, json};
use support::studio::{TestResponse, TestStudio};

const REQUEST_ID: &str = "3f9a8a52-8d0e-4c57-9a3e-6f2b1c0d4e11";
const USER_ID: &str = "user-7";

async fn emulator() -> Emulator {
    let config = EmulatorConfig {
        key: "webhook-test-key".into(),
        webhook_retry_delay: Duration::from_millis(20),
        ..Default::default()
    };
    Emulator::start(config, "127.0.0.1:0".parse().unwrap()).await.expect("the emulator starts")
}

/// A studio whose fal settings point at `emu`.
async fn studio_for(emu: &Emulator) -> TestStudio {
    TestStudio::start(&[
        ("FAL_KEY", emu.key()),
        ("ATELIER_FAL_QUEUE_URL", &emu.queue_url()),
        ("ATELIER_FAL_SYNC_URL", &emu.sync_url()),
        ("ATELIER_FAL_REST_URL", &emu.rest_url()),
        ("ATELIER_FAL_JWKS_URL", &emu.jwks_url()),
    ])
    .await
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

fn event_body() -> Vec<u8> {
    json!({
        "request_id": REQUEST_ID,
        "gateway_request_id": REQUEST_ID,
        "status": "OK",
        "payload": {"images": [{"url": "https://v3.fal.media/files/x.png", "width": 64, "height": 64}]},
    })
    .to_string()
    .into_bytes()
}

/// A delivery as fal makes it: `body` signed by `key` at `timestamp`.
fn delivery(key: &SigningKey, timestamp: u64, body: Vec<u8>) -> Request<Body> {
    let signature = sign_webhook(key, REQUEST_ID, USER_ID, timestamp, &body);
    Request::post(WEBHOOK_PATH)
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-fal-webhook-request-id", REQUEST_ID)
        .header("x-fal-webhook-user-id", USER_ID)
        .header("x-fal-webhook-timestamp", timestamp.to_string())
        .header("x-fal-webhook-signature", signature)
        .body(Body::from(body))
        .unwrap()
}

fn assert_refused(response: &TestResponse) {
    assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{}", response.body);
    let error = response.api_error();
    assert!(error.message.contains("webhook"), "{}", error.message);
}

#[tokio::test]
async fn a_delivery_from_fal_reaches_the_studio_and_is_published() {
    let emu = emulator().await;
    let studio = studio_for(&emu).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let app = studio.app.clone().into_make_service_with_connect_info::<SocketAddr>();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let mut events = studio.state.fal.subscribe();
    let client = studio.state.fal.client.as_ref().expect("a key is configured");
    let webhook = Fal::webhook_url(&format!("http://{address}"));
    let input = json!({"prompt": "a call back", "image_size": {"width": 64, "height": 64}, "num_inference_steps": 2});
    let handle = client.submit("fal-ai/flux/schnell", &input, Some(&webhook)).await.unwrap();

    let event: WebhookEvent = tokio::time::timeout(Duration::from_secs(10), events.recv())
        .await
        .expect("a webhook within 10 s")
        .expect("the channel is open");
    assert_eq!(event.request_id, handle.request_id);
    assert_eq!(event.status, WebhookStatus::Ok);
    assert_eq!(event.payload.as_ref().unwrap()["images"][0]["width"], 64);
    let requests: Value =
        reqwest::get(format!("{}/_emulator/requests", emu.url())).await.unwrap().json().await.unwrap();
    assert!(requests.to_string().contains("\"webhook_deliveries\":1"), "{requests}");
    server.abort();
}

#[tokio::test]
async fn a_signed_delivery_is_answered_ok_and_published() {
    let emu = emulator().await;
    let studio = studio_for(&emu).await;
    let mut events = studio.state.fal.subscribe();
    let response = studio.send(delivery(emu.signing_key(), now(), event_body())).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(response.json::<Value>(), json!({"ok": true}));
    let event = events.try_recv().expect("the event was published");
    assert_eq!((event.request_id.as_str(), event.status), (REQUEST_ID, WebhookStatus::Ok));
}

#[tokio::test]
async fn a_delivery_whose_body_was_changed_is_refused() {
    let emu = emulator().await;
    let studio = studio_for(&emu).await;
    let mut events = studio.state.fal.subscribe();
    let mut request = delivery(emu.signing_key(), now(), event_body());
    let tampered = String::from_utf8(event_body()).unwrap().replace("x.png", "y.png");
    *request.body_mut() = Body::from(tampered);
    assert_refused(&studio.send(request).await);
    assert!(events.try_recv().is_err(), "nothing was published");
}

#[tokio::test]
async fn a_delivery_signed_more_than_five_minutes_ago_is_refused() {
    let emu = emulator().await;
    let studio = studio_for(&emu).await;
    assert_refused(&studio.send(delivery(emu.signing_key(), now() - 301, event_body())).await);
    assert_refused(&studio.send(delivery(emu.signing_key(), now() + 301, event_body())).await);
    let response = studio.send(delivery(emu.signing_key(), now() - 290, event_body())).await;
    assert_eq!(response.status, StatusCode::OK, "inside the window: {}", response.body);
}

#[tokio::test]
async fn a_delivery_signed_by_a_key_fal_does_not_publish_is_refused() {
    let emu = emulator().await;
    let studio = studio_for(&emu).await;
    let stranger = SigningKey::from_bytes(&[42; 32]);
    assert_refused(&studio.send(delivery(&stranger, now(), event_body())).await);
}

#[tokio::test]
async fn a_delivery_without_signature_headers_is_refused() {
    let emu = emulator().await;
    let studio = studio_for(&emu).await;
    let unsigned = Request::post(WEBHOOK_PATH)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(event_body()))
        .unwrap();
    assert_refused(&studio.send(unsigned).await);

    let mut garbled = delivery(emu.signing_key(), now(), event_body());
    garbled.headers_mut().insert("x-fal-webhook-signature", "not-hex".parse().unwrap());
    assert_refused(&studio.send(garbled).await);
}

#[tokio::test]
async fn without_fal_keys_to_check_against_a_delivery_is_refused_as_an_upstream_failure() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let nowhere = format!("http://{}/jwks.json", listener.local_addr().unwrap());
    drop(listener);
    let studio = TestStudio::start(&[("ATELIER_FAL_JWKS_URL", &nowhere)]).await;
    let response = studio.send(delivery(&SigningKey::from_bytes(&[1; 32]), now(), event_body())).await;
    assert_eq!(response.status, StatusCode::BAD_GATEWAY, "{}", response.body);
    assert_eq!(response.api_error().code, "upstream");
}

#[tokio::test]
async fn an_oversized_delivery_is_refused_before_it_is_read() {
    let emu = emulator().await;
    let studio = studio_for(&emu).await;
    let huge = vec![b' '; 3 * 1024 * 1024];
    let response = studio.send(delivery(emu.signing_key(), now(), huge)).await;
    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);
}

/// A JWKS endpoint whose key set a test can swap, counting how often it is fetched.
struct KeyServer {
    url: String,
    published: Arc<Mutex<Value>>,
    fetches: Arc<AtomicUsize>,
}

impl KeyServer {
    async fn start(key: &SigningKey) -> KeyServer {
        let published = Arc::new(Mutex::new(fal_emulator::jwks(&key.verifying_key())));
        let fetches = Arc::new(AtomicUsize::new(0));
        let (keys, count) = (published.clone(), fetches.clone());
        let app = axum::Router::new().route(
            "/jwks.json",
            axum::routing::get(move || {
                count.fetch_add(1, Ordering::SeqCst);
                let keys = keys.lock().unwrap().clone();
                async move { axum::Json(keys) }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        KeyServer { url, published, fetches }
    }

    fn publish(&self, key: &SigningKey) {
        *self.published.lock().unwrap() = fal_emulator::jwks(&key.verifying_key());
    }

    fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }
}

fn signed_headers(key: &SigningKey, body: &[u8]) -> HeaderMap {
    let timestamp = now();
    let mut headers = HeaderMap::new();
    headers.insert("x-fal-webhook-request-id", REQUEST_ID.parse().unwrap());
    headers.insert("x-fal-webhook-user-id", USER_ID.parse().unwrap());
    headers.insert("x-fal-webhook-timestamp", timestamp.to_string().parse().unwrap());
    headers.insert("x-fal-webhook-signature", sign_webhook(key, REQUEST_ID, USER_ID, timestamp, body).parse().unwrap());
    headers
}

#[tokio::test]
async fn a_signature_by_an_unknown_key_fetches_the_published_keys_again_before_refusing() {
    let (old, new, stranger) =
        (SigningKey::from_bytes(&[1; 32]), SigningKey::from_bytes(&[2; 32]), SigningKey::from_bytes(&[3; 32]));
    let server = KeyServer::start(&old).await;
    let verifier = WebhookVerifier::new(&server.url).with_refetch_gap(Duration::ZERO);
    let body = event_body();

    assert!(verifier.verify(&signed_headers(&old, &body), &body).await.is_ok());
    assert!(verifier.verify(&signed_headers(&old, &body), &body).await.is_ok());
    assert_eq!(server.fetches(), 1, "the keys are cached");

    server.publish(&new);
    assert!(verifier.verify(&signed_headers(&new, &body), &body).await.is_ok(), "a rotated key is picked up");
    assert_eq!(server.fetches(), 2);

    let refused = verifier.verify(&signed_headers(&stranger, &body), &body).await;
    assert_eq!(refused.unwrap_err(), WebhookError::SignatureMismatch);
    assert_eq!(server.fetches(), 3, "one fetch, then the refusal");
}

#[tokio::test]
async fn unknown_signers_cannot_make_the_studio_fetch_keys_more_than_once_a_minute() {
    let (old, new) = (SigningKey::from_bytes(&[1; 32]), SigningKey::from_bytes(&[2; 32]));
    let server = KeyServer::start(&old).await;
    let verifier = WebhookVerifier::new(&server.url);
    let body = event_body();
    assert!(verifier.verify(&signed_headers(&old, &body), &body).await.is_ok());

    server.publish(&new);
    for _ in 0..3 {
        let refused = verifier.verify(&signed_headers(&new, &body), &body).await;
        assert_eq!(refused.unwrap_err(), WebhookError::SignatureMismatch);
    }
    assert_eq!(server.fetches(), 1);
}
