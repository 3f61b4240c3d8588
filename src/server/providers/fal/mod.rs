//! fal.ai: our own thin client of its queue, sync and storage APIs, and the checks on the webhooks
//! it sends. The protocol is described in the team's fal-protocol reference.

mod client;
mod error;
mod files;
mod model_id;
mod retry;
mod settings;
mod sse;
mod stream;
mod types;
mod webhook;

pub use client::FalClient;
pub use error::{FalError, FieldError};
pub use files::{DATA_URI_MAX_BYTES, UPLOAD_MAX_BYTES, data_uri};
pub use model_id::ModelId;
pub use retry::{Call, RetryPolicy};
pub use settings::{FalKey, FalSettings};
pub use types::{CancelOutcome, LogLine, Metrics, QueueStatus, RequestHandle, StatusKind, WebhookEvent, WebhookStatus};
pub use webhook::{TIMESTAMP_WINDOW, WebhookError, WebhookVerifier};

use crate::server::config::FalConfig;
use std::fmt;
use tokio::sync::broadcast;

/// Where fal delivers webhooks, under the studio's public URL.
pub const WEBHOOK_PATH: &str = "/api/webhooks/fal";
/// Undelivered events beyond this many are dropped for a slow listener (it still polls).
const EVENT_BUFFER: usize = 256;

/// The studio's fal.ai side: the client (when a key is configured), the webhook checks, and the
/// channel verified webhook events are published on. Webhooks only wake jobs early; polling still
/// finishes every job.
pub struct Fal {
    pub client: Option<FalClient>,
    pub webhooks: WebhookVerifier,
    pub events: broadcast::Sender<WebhookEvent>,
}

impl Fal {
    pub fn new(client: Option<FalClient>, webhooks: WebhookVerifier) -> Self {
        Self { client, webhooks, events: broadcast::channel(EVENT_BUFFER).0 }
    }

    pub fn from_config(config: &FalConfig) -> Self {
        Self::new(FalClient::from_config(config), WebhookVerifier::new(&config.jwks_url))
    }

    /// Verified webhook events from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<WebhookEvent> {
        self.events.subscribe()
    }

    /// Tells every listener about a verified event; with no listener it is simply dropped.
    pub fn publish(&self, event: WebhookEvent) {
        let _ = self.events.send(event);
    }

    /// The URL to pass to `submit` so fal calls the studio back.
    pub fn webhook_url(public_url: &str) -> String {
        format!("{}{WEBHOOK_PATH}", public_url.trim_end_matches('/'))
    }
}

impl fmt::Debug for Fal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fal").field("client", &self.client).finish_non_exhaustive()
    }
}
