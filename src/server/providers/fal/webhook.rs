//! Checking that a webhook delivery comes from fal: an Ed25519 signature over the request id, user
//! id, timestamp and body hash, made by one of the keys fal publishes (JWKS), within 300 s of now.

use super::types::WebhookEvent;
use base64::Engine as _;
use ed25519_dalek::{Signature, VerifyingKey};
use http::HeaderMap;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::Mutex;

/// How far a delivery's timestamp may be from now, either way.
pub const TIMESTAMP_WINDOW: Duration = Duration::from_secs(300);
/// Fetched keys are trusted this long before they are fetched again.
const KEYS_MAX_AGE: Duration = Duration::from_secs(24 * 3600);
/// Fetches (a signature that matches no known key triggers one) happen at most this often, unless
/// set otherwise.
const REFETCH_GAP: Duration = Duration::from_secs(60);
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

const REQUEST_ID: &str = "x-fal-webhook-request-id";
const USER_ID: &str = "x-fal-webhook-user-id";
const TIMESTAMP: &str = "x-fal-webhook-timestamp";
const SIGNATURE: &str = "x-fal-webhook-signature";

/// Why a delivery was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("the {0} header is missing")]
    MissingHeader(&'static str),
    #[error("the {0} header is malformed")]
    MalformedHeader(&'static str),
    #[error("the timestamp is {skew_secs} s from now, outside the 300 s window")]
    StaleTimestamp { skew_secs: u64 },
    #[error("the signature matches none of fal's published keys")]
    SignatureMismatch,
    /// fal's keys could not be fetched, and none were fetched before.
    #[error("fal's webhook keys cannot be fetched: {0}")]
    KeysUnavailable(String),
    /// Correctly signed, but not a fal event.
    #[error("the webhook body is not a fal event: {0}")]
    InvalidBody(String),
}

/// Verifies deliveries against the keys published at a JWKS URL, cached.
pub struct WebhookVerifier {
    http: reqwest::Client,
    jwks_url: String,
    refetch_gap: Duration,
    cache: Mutex<KeyCache>,
}

#[derive(Default)]
struct KeyCache {
    keys: Arc<[VerifyingKey]>,
    fetched_at: Option<Instant>,
    attempted_at: Option<Instant>,
}

/// Why the keys are wanted.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Need {
    /// Any keys will do unless they are older than a day.
    Current,
    /// A signature matched none of the cached keys: fal may have rotated them.
    Newer,
}

impl WebhookVerifier {
    pub fn new(jwks_url: impl Into<String>) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(FETCH_TIMEOUT)
            .timeout(FETCH_TIMEOUT)
            .build()
            .expect("the HTTP client's TLS backend initialises");
        Self { http, jwks_url: jwks_url.into(), refetch_gap: REFETCH_GAP, cache: Mutex::new(KeyCache::default()) }
    }

    /// Changes how often at most the keys are fetched (once a minute by default).
    pub fn with_refetch_gap(mut self, gap: Duration) -> Self {
        self.refetch_gap = gap;
        self
    }

    /// The event a delivery carries, once its headers and signature check out.
    pub async fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<WebhookEvent, WebhookError> {
        let request_id = required(headers, REQUEST_ID)?;
        let user_id = required(headers, USER_ID)?;
        let timestamp = required(headers, TIMESTAMP)?;
        let signature = required(headers, SIGNATURE)?;

        let sent_at: i64 = timestamp.trim().parse().map_err(|_| WebhookError::MalformedHeader(TIMESTAMP))?;
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let skew_secs = i64::try_from(now).unwrap_or(i64::MAX).abs_diff(sent_at);
        if skew_secs > TIMESTAMP_WINDOW.as_secs() {
            return Err(WebhookError::StaleTimestamp { skew_secs });
        }
        let signature: [u8; 64] = hex::decode(signature.trim())
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or(WebhookError::MalformedHeader(SIGNATURE))?;
        let signature = Signature::from_bytes(&signature);
        let message = format!("{request_id}\n{user_id}\n{timestamp}\n{}", hex::encode(Sha256::digest(body)));

        let signed_by_any =
            |keys: &[VerifyingKey]| keys.iter().any(|key| key.verify_strict(message.as_bytes(), &signature).is_ok());
        if !signed_by_any(&self.keys(Need::Current).await?) && !signed_by_any(&self.keys(Need::Newer).await?) {
            return Err(WebhookError::SignatureMismatch);
        }

        let event: WebhookEvent = serde_json::from_slice(body).map_err(|e| WebhookError::InvalidBody(e.to_string()))?;
        if event.request_id != request_id {
            return Err(WebhookError::InvalidBody(format!(
                "it is about request {} but was signed for {request_id}",
                event.request_id
            )));
        }
        Ok(event)
    }

    /// The cached keys, fetched first when `need` calls for it and the last try is a minute old.
    async fn keys(&self, need: Need) -> Result<Arc<[VerifyingKey]>, WebhookError> {
        let mut cache = self.cache.lock().await;
        let older_than = |at: Option<Instant>, age: Duration| at.is_none_or(|t| t.elapsed() >= age);
        let wanted = match need {
            Need::Current => older_than(cache.fetched_at, KEYS_MAX_AGE),
            Need::Newer => true,
        };
        let allowed = cache.keys.is_empty() || older_than(cache.attempted_at, self.refetch_gap);
        if wanted && allowed {
            cache.attempted_at = Some(Instant::now());
            match self.fetch().await {
                Ok(keys) => {
                    cache.keys = keys.into();
                    cache.fetched_at = Some(Instant::now());
                }
                Err(err) if cache.keys.is_empty() => return Err(err),
                Err(err) => tracing::warn!(error = %err, "keeping fal's webhook keys fetched earlier"),
            }
        }
        Ok(cache.keys.clone())
    }

    async fn fetch(&self) -> Result<Vec<VerifyingKey>, WebhookError> {
        let unavailable = |why: String| WebhookError::KeysUnavailable(format!("{}: {why}", self.jwks_url));
        let response = self.http.get(&self.jwks_url).send().await.map_err(|e| unavailable(e.to_string()))?;
        if !response.status().is_success() {
            return Err(unavailable(format!("HTTP {}", response.status())));
        }
        let jwks: Jwks = response.json().await.map_err(|e| unavailable(e.to_string()))?;
        let keys: Vec<VerifyingKey> = jwks.keys.iter().filter_map(Jwk::ed25519).collect();
        if keys.is_empty() {
            return Err(unavailable("no Ed25519 key in the set".to_owned()));
        }
        tracing::debug!(count = keys.len(), "fetched fal's webhook keys");
        Ok(keys)
    }
}

#[derive(Deserialize)]
struct Jwks {
    keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct Jwk {
    #[serde(default)]
    kty: String,
    #[serde(default)]
    crv: String,
    #[serde(default)]
    x: String,
}

impl Jwk {
    /// The key, if this entry is a well-formed Ed25519 public key (`kty: OKP`, `crv: Ed25519`).
    fn ed25519(&self) -> Option<VerifyingKey> {
        if self.kty != "OKP" || self.crv != "Ed25519" {
            return None;
        }
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(self.x.trim_end_matches('=')).ok()?;
        VerifyingKey::from_bytes(&bytes.try_into().ok()?).ok()
    }
}

fn required<'a>(headers: &'a HeaderMap, name: &'static str) -> Result<&'a str, WebhookError> {
    let value = headers.get(name).ok_or(WebhookError::MissingHeader(name))?;
    value.to_str().map_err(|_| WebhookError::MalformedHeader(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_jwk_yields_its_ed25519_key_and_other_keys_are_skipped() {
        let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]).verifying_key();
        let x = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.as_bytes());
        let jwk = |kty: &str, crv: &str, x: &str| Jwk { kty: kty.into(), crv: crv.into(), x: x.into() };
        assert_eq!(jwk("OKP", "Ed25519", &x).ed25519(), Some(key));
        assert_eq!(jwk("OKP", "Ed25519", &format!("{x}=")).ed25519(), Some(key));
        assert_eq!(jwk("RSA", "Ed25519", &x).ed25519(), None);
        assert_eq!(jwk("OKP", "X25519", &x).ed25519(), None);
        assert_eq!(jwk("OKP", "Ed25519", "short").ed25519(), None);
    }
}
