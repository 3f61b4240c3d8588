//! `FalClient`: the queue (submit, status, result, cancel) and synchronous runs, every call under
//! the retry policy. The key is sent only in the `Authorization` header, and only to the configured
//! fal hosts.

use super::error::FalError;
use super::model_id::ModelId;
use super::retry::{Call, RetryPolicy};
use super::settings::FalSettings;
use super::types::{CancelOutcome, QueueStatus, RequestHandle};
use crate::server::config::FalConfig;
use bytes::Bytes;
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Method, RequestBuilder, StatusCode, Url};
use serde::Deserialize;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

#[derive(Clone)]
pub struct FalClient {
    http: reqwest::Client,
    settings: Arc<FalSettings>,
    retry: RetryPolicy,
}

/// A whole answer: its status, headers and body.
pub(super) struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    /// The body as `T` when the status is a success (any 2xx), else the error fal described.
    pub fn json<T: DeserializeOwned>(self) -> Result<T, FalError> {
        let reply = self.success()?;
        serde_json::from_slice(&reply.body).map_err(|e| FalError::Decode(e.to_string()))
    }

    /// The reply itself when the status is a success, else the error fal described.
    pub fn success(self) -> Result<Self, FalError> {
        if self.status.is_success() { Ok(self) } else { Err(self.error()) }
    }

    pub fn error(&self) -> FalError {
        FalError::from_response(self.status, &self.headers, &self.body)
    }
}

/// What a submit answers (the URLs are optional so an older or proxied answer still works).
#[derive(Deserialize)]
struct SubmitAnswer {
    request_id: String,
    status_url: Option<String>,
    response_url: Option<String>,
    cancel_url: Option<String>,
}

impl FalClient {
    /// A client for `settings`. Builds the HTTP connection pool; it does not call fal.
    pub fn new(settings: FalSettings, retry: RetryPolicy) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.request_timeout)
            .user_agent(concat!("atelier/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("the HTTP client's TLS backend initialises");
        Self { http, settings: Arc::new(settings), retry }
    }

    /// The studio's client, with the default retry policy; `None` when no key is configured.
    pub fn from_config(config: &FalConfig) -> Option<Self> {
        FalSettings::from_config(config).map(|settings| Self::new(settings, RetryPolicy::default()))
    }

    pub fn settings(&self) -> &FalSettings {
        &self.settings
    }

    /// Puts `input` in fal's queue for `model_id`. With `webhook_url`, fal also POSTs the outcome there.
    pub async fn submit(
        &self,
        model_id: &str,
        input: &(impl Serialize + ?Sized),
        webhook_url: Option<&str>,
    ) -> Result<RequestHandle, FalError> {
        let model = ModelId::parse(model_id)?;
        let mut url = join(&self.settings.queue_url, model.as_str())?;
        if let Some(webhook) = webhook_url {
            if !matches!(Url::parse(webhook), Ok(parsed) if matches!(parsed.scheme(), "https" | "http")) {
                return Err(FalError::InvalidInput(format!("the webhook URL '{webhook}' is not an http(s) URL")));
            }
            url.query_pairs_mut().append_pair("fal_webhook", webhook);
        }
        let body = json_body(input)?;
        let answer: SubmitAnswer =
            self.call(Call::Submit, || self.post_json(url.clone(), &body, None), Reply::json).await?;
        let handle = self
            .handle(model_id, &answer.request_id)
            .map_err(|_| FalError::Decode(format!("fal.ai answered an unusable request id '{}'", answer.request_id)))?;
        tracing::debug!(request_id = %handle.request_id, model = model_id, "submitted to fal.ai");
        Ok(RequestHandle {
            status_url: self.trusted(answer.status_url, handle.status_url),
            response_url: self.trusted(answer.response_url, handle.response_url),
            cancel_url: self.trusted(answer.cancel_url, handle.cancel_url),
            ..handle
        })
    }

    /// The handle of a request known only by its model and id, with URLs built from the queue base.
    pub fn handle(&self, model_id: &str, request_id: &str) -> Result<RequestHandle, FalError> {
        let model = ModelId::parse(model_id)?;
        if request_id.is_empty() || !request_id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_')) {
            return Err(FalError::InvalidInput(format!("'{request_id}' is not a fal request id")));
        }
        let base = format!("{}/{}/requests/{request_id}", self.settings.queue_url, model.app());
        Ok(RequestHandle {
            request_id: request_id.to_owned(),
            model_id: model_id.to_owned(),
            status_url: format!("{base}/status"),
            cancel_url: format!("{base}/cancel"),
            response_url: base,
        })
    }

    /// Where the request is now; `logs` asks for the model's log lines too. Any 2xx is an answer.
    pub async fn status(&self, handle: &RequestHandle, logs: bool) -> Result<QueueStatus, FalError> {
        let mut url = self.queue_call_url(&handle.status_url, handle, "/status")?;
        url.query_pairs_mut().append_pair("logs", if logs { "1" } else { "0" });
        self.call(Call::Status, || self.request(Method::GET, url.clone()), Reply::json).await
    }

    /// The model's output, or the model's error as a typed error. Fetch it promptly: fal keeps
    /// results about an hour (minutes for large ones).
    pub async fn result(&self, handle: &RequestHandle) -> Result<Value, FalError> {
        let url = self.queue_call_url(&handle.response_url, handle, "")?;
        self.call(Call::Result, || self.request(Method::GET, url.clone()), Reply::json).await
    }

    /// Asks fal to cancel the request.
    pub async fn cancel(&self, handle: &RequestHandle) -> Result<CancelOutcome, FalError> {
        let url = self.queue_call_url(&handle.cancel_url, handle, "/cancel")?;
        self.call(Call::Cancel, || self.request(Method::PUT, url.clone()), cancel_outcome).await
    }

    /// Runs the model and waits for its output in the same call. fal does not retry these itself.
    pub async fn run_sync(&self, model_id: &str, input: &(impl Serialize + ?Sized)) -> Result<Value, FalError> {
        let model = ModelId::parse(model_id)?;
        let url = join(&self.settings.sync_url, model.as_str())?;
        let body = json_body(input)?;
        let timeout = Some(self.settings.long_request_timeout);
        self.call(Call::Sync, || self.post_json(url.clone(), &body, timeout), Reply::json).await
    }

    /// A request to a fal host, carrying the key.
    pub(super) fn request(&self, method: Method, url: Url) -> Result<RequestBuilder, FalError> {
        let mut authorization = HeaderValue::from_str(&self.settings.key.authorization()).map_err(|_| {
            FalError::InvalidInput("FAL_KEY holds characters that cannot be sent to fal.ai; check FAL_KEY.".to_owned())
        })?;
        authorization.set_sensitive(true);
        Ok(self.http.request(method, url).header(header::AUTHORIZATION, authorization))
    }

    pub(super) fn post_json(
        &self,
        url: Url,
        body: &Bytes,
        timeout: Option<std::time::Duration>,
    ) -> Result<RequestBuilder, FalError> {
        let request =
            self.request(Method::POST, url)?.header(header::CONTENT_TYPE, "application/json").body(body.clone());
        Ok(match timeout {
            Some(timeout) => request.timeout(timeout),
            None => request,
        })
    }

    /// A request without the key (pre-signed storage URLs).
    pub(super) fn anonymous(&self, method: Method, url: Url) -> RequestBuilder {
        self.http.request(method, url)
    }

    /// Sends the request `build` makes and reads the reply with `read`, trying again as the retry
    /// policy allows.
    pub(super) async fn call<T>(
        &self,
        call: Call,
        build: impl Fn() -> Result<RequestBuilder, FalError>,
        read: impl Fn(Reply) -> Result<T, FalError>,
    ) -> Result<T, FalError> {
        self.retrying(call, || {
            let request = build();
            let read = &read;
            async move { read(self.attempt(request?).await?) }
        })
        .await
    }

    /// Runs `attempt` until it succeeds, fails for good, or the retries for `call` are spent.
    pub(super) async fn retrying<T, F, Fut>(&self, call: Call, mut attempt: F) -> Result<T, FalError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, FalError>>,
    {
        let mut retry = 0;
        loop {
            let err = match attempt().await {
                Ok(value) => return Ok(value),
                Err(err) => err.redacted(self.settings.key.expose()),
            };
            if retry >= self.retry.budget(call) || !self.retry.should_retry(call, &err) {
                tracing::debug!(call = call.name(), retries = retry, error = %err, "fal.ai call failed");
                return Err(err);
            }
            let delay = self.retry.delay(retry, err.retry_after());
            tracing::warn!(
                call = call.name(),
                retry = retry + 1,
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                error = %err,
                "fal.ai call failed; trying again"
            );
            tokio::time::sleep(delay).await;
            retry += 1;
        }
    }

    async fn attempt(&self, request: RequestBuilder) -> Result<Reply, FalError> {
        let response = request.send().await.map_err(|e| FalError::transport(&e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(|e| FalError::transport(&e))?;
        Ok(Reply { status, headers, body })
    }

    /// `given` when it points at the configured queue host, else `derived`. The key goes only where
    /// the configuration says fal is.
    fn trusted(&self, given: Option<String>, derived: String) -> String {
        match given {
            Some(url) if self.is_queue_host(&url) => url,
            Some(url) => {
                tracing::warn!(%url, "fal.ai answered a URL outside the configured queue host; using the standard one");
                derived
            }
            None => derived,
        }
    }

    /// The URL of a queue call on `handle`: the stored one when it is on the queue host, else the
    /// standard one for the handle's model and request.
    pub(super) fn queue_call_url(&self, stored: &str, handle: &RequestHandle, suffix: &str) -> Result<Url, FalError> {
        let url = if self.is_queue_host(stored) {
            stored.to_owned()
        } else {
            let standard = self.handle(&handle.model_id, &handle.request_id)?;
            format!("{}{suffix}", standard.response_url)
        };
        Url::parse(&url).map_err(|e| FalError::InvalidInput(format!("'{url}' is not a URL: {e}")))
    }

    fn is_queue_host(&self, url: &str) -> bool {
        match (Url::parse(url), Url::parse(&self.settings.queue_url)) {
            (Ok(url), Ok(queue)) => url.origin() == queue.origin(),
            _ => false,
        }
    }
}

/// What a cancel achieved: 2xx is accepted, `ALREADY_COMPLETED` (400) and 404 are final answers.
fn cancel_outcome(reply: Reply) -> Result<CancelOutcome, FalError> {
    let said: Option<String> = serde_json::from_slice::<Value>(&reply.body)
        .ok()
        .and_then(|v| v.get("status").and_then(Value::as_str).map(str::to_owned));
    match (reply.status.as_u16(), said.as_deref()) {
        (_, Some("ALREADY_COMPLETED")) => Ok(CancelOutcome::AlreadyCompleted),
        (404, _) | (_, Some("NOT_FOUND")) => Ok(CancelOutcome::NotFound),
        (200..=299, _) => Ok(CancelOutcome::Requested),
        _ => Err(reply.error()),
    }
}

/// `{base}/{path}` as a URL; `base` is one of the configured fal URLs.
pub(super) fn join(base: &str, path: &str) -> Result<Url, FalError> {
    let url = format!("{base}/{path}");
    Url::parse(&url).map_err(|e| FalError::InvalidInput(format!("'{url}' is not a URL: {e}; check the fal URLs")))
}

fn json_body(input: &(impl Serialize + ?Sized)) -> Result<Bytes, FalError> {
    serde_json::to_vec(input)
        .map(Bytes::from)
        .map_err(|e| FalError::InvalidInput(format!("the model input cannot be written as JSON: {e}")))
}

/// The key is never printed.
impl fmt::Debug for FalClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FalClient").field("settings", &self.settings).field("retry", &self.retry).finish()
    }
}
