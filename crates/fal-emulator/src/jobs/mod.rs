//! Requests and their queue: what was submitted, where it stands, how it ended.

pub mod inputs;
pub mod outcome;
pub mod output;
pub mod runner;
pub mod status;
mod store;

pub use store::JobStore;

use crate::faults::{LifecycleFaults, WebhookFault};
use crate::model_id::ModelId;
use atelier_catalogue::ModelSpec;
use outcome::Outcome;
use serde_json::{Map, Value, json};
use std::time::{Duration, Instant};
use tokio::sync::watch;
use uuid::Uuid;

/// How a request came in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    Queue,
    Sync,
}

/// `x-fal-queue-priority`: low requests wait behind every normal one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Priority {
    Normal,
    Low,
}

pub enum Phase {
    InQueue,
    InProgress,
    Completed(Outcome),
}

impl Phase {
    pub fn name(&self) -> &'static str {
        match self {
            Phase::InQueue => "IN_QUEUE",
            Phase::InProgress => "IN_PROGRESS",
            Phase::Completed(_) => "COMPLETED",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogLevel {
    Info,
    Warn,
    Error,
}

#[derive(Clone, Debug)]
pub struct LogLine {
    pub message: String,
    pub level: LogLevel,
    pub timestamp: String,
}

impl LogLine {
    pub fn to_json(&self) -> Value {
        let level = match self.level {
            LogLevel::Info => "INFO",
            LogLevel::Warn => "WARN",
            LogLevel::Error => "ERROR",
        };
        json!({ "message": self.message, "level": level, "source": "USER", "timestamp": self.timestamp })
    }
}

/// The absolute URLs a submit hands out for one request.
#[derive(Clone, Debug)]
pub struct RequestUrls {
    pub response_url: String,
    pub status_url: String,
    pub cancel_url: String,
}

impl RequestUrls {
    pub fn new(base_url: &str, model: &ModelId, id: Uuid) -> RequestUrls {
        let response_url = format!("{base_url}/queue/{}/requests/{id}", model.app());
        RequestUrls {
            status_url: format!("{response_url}/status"),
            cancel_url: format!("{response_url}/cancel"),
            response_url,
        }
    }
}

/// What a caller knows about a new request.
pub struct NewJob {
    pub model: ModelId,
    pub spec: &'static ModelSpec,
    pub via: Via,
    pub input: Map<String, Value>,
    pub priority: Priority,
    pub faults: LifecycleFaults,
    pub webhook_url: Option<String>,
    /// `x-fal-request-timeout`: the longest the request may wait in the queue.
    pub queue_timeout: Option<Duration>,
    pub base_url: String,
}

pub struct Job {
    pub id: Uuid,
    pub gateway_request_id: Uuid,
    pub model: ModelId,
    pub spec: &'static ModelSpec,
    pub via: Via,
    pub input: Map<String, Value>,
    pub priority: Priority,
    pub faults: LifecycleFaults,
    pub webhook_url: Option<String>,
    pub queue_timeout: Option<Duration>,
    pub urls: RequestUrls,
    pub phase: Phase,
    pub logs: Vec<LogLine>,
    pub webhook_deliveries: u32,
    submitted_at: Instant,
    runnable_at: Instant,
    cancel: watch::Sender<bool>,
    changes: watch::Sender<u64>,
}

impl Job {
    fn changed(&self) {
        self.changes.send_modify(|version| *version += 1);
    }
}

/// A request a runner took from the queue, with what it needs to run it.
pub struct Claim {
    pub id: Uuid,
    pub spec: &'static ModelSpec,
    pub input: Map<String, Value>,
    pub faults: LifecycleFaults,
    pub cancel: watch::Receiver<bool>,
    /// It waited longer than its `x-fal-request-timeout`.
    pub timed_out: bool,
}

pub enum Next {
    Run(Claim),
    /// Nothing runnable: wait for a submit, or until the given time (a slow-queue request ripens).
    Wait(Option<Instant>),
}

/// A webhook to send once a request completes.
pub struct PendingWebhook {
    pub request_id: Uuid,
    pub url: String,
    pub body: Value,
    pub fault: WebhookFault,
}

/// What a submit answers with.
pub struct Submitted {
    pub id: Uuid,
    pub gateway_request_id: Uuid,
    pub queue_position: usize,
    pub urls: RequestUrls,
}

pub enum CancelOutcome {
    /// The request left the queue (and may carry its webhook) or its runner was told to stop.
    Requested(Option<PendingWebhook>),
    AlreadyCompleted,
    NotFound,
}
