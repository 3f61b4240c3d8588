//! Timing helpers the benchmarks share: samples after a warm-up, and percentiles of them.
// Each bench uses some of these, not all.
#![allow(dead_code)]

use std::time::{Duration, Instant};

/// Times `work` `runs` times after `warm_up` untimed runs, fastest first. `work` gets the run's index.
pub fn timings(runs: usize, warm_up: usize, mut work: impl FnMut(usize)) -> Vec<Duration> {
    for run in 0..warm_up {
        work(run);
    }
    let mut samples: Vec<Duration> = (0..runs)
        .map(|run| {
            let started = Instant::now();
            work(run);
            started.elapsed()
        })
        .collect();
    samples.sort();
    samples
}

/// [`timings`] of async `work`, awaited one run after another.
pub async fn timings_async<F: Future<Output = ()>>(
    runs: usize,
    warm_up: usize,
    mut work: impl FnMut(usize) -> F,
) -> Vec<Duration> {
    for run in 0..warm_up {
        work(run).await;
    }
    let mut samples = Vec::with_capacity(runs);
    for run in 0..runs {
        let started = Instant::now();
        work(run).await;
        samples.push(started.elapsed());
    }
    samples.sort();
    samples
}

/// The `fraction` percentile (0.5 = median) of sorted samples, in milliseconds.
pub fn percentile_ms(sorted: &[Duration], fraction: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[index].as_secs_f64() * 1e3
}

/// The median and the 99th percentile of a set of samples, in milliseconds.
pub struct Percentiles {
    pub median: f64,
    pub p99: f64,
}

/// Prints `label what: median …, p95 …, p99 … (n samples)` for sorted samples and returns the median
/// and the p99 (for latencies where the tail is the target).
pub fn report(label: &str, what: &str, samples: &[Duration]) -> Percentiles {
    let (median, p99) = (percentile_ms(samples, 0.5), percentile_ms(samples, 0.99));
    println!(
        "{label} {what}: median {median:.1} ms, p95 {:.1} ms, p99 {p99:.1} ms ({} samples)",
        percentile_ms(samples, 0.95),
        samples.len()
    );
    Percentiles { median, p99 }
}
