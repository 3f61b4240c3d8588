//! Injectable faults: rules set through `POST /_emulator/faults`, or the `x-fal-emulator-fault` header
//! of a single call.
//!
//! "Immediate" faults replace the answer of the call they fire on (401, 422, 429, 5xx, a dropped
//! connection). "Lifecycle" faults attach to the request being submitted and change how it runs
//! (slow queue, slow run, failed run, webhook never or twice).

use crate::errors::{json_response, validation_detail};
use crate::stats::CallKind;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use futures::StreamExt;
use serde_json::{Value, json};
use std::sync::Mutex;
use std::time::Duration;

/// The header naming faults for one call: `name[;delay_ms=N][;retry_after=N][;field=F]`, comma separated.
pub const FAULT_HEADER: &str = "x-fal-emulator-fault";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultKind {
    Unauthorized,
    Validation,
    RateLimited,
    Http500,
    Http502,
    Http503,
    Http504,
    UserTimeout,
    DropConnection,
    SlowQueue,
    SlowRun,
    ErrorResult,
    WebhookNever,
    WebhookTwice,
}

impl FaultKind {
    pub const ALL: [FaultKind; 14] = [
        FaultKind::Unauthorized,
        FaultKind::Validation,
        FaultKind::RateLimited,
        FaultKind::Http500,
        FaultKind::Http502,
        FaultKind::Http503,
        FaultKind::Http504,
        FaultKind::UserTimeout,
        FaultKind::DropConnection,
        FaultKind::SlowQueue,
        FaultKind::SlowRun,
        FaultKind::ErrorResult,
        FaultKind::WebhookNever,
        FaultKind::WebhookTwice,
    ];

    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Unauthorized => "unauthorized",
            FaultKind::Validation => "validation",
            FaultKind::RateLimited => "rate_limited",
            FaultKind::Http500 => "http_500",
            FaultKind::Http502 => "http_502",
            FaultKind::Http503 => "http_503",
            FaultKind::Http504 => "http_504",
            FaultKind::UserTimeout => "user_timeout",
            FaultKind::DropConnection => "drop_connection",
            FaultKind::SlowQueue => "slow_queue",
            FaultKind::SlowRun => "slow_run",
            FaultKind::ErrorResult => "error_result",
            FaultKind::WebhookNever => "webhook_never",
            FaultKind::WebhookTwice => "webhook_twice",
        }
    }

    pub fn from_name(name: &str) -> Result<FaultKind, String> {
        FaultKind::ALL.into_iter().find(|kind| kind.name() == name).ok_or_else(|| {
            let known: Vec<&str> = FaultKind::ALL.iter().map(|kind| kind.name()).collect();
            format!("unknown fault '{name}'; known faults: {}", known.join(", "))
        })
    }

    /// Whether the fault changes how a submitted request runs rather than answering a call.
    pub fn is_lifecycle(self) -> bool {
        matches!(
            self,
            FaultKind::SlowQueue
                | FaultKind::SlowRun
                | FaultKind::ErrorResult
                | FaultKind::WebhookNever
                | FaultKind::WebhookTwice
        )
    }
}

/// A fault with its parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Fault {
    pub kind: FaultKind,
    /// Seconds announced in `Retry-After` (rate_limited).
    pub retry_after: u64,
    /// The parameter a validation fault complains about.
    pub field: String,
    /// How long slow_queue / slow_run last.
    pub delay: Duration,
}

impl Fault {
    pub fn new(kind: FaultKind) -> Fault {
        Fault { kind, retry_after: 1, field: "prompt".to_owned(), delay: Duration::from_millis(2000) }
    }

    /// The answer an immediate fault gives instead of the real one.
    pub fn response(&self, call: CallKind) -> Response {
        let infrastructure = |status: StatusCode, detail: &str, error_type: &'static str| {
            let mut response = json_response(status, &json!({ "detail": detail, "error_type": error_type }));
            response.headers_mut().insert("x-fal-error-type", HeaderValue::from_static(error_type));
            response
        };
        match self.kind {
            FaultKind::Unauthorized => {
                json_response(StatusCode::UNAUTHORIZED, &json!({ "detail": "No user found for Key ID and Secret" }))
            }
            FaultKind::Validation => {
                let message = format!("{} is not valid (injected validation fault)", self.field);
                let detail = validation_detail(Some(&self.field), &message);
                json_response(StatusCode::UNPROCESSABLE_ENTITY, &json!({ "detail": [detail] }))
            }
            FaultKind::RateLimited => {
                let mut response =
                    json_response(StatusCode::TOO_MANY_REQUESTS, &json!({ "detail": "Rate limit exceeded" }));
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(self.retry_after));
                response
            }
            FaultKind::Http500 => {
                json_response(StatusCode::INTERNAL_SERVER_ERROR, &json!({ "detail": "Internal Server Error" }))
            }
            FaultKind::Http502 => json_response(StatusCode::BAD_GATEWAY, &json!({ "detail": "Bad Gateway" })),
            FaultKind::Http503 => infrastructure(
                StatusCode::SERVICE_UNAVAILABLE,
                "Runner scheduling failure",
                "runner_scheduling_failure",
            ),
            FaultKind::Http504 => infrastructure(StatusCode::GATEWAY_TIMEOUT, "Request timed out", "request_timeout"),
            FaultKind::UserTimeout => {
                let mut response = json_response(StatusCode::GATEWAY_TIMEOUT, &json!({ "detail": "Request timed out" }));
                response.headers_mut().insert("x-fal-request-timeout-type", HeaderValue::from_static("user"));
                response
            }
            FaultKind::DropConnection => dropped_response(call),
            // Lifecycle faults never answer a call; answering normally keeps a misuse harmless.
            _ => json_response(StatusCode::OK, &json!({})),
        }
    }
}

/// 200 and the first bytes of a body, then a broken connection.
fn dropped_response(call: CallKind) -> Response {
    let (content_type, first_bytes): (&'static str, &'static [u8]) = match call {
        CallKind::Stream => ("text/event-stream", b"data: {\"status\": \"IN_"),
        _ => ("application/json", b"{\"request_id\": \""),
    };
    let chunks = futures::stream::iter([Ok::<Bytes, std::io::Error>(Bytes::from_static(first_bytes))]).chain(
        futures::stream::once(async {
            // Give the server time to flush the headers and the partial body before breaking off.
            tokio::time::sleep(Duration::from_millis(50)).await;
            Err(std::io::Error::other("connection dropped by an injected fault"))
        }),
    );
    let mut response = Response::new(Body::from_stream(chunks));
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// What happens to a webhook.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WebhookFault {
    #[default]
    Deliver,
    Never,
    Twice,
}

/// The lifecycle faults one request carries.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LifecycleFaults {
    pub slow_queue: Option<Duration>,
    pub slow_run: Option<Duration>,
    pub error_result: bool,
    pub webhook: WebhookFault,
}

impl LifecycleFaults {
    pub fn add(&mut self, fault: &Fault) {
        match fault.kind {
            FaultKind::SlowQueue => self.slow_queue = Some(fault.delay),
            FaultKind::SlowRun => self.slow_run = Some(fault.delay),
            FaultKind::ErrorResult => self.error_result = true,
            FaultKind::WebhookNever => self.webhook = WebhookFault::Never,
            FaultKind::WebhookTwice => self.webhook = WebhookFault::Twice,
            _ => {}
        }
    }

    /// The names of the faults set, for inspection.
    pub fn names(&self) -> Vec<&'static str> {
        let mut names = Vec::new();
        if self.slow_queue.is_some() {
            names.push(FaultKind::SlowQueue.name());
        }
        if self.slow_run.is_some() {
            names.push(FaultKind::SlowRun.name());
        }
        if self.error_result {
            names.push(FaultKind::ErrorResult.name());
        }
        match self.webhook {
            WebhookFault::Deliver => {}
            WebhookFault::Never => names.push(FaultKind::WebhookNever.name()),
            WebhookFault::Twice => names.push(FaultKind::WebhookTwice.name()),
        }
        names
    }
}

/// A rule set through the control endpoint: fires on the next `remaining` matching calls.
#[derive(Clone, Debug)]
pub struct FaultRule {
    pub id: u64,
    pub fault: Fault,
    /// `None` matches every kind of call.
    pub on: Option<CallKind>,
    /// A model id, or an app (`fal-ai/flux`) matching each of its models.
    pub model: Option<String>,
    pub remaining: u32,
}

impl FaultRule {
    fn matches(&self, call: CallKind, model: Option<&str>) -> bool {
        let call_matches = self.on.is_none_or(|on| on == call);
        let applies = if self.fault.kind.is_lifecycle() {
            matches!(call, CallKind::Submit | CallKind::Sync)
        } else {
            true
        };
        let model_matches = match (&self.model, model) {
            (None, _) => true,
            (Some(wanted), Some(model)) => {
                model == wanted || model.strip_prefix(wanted.as_str()).is_some_and(|rest| rest.starts_with('/'))
            }
            (Some(_), None) => false,
        };
        call_matches && applies && model_matches
    }

    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "fault": self.fault.kind.name(),
            "on": self.on.map_or("any", CallKind::name),
            "model": self.model,
            "times": self.remaining,
            "retry_after": self.fault.retry_after,
            "field": self.fault.field,
            "delay_ms": self.fault.delay.as_millis() as u64,
        })
    }
}

#[derive(Default)]
pub struct FaultBook {
    rules: Mutex<(u64, Vec<FaultRule>)>,
}

impl FaultBook {
    /// Adds a rule and gives it an id.
    pub fn add(&self, fault: Fault, on: Option<CallKind>, model: Option<String>, times: u32) -> FaultRule {
        let mut book = crate::lock(&self.rules);
        book.0 += 1;
        let rule = FaultRule { id: book.0, fault, on, model, remaining: times };
        book.1.push(rule.clone());
        rule
    }

    pub fn clear(&self) {
        crate::lock(&self.rules).1.clear();
    }

    pub fn list(&self) -> Vec<FaultRule> {
        crate::lock(&self.rules).1.clone()
    }

    /// Consumes one firing of the first immediate rule matching this call.
    pub fn take_immediate(&self, call: CallKind, model: Option<&str>) -> Option<Fault> {
        let mut book = crate::lock(&self.rules);
        let rules = &mut book.1;
        let index =
            rules.iter().position(|rule| !rule.fault.kind.is_lifecycle() && rule.matches(call, model))?;
        Some(consume(rules, index))
    }

    /// Consumes one firing of every lifecycle rule matching a submit or sync call.
    pub fn take_lifecycle(&self, call: CallKind, model: Option<&str>) -> LifecycleFaults {
        let mut book = crate::lock(&self.rules);
        let rules = &mut book.1;
        let mut faults = LifecycleFaults::default();
        let mut index = 0;
        while index < rules.len() {
            if rules[index].fault.kind.is_lifecycle() && rules[index].matches(call, model) {
                let before = rules.len();
                faults.add(&consume(rules, index));
                if rules.len() < before {
                    continue;
                }
            }
            index += 1;
        }
        faults
    }
}

fn consume(rules: &mut Vec<FaultRule>, index: usize) -> Fault {
    rules[index].remaining = rules[index].remaining.saturating_sub(1);
    if rules[index].remaining == 0 { rules.remove(index).fault } else { rules[index].fault.clone() }
}

/// Parses `slow_run;delay_ms=500, webhook_twice`.
pub fn parse_header(value: &str) -> Result<Vec<Fault>, String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            let mut parts = item.split(';').map(str::trim);
            let mut fault = Fault::new(FaultKind::from_name(parts.next().unwrap_or_default())?);
            for parameter in parts.filter(|part| !part.is_empty()) {
                let (name, value) = parameter
                    .split_once('=')
                    .ok_or_else(|| format!("fault parameter '{parameter}' must look like name=value"))?;
                let number = || value.trim().parse::<u64>().map_err(|_| format!("{name} must be a whole number"));
                match name.trim() {
                    "delay_ms" => fault.delay = Duration::from_millis(number()?),
                    "retry_after" => fault.retry_after = number()?,
                    "field" => fault.field = value.trim().to_owned(),
                    other => return Err(format!("unknown fault parameter '{other}'")),
                }
            }
            Ok(fault)
        })
        .collect()
}

/// Decides the faults of one call: an immediate fault (from the header or a rule) answers it with
/// `Err(response)`; otherwise the lifecycle faults to attach (only ever set on submit and sync).
pub fn check_call(
    book: &FaultBook,
    headers: &HeaderMap,
    call: CallKind,
    model: Option<&str>,
) -> Result<LifecycleFaults, Response> {
    let from_header = match headers.get(FAULT_HEADER).map(|value| value.to_str()) {
        None => Vec::new(),
        Some(Ok(value)) => parse_header(value).map_err(|message| {
            json_response(StatusCode::BAD_REQUEST, &json!({ "detail": format!("{FAULT_HEADER}: {message}") }))
        })?,
        Some(Err(_)) => {
            let detail = format!("{FAULT_HEADER} must be plain ASCII");
            return Err(json_response(StatusCode::BAD_REQUEST, &json!({ "detail": detail })));
        }
    };
    if let Some(fault) = from_header.iter().find(|fault| !fault.kind.is_lifecycle()) {
        return Err(fault.response(call));
    }
    if let Some(fault) = book.take_immediate(call, model) {
        tracing::info!(fault = fault.kind.name(), call = call.name(), "injecting fault");
        return Err(fault.response(call));
    }
    if !matches!(call, CallKind::Submit | CallKind::Sync) {
        return Ok(LifecycleFaults::default());
    }
    let mut faults = book.take_lifecycle(call, model);
    for fault in &from_header {
        faults.add(fault);
    }
    Ok(faults)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_names_several_faults_with_parameters() {
        let faults = parse_header("slow_run;delay_ms=500, rate_limited;retry_after=7, validation;field=seed").unwrap();
        assert_eq!(faults.len(), 3);
        assert_eq!(faults[0].kind, FaultKind::SlowRun);
        assert_eq!(faults[0].delay, Duration::from_millis(500));
        assert_eq!(faults[1].retry_after, 7);
        assert_eq!(faults[2].field, "seed");
    }

    #[test]
    fn a_header_with_an_unknown_fault_says_which_faults_exist() {
        let error = parse_header("explode").unwrap_err();
        assert!(error.contains("unknown fault 'explode'") && error.contains("webhook_twice"), "{error}");
        assert!(parse_header("slow_run;delay_ms=soon").is_err());
    }

    #[test]
    fn a_rule_fires_only_the_given_number_of_times() {
        let book = FaultBook::default();
        book.add(Fault::new(FaultKind::Http503), Some(CallKind::Status), None, 2);
        assert_eq!(book.take_immediate(CallKind::Submit, None), None);
        assert!(book.take_immediate(CallKind::Status, Some("fal-ai/flux/dev")).is_some());
        assert!(book.take_immediate(CallKind::Status, Some("fal-ai/flux/dev")).is_some());
        assert_eq!(book.take_immediate(CallKind::Status, Some("fal-ai/flux/dev")), None);
        assert!(book.list().is_empty());
    }

    #[test]
    fn a_model_filter_matches_the_model_and_the_models_of_an_app() {
        let book = FaultBook::default();
        book.add(Fault::new(FaultKind::Http500), None, Some("fal-ai/flux".into()), 3);
        assert_eq!(book.take_immediate(CallKind::Submit, Some("fal-ai/flux-pro/v1.1")), None);
        assert_eq!(book.take_immediate(CallKind::Upload, None), None);
        assert!(book.take_immediate(CallKind::Submit, Some("fal-ai/flux/dev")).is_some());
        assert!(book.take_immediate(CallKind::Submit, Some("fal-ai/flux")).is_some());
    }

    #[test]
    fn lifecycle_rules_attach_to_submits_and_leave_other_calls_alone() {
        let book = FaultBook::default();
        book.add(Fault::new(FaultKind::SlowQueue), None, None, 1);
        book.add(Fault::new(FaultKind::WebhookTwice), None, None, 1);
        assert_eq!(book.take_lifecycle(CallKind::Status, None), LifecycleFaults::default());
        let faults = book.take_lifecycle(CallKind::Submit, None);
        assert_eq!(faults.names(), vec!["slow_queue", "webhook_twice"]);
        assert!(book.list().is_empty());
    }
}
