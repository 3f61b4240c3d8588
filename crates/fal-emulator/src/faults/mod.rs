//! Injectable faults: rules set through `POST /_emulator/faults`, or the `x-fal-emulator-fault` header
//! of a single call.
//!
//! "Immediate" faults replace the answer of the call they fire on (401, 422, 429, 5xx, a dropped
//! connection). "Lifecycle" faults attach to the request being submitted and change how it runs
//! (slow queue, slow run, failed run, webhook never or twice).

mod answers;
mod book;

pub use book::FaultBook;

use crate::errors::ApiError;
use crate::stats::CallKind;
use axum::http::HeaderMap;
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
/// `Err(ApiError::Injected)`; otherwise the lifecycle faults to attach (only ever set on submit and sync).
pub fn check_call(
    book: &FaultBook,
    headers: &HeaderMap,
    call: CallKind,
    model: Option<&str>,
) -> Result<LifecycleFaults, ApiError> {
    let from_header = match headers.get(FAULT_HEADER).map(|value| value.to_str()) {
        None => Vec::new(),
        Some(Ok(value)) => {
            parse_header(value).map_err(|message| ApiError::BadRequest(format!("{FAULT_HEADER}: {message}")))?
        }
        Some(Err(_)) => return Err(ApiError::BadRequest(format!("{FAULT_HEADER} must be plain ASCII"))),
    };
    if let Some(fault) = from_header.iter().find(|fault| !fault.kind.is_lifecycle()) {
        return Err(ApiError::Injected(Box::new(fault.response(call))));
    }
    if let Some(fault) = book.take_immediate(call, model) {
        tracing::info!(fault = fault.kind.name(), call = call.name(), "injecting fault");
        return Err(ApiError::Injected(Box::new(fault.response(call))));
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
}
