//! In-memory rate limits for the sign-in family of requests and for uploads, keyed per client IP
//! and per account.
//! Fixed windows: simple to reason about, and the window's end is the honest `Retry-After`.

use super::session::ClientInfo;
use crate::server::error::AppError;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The actions that are limited, each with its own budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LimitedAction {
    Login,
    Register,
    ForgotPassword,
    Verify,
    /// Adding an image to the library: generous for real work, a wall for a flood.
    Upload,
}

impl LimitedAction {
    /// Attempts allowed per window, per IP and per account.
    fn budget(self) -> (u32, u32) {
        match self {
            LimitedAction::Login => (20, 10),
            LimitedAction::Register => (10, 5),
            LimitedAction::ForgotPassword => (10, 3),
            LimitedAction::Verify => (30, 10),
            LimitedAction::Upload => (240, 60),
        }
    }
}

pub const WINDOW: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Ip(LimitedAction, String),
    Account(LimitedAction, String),
}

struct Window {
    started: Instant,
    count: u32,
}

/// Counts attempts; `check` both records one and says whether it is allowed.
pub struct RateLimiter {
    windows: Mutex<HashMap<Key, Window>>,
    window: Duration,
    scale: u32,
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self::new(WINDOW, 1)
    }
}

impl RateLimiter {
    /// Budgets are multiplied by `scale` (at least 1).
    pub fn new(window: Duration, scale: u32) -> Self {
        Self { windows: Mutex::new(HashMap::new()), window, scale: scale.max(1) }
    }

    /// Records an attempt of `action` from `ip` on `account` (a normalised email, when known).
    /// `Err(seconds)` says how long until the caller may try again.
    pub fn check(&self, action: LimitedAction, ip: &str, account: Option<&str>, now: Instant) -> Result<(), u64> {
        let (per_ip, per_account) = action.budget();
        let (per_ip, per_account) = (per_ip.saturating_mul(self.scale), per_account.saturating_mul(self.scale));
        let mut windows = self.windows.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if windows.len() > 100_000 {
            // Bound memory under a flood of distinct keys: forget windows that have ended.
            windows.retain(|_, w| now.duration_since(w.started) < self.window);
        }
        let mut keys = vec![(Key::Ip(action, ip.to_owned()), per_ip)];
        if let Some(account) = account {
            keys.push((Key::Account(action, account.to_owned()), per_account));
        }
        let mut retry_after = None;
        for (key, budget) in keys {
            let window = windows.entry(key).or_insert(Window { started: now, count: 0 });
            if now.duration_since(window.started) >= self.window {
                *window = Window { started: now, count: 0 };
            }
            window.count += 1;
            if window.count > budget {
                let left = self.window.saturating_sub(now.duration_since(window.started));
                let seconds = left.as_secs().max(1);
                retry_after = Some(retry_after.map_or(seconds, |s: u64| s.max(seconds)));
            }
        }
        retry_after.map_or(Ok(()), Err)
    }

    /// [`check`](Self::check) for a request from `client` on `account` (empty when unknown), refused
    /// as [`AppError::RateLimited`] with the time to wait.
    pub fn allow(&self, action: LimitedAction, client: &ClientInfo, account: &str) -> Result<(), AppError> {
        let ip = client.ip_address.as_deref().unwrap_or("unknown");
        let account = (!account.is_empty()).then_some(account);
        self.check(action, ip, account, Instant::now())
            .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })
    }

    /// Forgets the account's failures after it signs in successfully.
    pub fn reset_account(&self, action: LimitedAction, account: &str) {
        let mut windows = self.windows.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        windows.remove(&Key::Account(action, account.to_owned()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_within_the_budget_pass_and_the_next_one_trips() {
        let limiter = RateLimiter::default();
        let now = Instant::now();
        for _ in 0..10 {
            assert!(limiter.check(LimitedAction::Login, "1.2.3.4", Some("a@x"), now).is_ok());
        }
        let retry = limiter.check(LimitedAction::Login, "1.2.3.4", Some("a@x"), now).unwrap_err();
        assert_eq!(retry, 15 * 60);
    }

    #[test]
    fn the_limit_resets_when_the_window_ends() {
        let limiter = RateLimiter::new(Duration::from_secs(60), 1);
        let start = Instant::now();
        for _ in 0..3 {
            limiter.check(LimitedAction::ForgotPassword, "ip", Some("a@x"), start).unwrap();
        }
        assert_eq!(
            limiter.check(LimitedAction::ForgotPassword, "ip", Some("a@x"), start + Duration::from_secs(50)),
            Err(10)
        );
        assert!(
            limiter.check(LimitedAction::ForgotPassword, "ip", Some("a@x"), start + Duration::from_secs(61)).is_ok()
        );
    }

    #[test]
    fn one_account_under_attack_from_many_ips_is_still_limited() {
        let limiter = RateLimiter::default();
        let now = Instant::now();
        for i in 0..10 {
            limiter.check(LimitedAction::Login, &format!("10.0.0.{i}"), Some("victim@x"), now).unwrap();
        }
        assert!(limiter.check(LimitedAction::Login, "10.0.0.99", Some("victim@x"), now).is_err());
        assert!(limiter.check(LimitedAction::Login, "10.0.0.99", Some("other@x"), now).is_ok());
    }

    #[test]
    fn one_ip_trying_many_accounts_is_limited() {
        let limiter = RateLimiter::default();
        let now = Instant::now();
        for i in 0..20 {
            limiter.check(LimitedAction::Login, "6.6.6.6", Some(&format!("user{i}@x")), now).unwrap();
        }
        assert!(limiter.check(LimitedAction::Login, "6.6.6.6", Some("fresh@x"), now).is_err());
    }

    #[test]
    fn the_scale_multiplies_every_budget() {
        let limiter = RateLimiter::new(WINDOW, 3);
        let now = Instant::now();
        for _ in 0..30 {
            limiter.check(LimitedAction::Login, "ip", Some("a@x"), now).unwrap();
        }
        assert!(limiter.check(LimitedAction::Login, "ip", Some("a@x"), now).is_err());
    }

    #[test]
    fn a_successful_sign_in_clears_the_account_budget() {
        let limiter = RateLimiter::default();
        let now = Instant::now();
        for _ in 0..9 {
            limiter.check(LimitedAction::Login, "ip", Some("a@x"), now).unwrap();
        }
        limiter.reset_account(LimitedAction::Login, "a@x");
        for _ in 0..10 {
            limiter.check(LimitedAction::Login, "ip2", Some("a@x"), now).unwrap();
        }
    }
}
