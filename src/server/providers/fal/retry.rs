//! When a failed fal.ai call is tried again, and after how long: jittered exponential backoff on
//! 408, 429, 502, 503, 504 and connection failures, more tries for status polls (which also retry
//! 500), `Retry-After` honoured, a user-timeout 504 never retried.

use super::error::FalError;
use std::time::Duration;

/// How persistent the client is. Delays are `base · 2^n`, capped, ±25 % jitter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Extra tries for a call (submit, result, cancel, sync, upload) after the first.
    pub retries: u32,
    /// Extra tries for a status poll after the first.
    pub poll_retries: u32,
    /// The delay before the first retry.
    pub base: Duration,
    /// No delay is longer, `Retry-After` included.
    pub cap: Duration,
}

impl Default for RetryPolicy {
    /// What fal's own clients do: 3 retries, 5 for polls, from 500 ms up to 30 s.
    fn default() -> Self {
        Self { retries: 3, poll_retries: 5, base: Duration::from_millis(500), cap: Duration::from_secs(30) }
    }
}

/// The kinds of call the client makes; each decides how retries treat it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    Submit,
    Status,
    Result,
    Cancel,
    Sync,
    UploadInitiate,
    UploadPut,
}

impl Call {
    pub fn name(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Status => "status",
            Self::Result => "result",
            Self::Cancel => "cancel",
            Self::Sync => "sync run",
            Self::UploadInitiate => "upload initiate",
            Self::UploadPut => "upload",
        }
    }

    fn is_poll(self) -> bool {
        self == Self::Status
    }

    /// Whether sending the call twice does no harm. A submit or a sync run that reached fal may have
    /// started a (billed) job, so a broken answer to it is reported, not resent.
    fn is_idempotent(self) -> bool {
        !matches!(self, Self::Submit | Self::Sync)
    }
}

impl RetryPolicy {
    /// How many times `call` may be retried.
    pub fn budget(&self, call: Call) -> u32 {
        if call.is_poll() { self.poll_retries } else { self.retries }
    }

    /// Whether `err`, as the answer to `call`, is worth another try.
    pub fn should_retry(&self, call: Call, err: &FalError) -> bool {
        match err {
            FalError::Transport { reached_server, .. } => !reached_server || call.is_idempotent(),
            FalError::Decode(_) => call.is_idempotent(),
            FalError::RateLimited { .. } => true,
            FalError::Http { user_timeout: true, .. } | FalError::Http { retryable: Some(false), .. } => false,
            FalError::Http { status, .. } => match status {
                408 | 502 | 503 | 504 => true,
                500 => call.is_poll(),
                _ => false,
            },
            FalError::Unauthorized { .. } | FalError::Validation { .. } | FalError::InvalidInput(_) => false,
        }
    }

    /// The wait before retry number `retry` (0-based); `Retry-After` wins when fal sent one.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(wait) = retry_after {
            return wait.min(self.cap);
        }
        let backoff = self.base.saturating_mul(2u32.saturating_pow(retry)).min(self.cap);
        backoff.mul_f64(0.75 + 0.5 * unit_random())
    }
}

/// A number in [0, 1) from the operating system; 0.5 (no jitter) if it has none to give.
fn unit_random() -> f64 {
    let mut bytes = [0u8; 4];
    match getrandom::fill(&mut bytes) {
        Ok(()) => f64::from(u32::from_le_bytes(bytes)) / (f64::from(u32::MAX) + 1.0),
        Err(_) => 0.5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16) -> FalError {
        answer(status, false, None)
    }

    fn answer(status: u16, user_timeout: bool, retryable: Option<bool>) -> FalError {
        FalError::Http { status, error_type: None, message: String::new(), retry_after: None, user_timeout, retryable }
    }

    #[test]
    fn delays_double_within_a_quarter_either_way_up_to_the_cap() {
        let policy = RetryPolicy::default();
        for (retry, nominal) in [(0, 500), (1, 1000), (2, 2000), (3, 4000), (10, 30_000)] {
            let delay = policy.delay(retry, None).as_millis() as u64;
            assert!((nominal * 3 / 4..=nominal * 5 / 4).contains(&delay), "retry {retry}: {delay} ms");
        }
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.delay(0, Some(Duration::from_secs(7))), Duration::from_secs(7));
        assert_eq!(policy.delay(0, Some(Duration::from_secs(600))), Duration::from_secs(30));
    }

    #[test]
    fn gateway_errors_and_rate_limits_are_retried_for_every_call() {
        let policy = RetryPolicy::default();
        for status in [408, 502, 503, 504] {
            assert!(policy.should_retry(Call::Submit, &http(status)), "{status}");
        }
        assert!(policy.should_retry(Call::Result, &FalError::RateLimited { retry_after: None }));
    }

    #[test]
    fn a_500_is_retried_only_for_status_polls() {
        let policy = RetryPolicy::default();
        assert!(policy.should_retry(Call::Status, &http(500)));
        assert!(!policy.should_retry(Call::Submit, &http(500)));
        assert!(!policy.should_retry(Call::Result, &http(500)));
        assert_eq!(policy.budget(Call::Status), 5);
        assert_eq!(policy.budget(Call::Submit), 3);
    }

    #[test]
    fn a_user_timeout_and_an_explicit_no_retry_are_final() {
        let policy = RetryPolicy::default();
        assert!(!policy.should_retry(Call::Status, &answer(504, true, None)));
        assert!(!policy.should_retry(Call::Status, &answer(503, false, Some(false))));
    }

    #[test]
    fn a_submit_that_may_have_reached_fal_is_not_sent_twice() {
        let policy = RetryPolicy::default();
        let broken = FalError::Transport { message: String::new(), reached_server: true };
        let refused = FalError::Transport { message: String::new(), reached_server: false };
        assert!(!policy.should_retry(Call::Submit, &broken));
        assert!(policy.should_retry(Call::Submit, &refused));
        assert!(policy.should_retry(Call::Result, &broken));
    }
}
