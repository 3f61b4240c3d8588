//! Where the client sends its calls, with which key, and how long it waits.

use crate::server::config::FalConfig;
use std::fmt;
use std::time::Duration;

/// The fal.ai API key. It prints as `***` and leaves the process only in the `Authorization` header.
#[derive(Clone, PartialEq, Eq)]
pub struct FalKey(String);

impl FalKey {
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into().trim().to_owned())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The value of the `Authorization` header; only the client's request builder reads it.
    pub(super) fn authorization(&self) -> String {
        format!("Key {}", self.0)
    }

    /// The key itself, to mask it wherever an answer might have echoed it.
    pub(super) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for FalKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for FalKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Everything the client needs besides its retry policy. Base URLs carry no trailing slash.
#[derive(Debug, Clone)]
pub struct FalSettings {
    pub key: FalKey,
    /// Queue API: submit, status, result, cancel (`https://queue.fal.run`).
    pub queue_url: String,
    /// Synchronous runs (`https://fal.run`).
    pub sync_url: String,
    /// Storage uploads (`https://rest.fal.ai`).
    pub rest_url: String,
    pub connect_timeout: Duration,
    /// The whole of one queue call, body included.
    pub request_timeout: Duration,
    /// A synchronous run or an upload, which take as long as the model or the file needs.
    pub long_request_timeout: Duration,
    /// How often a status stream that lost its server-sent events polls instead.
    pub poll_interval: Duration,
    /// A status stream silent this long (fal sends a keep-alive every 15 s) is given up for polling.
    pub stream_idle_timeout: Duration,
}

impl FalSettings {
    /// Settings with the default timeouts: connect 10 s, calls 60 s, runs and uploads 5 min, polls
    /// every 500 ms.
    pub fn new(
        key: impl Into<String>,
        queue_url: impl Into<String>,
        sync_url: impl Into<String>,
        rest_url: impl Into<String>,
    ) -> Self {
        Self {
            key: FalKey::new(key),
            queue_url: without_trailing_slash(queue_url.into()),
            sync_url: without_trailing_slash(sync_url.into()),
            rest_url: without_trailing_slash(rest_url.into()),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            long_request_timeout: Duration::from_secs(300),
            poll_interval: Duration::from_millis(500),
            stream_idle_timeout: Duration::from_secs(45),
        }
    }

    /// The studio's settings; `None` when no key is configured (the offline renderer is used then).
    pub fn from_config(config: &FalConfig) -> Option<Self> {
        let settings = Self::new(config.key.clone(), &config.queue_url, &config.sync_url, &config.rest_url);
        (!settings.key.is_empty()).then_some(settings)
    }
}

fn without_trailing_slash(mut url: String) -> String {
    while url.ends_with('/') {
        url.pop();
    }
    url
}
