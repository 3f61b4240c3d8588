//! How an emulator instance behaves: its key, its capacity and how slow it pretends to be.

use std::time::Duration;

/// Settings of one emulator instance.
#[derive(Clone, Debug)]
pub struct EmulatorConfig {
    /// The key every `/queue`, `/sync` and `/rest/storage` call must send as `Authorization: Key <key>`.
    pub key: String,
    /// How many queued requests run at the same time (fal's account concurrency).
    pub runners: usize,
    /// Sleep per render step, so progress and cancellation can be observed.
    pub step_delay: Duration,
    /// Delivery attempts per webhook (the first one included).
    pub webhook_attempts: u32,
    /// Pause between two attempts of the same webhook.
    pub webhook_retry_delay: Duration,
    /// The base of every URL the emulator hands out; `None` means the address it listens on.
    pub public_url: Option<String>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            key: "emulator-key".to_owned(),
            runners: 2,
            step_delay: Duration::ZERO,
            webhook_attempts: 3,
            webhook_retry_delay: Duration::from_millis(200),
            public_url: None,
        }
    }
}
