//! The fal client's overhead per job against the fal emulator: submit, status polls and result, next
//! to the emulator's own render time for the same input (a synchronous run). Run with
//! `cargo bench --bench fal_client --features ssr`.
//!
//! The emulator serves fal's model ids only, so the job is `fal-ai/flux/schnell` at 64×64, which it
//! draws with the same procedural renderer as `atelier/sketch`.

use atelier::server::providers::fal::{FalClient, FalSettings, RetryPolicy};
use fal_emulator::{Emulator, EmulatorConfig};
use futures_util::StreamExt;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const JOBS: usize = 50;
const WARM_UP: usize = 3;
const MODEL: &str = "fal-ai/flux/schnell";
/// Far below fal's 500 ms so the wait between polls does not hide the client's own cost.
const POLL_PAUSE: Duration = Duration::from_millis(1);

fn input(seed: usize) -> Value {
    json!({"prompt": "a lighthouse at dusk", "image_size": {"width": 64, "height": 64}, "seed": seed})
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

fn percentile(samples: &mut [Duration], fraction: f64) -> Duration {
    samples.sort();
    let index = ((samples.len() as f64 - 1.0) * fraction).round() as usize;
    samples[index]
}

/// One job through submit → status polls → result; returns its wall time and the polls it took.
async fn polled_job(client: &FalClient, seed: usize) -> (Duration, usize) {
    let started = Instant::now();
    let handle = client.submit(MODEL, &input(seed), None).await.expect("submit");
    let mut polls = 0;
    loop {
        polls += 1;
        if client.status(&handle, false).await.expect("status").is_completed() {
            break;
        }
        tokio::time::sleep(POLL_PAUSE).await;
    }
    client.result(&handle).await.expect("result");
    (started.elapsed(), polls)
}

/// One job through submit → status stream → result.
async fn streamed_job(client: &FalClient, seed: usize) -> Duration {
    let started = Instant::now();
    let handle = client.submit(MODEL, &input(seed), None).await.expect("submit");
    let mut events = std::pin::pin!(client.status_stream(&handle));
    while let Some(event) = events.next().await {
        event.expect("status event");
    }
    client.result(&handle).await.expect("result");
    started.elapsed()
}

async fn sync_render(client: &FalClient, seed: usize) -> Duration {
    let started = Instant::now();
    client.run_sync(MODEL, &input(seed)).await.expect("sync run");
    started.elapsed()
}

#[tokio::main]
async fn main() {
    let config = EmulatorConfig { runners: 4, step_delay: Duration::ZERO, ..Default::default() };
    let emu = Emulator::start(config, "127.0.0.1:0".parse().unwrap()).await.expect("the emulator starts");
    let settings = FalSettings::new(emu.key(), emu.queue_url(), emu.sync_url(), emu.rest_url());
    let client = FalClient::new(settings, RetryPolicy::default());

    for seed in 0..WARM_UP {
        polled_job(&client, seed).await;
        sync_render(&client, seed).await;
    }

    let mut polled = Vec::with_capacity(JOBS);
    let mut total_polls = 0;
    for seed in 0..JOBS {
        let (elapsed, polls) = polled_job(&client, seed).await;
        polled.push(elapsed);
        total_polls += polls;
    }
    let mut streamed = Vec::with_capacity(JOBS);
    for seed in 0..JOBS {
        streamed.push(streamed_job(&client, seed).await);
    }
    let mut sync = Vec::with_capacity(JOBS);
    for seed in 0..JOBS {
        sync.push(sync_render(&client, seed).await);
    }

    println!(
        "fal client per job (submit+poll+result, 64x64): median {:.2} ms, p95 {:.2} ms, {:.1} polls per job",
        millis(percentile(&mut polled, 0.5)),
        millis(percentile(&mut polled, 0.95)),
        total_polls as f64 / JOBS as f64,
    );
    println!(
        "fal client per job (submit+status stream+result, 64x64): median {:.2} ms, p95 {:.2} ms",
        millis(percentile(&mut streamed, 0.5)),
        millis(percentile(&mut streamed, 0.95)),
    );
    println!(
        "sync render alone: median {:.2} ms, p95 {:.2} ms  ({JOBS} jobs each)",
        millis(percentile(&mut sync, 0.5)),
        millis(percentile(&mut sync, 0.95)),
    );
    emu.shutdown().await;
}
