//! `FalError`: every way a fal.ai call can fail, keeping what fal said (status, `error_type`, the
//! 422 field errors, `Retry-After`) and offering a message a person can act on.

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;
use std::time::Duration;

/// Longest piece of a response body kept in an error.
const MAX_MESSAGE_CHARS: usize = 300;

/// One refused input field of a 422 answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The input's path, as `prompt` or `image_size.width`.
    pub field: String,
    pub message: String,
    /// fal's error type for the field, e.g. `value_error.missing`.
    pub kind: Option<String>,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum FalError {
    /// 401 or 403: the key is wrong, revoked or lacks access.
    #[error("fal.ai refused the API key (HTTP {status})")]
    Unauthorized { status: u16 },
    /// The model refused its input (422, or another 4xx carrying field errors).
    #[error("fal.ai refused the input (HTTP {status}): {}", describe_fields(fields, message.as_deref()))]
    Validation { status: u16, fields: Vec<FieldError>, message: Option<String> },
    /// 429, after the retries were spent.
    #[error("fal.ai rate limited the call (HTTP 429)")]
    RateLimited { retry_after: Option<Duration> },
    /// Any other answer that is not a success, with what fal said about it.
    #[error("fal.ai answered HTTP {status}{}: {message}", error_type.as_deref().map(|t| format!(" ({t})")).unwrap_or_default())]
    Http {
        status: u16,
        error_type: Option<String>,
        message: String,
        retry_after: Option<Duration>,
        /// A 504 for the request's own timeout (`X-Fal-Request-Timeout-Type: user`): never retried.
        user_timeout: bool,
        /// What `X-Fal-Retryable` said, if it was sent; `false` rules out a retry.
        retryable: Option<bool>,
    },
    /// No answer: the connection failed, timed out or broke mid-body.
    #[error("fal.ai could not be reached: {message}")]
    Transport {
        message: String,
        /// False when the request surely never reached fal (the connection was not established), so
        /// even a submit can be sent again without starting a second job.
        reached_server: bool,
    },
    /// A success whose body is not what the protocol promises.
    #[error("fal.ai sent an answer the client cannot read: {0}")]
    Decode(String),
    /// The caller's own input cannot be sent (a malformed model id, a file too large, …).
    #[error("{0}")]
    InvalidInput(String),
}

impl FalError {
    /// Builds the error for a non-success answer from its status, headers and body.
    pub fn from_response(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Self {
        let code = status.as_u16();
        let json: Option<Value> = serde_json::from_slice(body).ok();
        let detail = json.as_ref().and_then(|v| v.get("detail"));
        let fields = detail.and_then(Value::as_array).map(|items| items.iter().map(field_error).collect::<Vec<_>>());
        let message = message_of(json.as_ref(), body);
        let retry_after = header(headers, "retry-after").and_then(parse_retry_after);
        match code {
            401 | 403 => Self::Unauthorized { status: code },
            429 => Self::RateLimited { retry_after },
            422 => Self::Validation { status: code, fields: fields.unwrap_or_default(), message },
            400..=499 if fields.as_ref().is_some_and(|f| !f.is_empty()) => {
                Self::Validation { status: code, fields: fields.unwrap_or_default(), message }
            }
            _ => Self::Http {
                status: code,
                error_type: header(headers, "x-fal-error-type").map(str::to_owned).or_else(|| {
                    json.as_ref().and_then(|v| v.get("error_type")).and_then(Value::as_str).map(str::to_owned)
                }),
                message: message.unwrap_or_else(|| status.canonical_reason().unwrap_or("no detail").to_owned()),
                retry_after,
                user_timeout: header(headers, "x-fal-request-timeout-type")
                    .is_some_and(|t| t.eq_ignore_ascii_case("user")),
                retryable: header(headers, "x-fal-retryable").and_then(|v| {
                    match v.trim().to_ascii_lowercase().as_str() {
                        "true" | "1" => Some(true),
                        "false" | "0" => Some(false),
                        _ => None,
                    }
                }),
            },
        }
    }

    /// Wraps a failure of reqwest to get an answer, with the chain of causes.
    pub fn transport(err: &reqwest::Error) -> Self {
        let mut message = err.to_string();
        let mut source = std::error::Error::source(err);
        while let Some(cause) = source {
            message.push_str(": ");
            message.push_str(&cause.to_string());
            source = cause.source();
        }
        Self::Transport { message: truncate(&message), reached_server: !err.is_connect() }
    }

    /// The HTTP status fal answered, when it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Unauthorized { status } | Self::Validation { status, .. } | Self::Http { status, .. } => {
                Some(*status)
            }
            Self::RateLimited { .. } => Some(429),
            Self::Transport { .. } | Self::Decode(_) | Self::InvalidInput(_) => None,
        }
    }

    /// fal's `error_type` (`request_timeout`, `runner_scheduling_failure`, `request_cancelled`, …).
    pub fn error_type(&self) -> Option<&str> {
        match self {
            Self::Http { error_type, .. } => error_type.as_deref(),
            _ => None,
        }
    }

    /// The refused input fields of a validation error.
    pub fn fields(&self) -> &[FieldError] {
        match self {
            Self::Validation { fields, .. } => fields,
            _ => &[],
        }
    }

    /// How long fal asked the client to wait before trying again.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after } | Self::Http { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// A 504 for the request's own timeout, which no retry can fix.
    pub fn is_user_timeout(&self) -> bool {
        matches!(self, Self::Http { user_timeout: true, .. })
    }

    /// What to tell the person whose generation this was: the cause and what they can do.
    pub fn user_message(&self) -> String {
        match self {
            Self::Unauthorized { .. } => "fal.ai refused the API key — check FAL_KEY.".to_owned(),
            Self::Validation { fields, message, .. } => {
                format!("fal.ai refused the input: {}", describe_fields(fields, message.as_deref()))
            }
            Self::RateLimited { retry_after } => match retry_after {
                Some(wait) if wait.as_secs() < 60 => {
                    format!("fal.ai is busy (rate limited); try again in {} seconds.", wait.as_secs().max(1))
                }
                _ => "fal.ai is busy (rate limited); try again in a minute.".to_owned(),
            },
            Self::Http { user_timeout: true, .. } => {
                "The generation ran past its time limit and was stopped; try fewer steps or a smaller image.".to_owned()
            }
            Self::Http { status, error_type, message, .. } => match (error_type.as_deref(), status) {
                (Some("request_cancelled"), _) => "The generation was cancelled.".to_owned(),
                (Some("request_timeout" | "startup_timeout"), _) | (_, 504) => {
                    "fal.ai timed out before the model answered; try again.".to_owned()
                }
                (Some("runner_scheduling_failure" | "runner_connection_timeout" | "runner_disconnected"), _)
                | (_, 503) => "fal.ai has no free machine for this model right now; try again shortly.".to_owned(),
                (_, 502) => "fal.ai could not reach the model; try again shortly.".to_owned(),
                (_, 404) => "fal.ai does not know this model or request.".to_owned(),
                (_, 500..) => format!("The model failed on fal.ai: {message}"),
                _ => format!("fal.ai refused the request (HTTP {status}): {message}"),
            },
            Self::Transport { .. } => {
                "fal.ai could not be reached or the connection broke; check the network and try again.".to_owned()
            }
            Self::Decode(_) => "fal.ai sent an answer the studio could not read; try again.".to_owned(),
            Self::InvalidInput(reason) => reason.clone(),
        }
    }

    /// The same error with every occurrence of `secret` masked, in case an answer echoed it.
    pub(super) fn redacted(self, secret: &str) -> Self {
        if secret.is_empty() {
            return self;
        }
        let mask = |text: String| if text.contains(secret) { text.replace(secret, "***") } else { text };
        match self {
            Self::Validation { status, fields, message } => Self::Validation {
                status,
                fields: fields
                    .into_iter()
                    .map(|f| FieldError { field: mask(f.field), message: mask(f.message), kind: f.kind })
                    .collect(),
                message: message.map(mask),
            },
            Self::Http { status, error_type, message, retry_after, user_timeout, retryable } => {
                Self::Http { status, error_type, message: mask(message), retry_after, user_timeout, retryable }
            }
            Self::Transport { message, reached_server } => Self::Transport { message: mask(message), reached_server },
            Self::Decode(message) => Self::Decode(mask(message)),
            Self::InvalidInput(message) => Self::InvalidInput(mask(message)),
            other @ (Self::Unauthorized { .. } | Self::RateLimited { .. }) => other,
        }
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// `Retry-After` in seconds (fal sends seconds; an HTTP date is ignored).
fn parse_retry_after(value: &str) -> Option<Duration> {
    let seconds: f64 = value.trim().parse().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds.min(3600.0)))
}

/// The human part of an error body: `detail` when it is text, else `message` or `error`, else the
/// body itself.
fn message_of(json: Option<&Value>, body: &[u8]) -> Option<String> {
    let text = match json {
        Some(value) => ["detail", "message", "error"]
            .iter()
            .find_map(|key| value.get(key).and_then(Value::as_str))
            .map(str::to_owned)
            .or_else(|| value.get("detail").filter(|d| d.is_object()).map(Value::to_string)),
        None => Some(String::from_utf8_lossy(body).trim().to_owned()).filter(|t| !t.is_empty()),
    };
    text.map(|t| truncate(&t))
}

/// One item of a 422 `detail`: `{"loc": ["body", "image_size", "width"], "msg": "…", "type": "…"}`.
fn field_error(item: &Value) -> FieldError {
    let path: Vec<String> = item
        .get("loc")
        .and_then(Value::as_array)
        .map(|loc| {
            loc.iter()
                .map(|part| match part {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    let path = match path.split_first() {
        Some((first, rest)) if matches!(first.as_str(), "body" | "query" | "path") && !rest.is_empty() => rest,
        _ => &path[..],
    };
    FieldError {
        field: if path.is_empty() { "input".to_owned() } else { path.join(".") },
        message: truncate(item.get("msg").and_then(Value::as_str).unwrap_or("is not valid")),
        kind: item.get("type").and_then(Value::as_str).map(str::to_owned),
    }
}

fn describe_fields(fields: &[FieldError], message: Option<&str>) -> String {
    if fields.is_empty() {
        return message.unwrap_or("no detail").to_owned();
    }
    fields.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; ")
}

fn truncate(text: &str) -> String {
    if text.chars().count() <= MAX_MESSAGE_CHARS {
        text.to_owned()
    } else {
        text.chars().take(MAX_MESSAGE_CHARS).collect::<String>() + "…"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs.iter().map(|(k, v)| (reqwest::header::HeaderName::from_static(k), HeaderValue::from_static(v))).collect()
    }

    #[test]
    fn a_422_names_each_refused_field() {
        let body =
            br#"{"detail":[{"loc":["body","image_size","width"],"msg":"must be at most 14142","type":"value_error"}]}"#;
        let err = FalError::from_response(StatusCode::UNPROCESSABLE_ENTITY, &HeaderMap::new(), body);
        assert_eq!(err.fields()[0].field, "image_size.width");
        assert_eq!(err.user_message(), "fal.ai refused the input: image_size.width: must be at most 14142");
    }

    #[test]
    fn a_422_may_carry_plain_text_detail() {
        let err = FalError::from_response(StatusCode::UNPROCESSABLE_ENTITY, &HeaderMap::new(), br#"{"detail":"bad"}"#);
        assert!(err.fields().is_empty());
        assert_eq!(err.user_message(), "fal.ai refused the input: bad");
    }

    #[test]
    fn infrastructure_errors_keep_their_type_and_user_timeouts_are_marked() {
        let body = br#"{"detail":"Request timed out","error_type":"request_timeout"}"#;
        let err = FalError::from_response(StatusCode::GATEWAY_TIMEOUT, &HeaderMap::new(), body);
        assert_eq!(err.error_type(), Some("request_timeout"));
        assert!(!err.is_user_timeout());
        let err = FalError::from_response(
            StatusCode::GATEWAY_TIMEOUT,
            &headers(&[("x-fal-request-timeout-type", "user")]),
            body,
        );
        assert!(err.is_user_timeout());
    }

    #[test]
    fn the_error_type_header_wins_over_the_body() {
        let err = FalError::from_response(
            StatusCode::SERVICE_UNAVAILABLE,
            &headers(&[("x-fal-error-type", "runner_disconnected")]),
            b"{}",
        );
        assert_eq!(err.error_type(), Some("runner_disconnected"));
        assert!(err.user_message().contains("no free machine"));
    }

    #[test]
    fn rate_limits_keep_retry_after() {
        let err = FalError::from_response(StatusCode::TOO_MANY_REQUESTS, &headers(&[("retry-after", "7")]), b"");
        assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
        assert_eq!(err.user_message(), "fal.ai is busy (rate limited); try again in 7 seconds.");
    }

    #[test]
    fn a_body_that_is_not_json_becomes_the_message() {
        let err = FalError::from_response(StatusCode::BAD_GATEWAY, &HeaderMap::new(), b"upstream down");
        assert_eq!(err.to_string(), "fal.ai answered HTTP 502: upstream down");
    }

    #[test]
    fn an_echoed_secret_is_masked() {
        let err = FalError::from_response(StatusCode::BAD_REQUEST, &HeaderMap::new(), b"bad key abc:123");
        assert_eq!(err.redacted("abc:123").to_string(), "fal.ai answered HTTP 400: bad key ***");
    }
}
