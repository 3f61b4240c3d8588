//! What fal.ai's queue and webhooks say, as the studio keeps it.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// A submitted request: enough to ask about it, fetch its result or cancel it later, even after a
/// restart (the job queue stores it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestHandle {
    pub request_id: String,
    pub model_id: String,
    pub status_url: String,
    pub response_url: String,
    pub cancel_url: String,
}

/// Where a queued request is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusKind {
    InQueue,
    InProgress,
    Completed,
    /// A status this client does not know yet; treated as still running.
    Unknown(String),
}

impl StatusKind {
    pub fn as_str(&self) -> &str {
        match self {
            Self::InQueue => "IN_QUEUE",
            Self::InProgress => "IN_PROGRESS",
            Self::Completed => "COMPLETED",
            Self::Unknown(other) => other,
        }
    }
}

impl Serialize for StatusKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for StatusKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(match text.as_str() {
            "IN_QUEUE" => Self::InQueue,
            "IN_PROGRESS" => Self::InProgress,
            "COMPLETED" => Self::Completed,
            _ => Self::Unknown(text),
        })
    }
}

/// One status report (a poll's answer or one server-sent event).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueStatus {
    pub status: StatusKind,
    #[serde(default)]
    pub request_id: Option<String>,
    /// 0-based, only while `IN_QUEUE`.
    #[serde(default)]
    pub queue_position: Option<u64>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub logs: Vec<LogLine>,
    #[serde(default)]
    pub metrics: Option<Metrics>,
    /// Set on a `COMPLETED` request that failed; the result call then answers the model's error.
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub error_type: Option<String>,
}

impl QueueStatus {
    pub fn is_completed(&self) -> bool {
        self.status == StatusKind::Completed
    }

    /// Completed, but with an error (failed, timed out or cancelled).
    pub fn is_failed(&self) -> bool {
        self.is_completed() && (self.error.is_some() || self.error_type.is_some())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogLine {
    #[serde(default)]
    pub message: String,
    /// STDERR, STDOUT, ERROR, INFO, WARN or DEBUG.
    #[serde(default)]
    pub level: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub timestamp: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Seconds the model ran, when fal reports it.
    #[serde(default)]
    pub inference_time: Option<f64>,
}

/// What a cancel request achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelOutcome {
    /// fal accepted the cancellation; the request completes with `error_type: request_cancelled`.
    Requested,
    /// Too late: the request had already completed.
    AlreadyCompleted,
    /// fal does not know the request.
    NotFound,
}

/// A webhook delivery from fal, after its signature was verified.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookEvent {
    pub request_id: String,
    #[serde(default)]
    pub gateway_request_id: Option<String>,
    pub status: WebhookStatus,
    /// The model's output, or its error detail when `status` is `Error`.
    #[serde(default)]
    pub payload: Option<Value>,
    #[serde(default)]
    pub error: Option<String>,
    /// Why `payload` is missing, when it is.
    #[serde(default)]
    pub payload_error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookStatus {
    Ok,
    /// `ERROR`, or any status other than `OK`: the job's own poll finds out what happened.
    Error,
}

impl Serialize for WebhookStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(match self {
            Self::Ok => "OK",
            Self::Error => "ERROR",
        })
    }
}

impl<'de> Deserialize<'de> for WebhookStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(if text == "OK" { Self::Ok } else { Self::Error })
    }
}

fn null_as_empty<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_unknown_status_is_kept_rather_than_refused() {
        let status: QueueStatus = serde_json::from_value(json!({"status": "PAUSED", "logs": null})).unwrap();
        assert_eq!(status.status, StatusKind::Unknown("PAUSED".into()));
        assert!(status.logs.is_empty());
        assert!(!status.is_completed());
    }

    #[test]
    fn a_completed_status_with_an_error_is_a_failure() {
        let status: QueueStatus = serde_json::from_value(json!({
            "status": "COMPLETED", "request_id": "r1", "error": "Invalid status code: 422",
            "metrics": {"inference_time": null}, "logs": [{"message": "hi", "level": "INFO"}]
        }))
        .unwrap();
        assert!(status.is_failed());
        assert_eq!(status.logs[0].message, "hi");
        assert_eq!(status.metrics.unwrap().inference_time, None);
    }

    #[test]
    fn a_request_handle_survives_a_round_trip_through_json() {
        let handle = RequestHandle {
            request_id: "r".into(),
            model_id: "fal-ai/flux/dev".into(),
            status_url: "s".into(),
            response_url: "p".into(),
            cancel_url: "c".into(),
        };
        let text = serde_json::to_string(&handle).unwrap();
        assert_eq!(serde_json::from_str::<RequestHandle>(&text).unwrap(), handle);
    }

    #[test]
    fn webhook_statuses_other_than_ok_count_as_errors() {
        let event: WebhookEvent =
            serde_json::from_value(json!({"request_id": "r", "status": "WEIRD", "payload": null})).unwrap();
        assert_eq!(event.status, WebhookStatus::Error);
        assert_eq!(event.payload, None);
    }
}
