//! Webhook delivery, signed like fal's: Ed25519 over
//! `{request_id}\n{user_id}\n{timestamp}\n{hex(sha256(body))}`, with the public key served as a JWKS.

use crate::faults::WebhookFault;
use crate::state::AppState;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// The user id the emulator signs every webhook for.
pub const WEBHOOK_USER_ID: &str = "emulator-user";

/// A fresh random signing key.
pub fn generate_signing_key() -> Result<SigningKey, getrandom::Error> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret)?;
    Ok(SigningKey::from_bytes(&secret))
}

/// The hex signature fal would put in `X-Fal-Webhook-Signature` for this body.
pub fn sign_webhook(key: &SigningKey, request_id: &str, user_id: &str, timestamp: u64, body: &[u8]) -> String {
    let body_hash = hex::encode(Sha256::digest(body));
    let message = format!("{request_id}\n{user_id}\n{timestamp}\n{body_hash}");
    hex::encode(key.sign(message.as_bytes()).to_bytes())
}

/// The key id the JWKS names the key by: the first 16 hex digits of the SHA-256 of the public key.
pub fn key_id(key: &VerifyingKey) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))[..16].to_owned()
}

/// `{"keys":[{"kty":"OKP","crv":"Ed25519","x":…,"kid":…,"use":"sig"}]}`
pub fn jwks(key: &VerifyingKey) -> Value {
    json!({
        "keys": [{
            "kty": "OKP",
            "crv": "Ed25519",
            "x": URL_SAFE_NO_PAD.encode(key.as_bytes()),
            "kid": key_id(key),
            "use": "sig",
            "alg": "EdDSA",
        }]
    })
}

/// Delivers `body` to `url` in the background, retrying failures, and counts successful deliveries
/// on the request.
pub fn spawn_delivery(state: Arc<AppState>, request_id: Uuid, url: String, body: Value, fault: WebhookFault) {
    if fault == WebhookFault::Never {
        tracing::info!(%request_id, "webhook withheld by an injected fault");
        return;
    }
    tokio::spawn(async move {
        let body = body.to_string().into_bytes();
        let copies = if fault == WebhookFault::Twice { 2 } else { 1 };
        let attempts = state.config.webhook_attempts.max(1);
        for attempt in 1..=attempts {
            let headers = signed_headers(&state.signing_key, request_id, &body);
            match post(&state.http, &url, &headers, &body).await {
                Ok(()) => {
                    state.jobs.count_webhook_delivery(request_id);
                    // A duplicate is the very same signed request, as a retrying sender would produce.
                    for _ in 1..copies {
                        if post(&state.http, &url, &headers, &body).await.is_ok() {
                            state.jobs.count_webhook_delivery(request_id);
                        }
                    }
                    return;
                }
                Err(reason) => {
                    tracing::warn!(%request_id, attempt, %reason, "webhook delivery failed");
                    if attempt < attempts {
                        tokio::time::sleep(state.config.webhook_retry_delay).await;
                    }
                }
            }
        }
    });
}

fn signed_headers(key: &SigningKey, request_id: Uuid, body: &[u8]) -> Vec<(&'static str, String)> {
    let request_id = request_id.to_string();
    let timestamp = crate::clock::unix_now();
    let signature = sign_webhook(key, &request_id, WEBHOOK_USER_ID, timestamp, body);
    vec![
        ("x-fal-webhook-request-id", request_id),
        ("x-fal-webhook-user-id", WEBHOOK_USER_ID.to_owned()),
        ("x-fal-webhook-timestamp", timestamp.to_string()),
        ("x-fal-webhook-signature", signature),
    ]
}

async fn post(
    http: &reqwest::Client,
    url: &str,
    headers: &[(&'static str, String)],
    body: &[u8],
) -> Result<(), String> {
    let mut request =
        http.post(url).timeout(Duration::from_secs(15)).header("content-type", "application/json").body(body.to_vec());
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let response = request.send().await.map_err(|error| error.to_string())?;
    if response.status().is_success() { Ok(()) } else { Err(format!("receiver answered {}", response.status())) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signature, Verifier};

    #[test]
    fn a_signature_verifies_over_the_documented_message() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let body = br#"{"status":"OK"}"#;
        let signature = sign_webhook(&key, "req-1", "user-1", 1_700_000_000, body);
        let message = format!("req-1\nuser-1\n1700000000\n{}", hex::encode(Sha256::digest(body)));
        let bytes: [u8; 64] = hex::decode(signature).unwrap().try_into().unwrap();
        assert!(key.verifying_key().verify(message.as_bytes(), &Signature::from_bytes(&bytes)).is_ok());
    }

    #[test]
    fn the_jwks_carries_the_public_key_in_base64url() {
        let key = SigningKey::from_bytes(&[9u8; 32]);
        let jwks = jwks(&key.verifying_key());
        let x = jwks["keys"][0]["x"].as_str().unwrap();
        assert_eq!(URL_SAFE_NO_PAD.decode(x).unwrap(), key.verifying_key().as_bytes());
        assert_eq!(jwks["keys"][0]["crv"], "Ed25519");
    }
}
