//! When a failed attempt is tried again: exponential backoff with jitter.

use std::time::Duration;
use uuid::Uuid;

/// How often, and how patiently, a job whose attempt failed with a retryable error is tried again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included: after this many the job fails.
    pub max_attempts: u32,
    /// The delay before the second attempt (before jitter); it doubles with each attempt...
    pub base: Duration,
    /// ...up to this.
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { max_attempts: 3, base: Duration::from_secs(5), cap: Duration::from_secs(300) }
    }
}

/// The wait after the `attempt`-th attempt (1-based) of job `job_id` failed: `min(cap, base ×
/// 2^(attempt−1))`, of which the upper half is jitter ("equal jitter": between half and all of
/// it), so jobs that failed together (a batch against a provider outage) do not all come back at
/// the same moment.
///
/// The jitter is derived from the job id and the attempt rather than drawn at random: different
/// jobs spread out just the same, and a given failure always yields the same delay, which keeps
/// the engine's behaviour reproducible in tests and logs.
pub fn backoff_delay(policy: &RetryPolicy, job_id: Uuid, attempt: u32) -> Duration {
    let doublings = attempt.saturating_sub(1).min(31);
    let full = policy.base.saturating_mul(1u32 << doublings).min(policy.cap);
    let (high, low) = job_id.as_u64_pair();
    let unit = (splitmix64(high ^ low ^ u64::from(attempt)) >> 11) as f64 / (1u64 << 53) as f64;
    full / 2 + full.div_f64(2.0).mul_f64(unit)
}

/// One step of SplitMix64: a well-mixed 64-bit value from any seed.
fn splitmix64(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: RetryPolicy =
        RetryPolicy { max_attempts: 10, base: Duration::from_secs(2), cap: Duration::from_secs(60) };

    #[test]
    fn delays_double_with_each_attempt_within_their_jitter_band() {
        let job = Uuid::now_v7();
        for (attempt, full) in [(1, 2), (2, 4), (3, 8), (4, 16), (5, 32)] {
            let delay = backoff_delay(&POLICY, job, attempt);
            let full = Duration::from_secs(full);
            assert!(delay >= full / 2 && delay <= full, "attempt {attempt}: {delay:?} not within {full:?}");
        }
    }

    #[test]
    fn delays_never_exceed_the_cap() {
        let job = Uuid::now_v7();
        for attempt in [6, 10, 40, u32::MAX] {
            assert!(backoff_delay(&POLICY, job, attempt) <= POLICY.cap);
        }
    }

    #[test]
    fn jobs_failing_together_come_back_at_different_times() {
        let mut delays: Vec<Duration> = (0..50).map(|_| backoff_delay(&POLICY, Uuid::now_v7(), 3)).collect();
        delays.sort();
        delays.dedup();
        assert!(delays.len() > 40, "only {} distinct delays among 50 jobs", delays.len());
    }

    #[test]
    fn the_same_failure_always_waits_the_same_time() {
        let job = Uuid::now_v7();
        assert_eq!(backoff_delay(&POLICY, job, 2), backoff_delay(&POLICY, job, 2));
    }
}
