//! The generation queue's speed, on the embedded SQLite defaults and on PostgreSQL:
//! - enqueue latency (median, p95, p99) through the `submit_generation` server function on the
//!   in-process router: one person alone, then 50 people submitting at once, each sending their
//!   next sketch as soon as the last is answered (target: p99 under 50 ms);
//! - `enqueue_batch` of 10,000 jobs (InvokeAI takes 0.42 s; target: under 0.2 s);
//! - claim throughput, jobs/s: as many concurrent claimers as the studio runs workers by default
//!   empty a queue of 2,000 jobs, each completing its job before claiming the next as the engine's
//!   workers do (so only a few jobs run at once); the latency of the claims alone is printed beside
//!   it, and that of a claim behind a 10,000-job batch.
//!
//! No engine runs: the router alone does not start one, so queued jobs stay queued while we time.
//! PostgreSQL is a throwaway cluster (`tests/support/postgres.rs`). Run with
//! `cargo bench --features ssr --bench queue`.

/// The integration tests' fixtures this bench uses (paths are relative to `benches/support/`).
#[allow(dead_code)]
mod support {
    #[path = "../../tests/support/client.rs"]
    pub mod client;
    #[path = "../../tests/support/postgres.rs"]
    pub mod postgres;
    #[path = "../../tests/support/queue.rs"]
    pub mod queue;
    #[path = "../../tests/support/studio.rs"]
    pub mod studio;
}
#[path = "support/timing.rs"]
mod timing;

use atelier::api::generate::SubmitGeneration;
use atelier::server::config::Config;
use atelier::server::db::entity::generation_queue;
use atelier::server::jobs::{self, ClaimLimits, NewJob};
use atelier::types::{Job, JobStatus};
use axum::http::StatusCode;
use chrono::Utc;
use leptos::server_fn::ServerFn;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use serde_json::json;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::client::{Client, signed_up};
use support::queue::{account, new_job};
use support::studio::TestStudio;
use tempfile::TempDir;
use tokio::sync::Barrier;
use uuid::Uuid;

const ALONE_SUBMITS: usize = 100;
const PEOPLE: usize = 50;
const SUBMITS_PER_PERSON: usize = 20;
const WARM_UP_SUBMITS: usize = 2;
const ENQUEUE_P99_TARGET_MS: f64 = 50.0;

const BATCH_JOBS: usize = 10_000;
const BATCH_RUNS: usize = 5;
const BATCH_TARGET_MS: f64 = 200.0;
const INVOKEAI_BATCH_MS: f64 = 420.0;

const CLAIM_JOBS: usize = 2_000;
const CLAIM_USERS: usize = 20;
const CLAIMS_BEHIND_BATCH: usize = 20;
const LEASE: Duration = Duration::from_secs(60);
/// Never the reason a claim comes back empty: the claimers themselves keep the running jobs few.
const NO_LIMIT: ClaimLimits = ClaimLimits { global: 100_000, per_user: 100_000 };

#[derive(Clone, Copy)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }

    /// A new, migrated database, and the temp dir holding it on SQLite.
    async fn fresh_database(self) -> (DatabaseConnection, Option<TempDir>) {
        match self {
            Backend::Sqlite => {
                let (db, dir) = support::queue::sqlite().await;
                (db, Some(dir))
            }
            Backend::Postgres => (support::queue::postgres().await, None),
        }
    }

    /// A studio on the embedded defaults, on a fresh PostgreSQL database for `Postgres`.
    async fn studio(self) -> TestStudio {
        let mut overrides = vec![("ATELIER_REQUIRE_VERIFIED_EMAIL", "false"), ("ATELIER_RATE_LIMIT_SCALE", "1000")];
        let database_url = match self {
            Backend::Sqlite => None,
            Backend::Postgres => Some(support::postgres::fresh_database().await),
        };
        if let Some(url) = database_url.as_deref() {
            overrides.push(("DATABASE_URL", url));
        }
        TestStudio::start(&overrides).await
    }
}

/// The number of workers `serve` starts on the embedded defaults (`limits.workers`).
fn default_workers() -> usize {
    let defaults = Config::from_sources(None, |_| None).expect("the embedded defaults are valid");
    usize::from(defaults.limits.workers)
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}

// ---------------------------------------------------------------------------------------------
// Enqueue latency through submit_generation
// ---------------------------------------------------------------------------------------------

/// What a person sends from the generate page: a small offline sketch.
async fn submit_sketch(client: &Client<'_>, seed: usize) {
    let request = json!({
        "model_id": "atelier/sketch",
        "prompt": "a lighthouse at dusk",
        "parameters": { "image_size": { "width": 64, "height": 64 }, "num_images": 1, "seed": seed },
    });
    let response = client.post_json(SubmitGeneration::PATH, &json!({ "request": request })).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(response.json::<Job>().status, JobStatus::Pending);
}

/// One person submitting alone: the cost of a submission without anyone to wait for.
async fn enqueue_alone(backend: Backend, studio: &TestStudio) {
    let client = signed_up(studio, "alone@example.com").await;
    let latencies = timing::timings_async(ALONE_SUBMITS, WARM_UP_SUBMITS, |seed| submit_sketch(&client, seed)).await;
    let what = format!("enqueue via submit_generation, one person alone, {}", backend.name());
    timing::report("queue", &what, &latencies);
}

/// `PEOPLE` people sign up, then all submit `SUBMITS_PER_PERSON` sketches at once, each the next as
/// soon as the last is answered. Prints the latency of each submission against the target.
async fn enqueue_together(backend: Backend, studio: TestStudio) {
    let studio = Arc::new(studio);
    let all_ready = Arc::new(Barrier::new(PEOPLE + 1));
    let people: Vec<_> = (0..PEOPLE)
        .map(|person| {
            let (studio, all_ready) = (studio.clone(), all_ready.clone());
            tokio::spawn(async move {
                let client = signed_up(&studio, &format!("person{person}@example.com")).await;
                for seed in 0..WARM_UP_SUBMITS {
                    submit_sketch(&client, seed).await;
                }
                all_ready.wait().await;
                timing::timings_async(SUBMITS_PER_PERSON, 0, |seed| submit_sketch(&client, seed)).await
            })
        })
        .collect();
    all_ready.wait().await;
    let started = Instant::now();
    let mut latencies = Vec::with_capacity(PEOPLE * SUBMITS_PER_PERSON);
    for person in people {
        latencies.extend(person.await.expect("a person's submissions"));
    }
    let elapsed = started.elapsed();
    latencies.sort();

    let queued = generation_queue::Entity::find().count(&studio.state.db).await.unwrap() as usize;
    let alone = ALONE_SUBMITS + WARM_UP_SUBMITS;
    assert_eq!(queued, alone + PEOPLE * (WARM_UP_SUBMITS + SUBMITS_PER_PERSON), "every submission is queued");
    let what = format!("enqueue via submit_generation, {PEOPLE} people at once, {}", backend.name());
    let p99 = timing::report("queue", &what, &latencies).p99;
    println!(
        "queue   {:.0} submissions/s in all; target p99 under {ENQUEUE_P99_TARGET_MS:.0} ms: {}",
        latencies.len() as f64 / elapsed.as_secs_f64(),
        verdict(p99 < ENQUEUE_P99_TARGET_MS)
    );
}

// ---------------------------------------------------------------------------------------------
// Batch enqueue
// ---------------------------------------------------------------------------------------------

fn batch_of(user_id: Uuid, jobs: usize) -> Vec<NewJob> {
    let batch_id = Some(Uuid::now_v7());
    (0..jobs).map(|_| NewJob { batch_id, ..new_job(user_id, 1) }).collect()
}

/// Enqueues a 10,000-job batch `BATCH_RUNS` times after one untimed run, each for a new person (so
/// every batch starts a queue, as a person's first large batch does).
async fn batch_enqueue(backend: Backend) {
    let (db, _dir) = backend.fresh_database().await;
    let mut samples = Vec::with_capacity(BATCH_RUNS);
    for run in 0..=BATCH_RUNS {
        let user = account(&db, BATCH_JOBS as i32).await;
        let batch = batch_of(user, BATCH_JOBS);
        let started = Instant::now();
        let ids = jobs::enqueue_batch(&db, batch).await.expect("the batch is queued");
        let elapsed = started.elapsed();
        assert_eq!(ids.len(), BATCH_JOBS);
        assert_eq!(jobs::balance(&db, user).await.unwrap(), 0, "the whole batch is held");
        if run > 0 {
            samples.push(elapsed);
        }
    }
    samples.sort();
    let what = format!("enqueue_batch of {BATCH_JOBS} jobs, {}", backend.name());
    let median = timing::report("queue", &what, &samples).median;
    println!(
        "queue   target under {BATCH_TARGET_MS:.0} ms (InvokeAI {INVOKEAI_BATCH_MS:.0} ms): {}",
        verdict(median < BATCH_TARGET_MS)
    );
}

// ---------------------------------------------------------------------------------------------
// Claims
// ---------------------------------------------------------------------------------------------

/// Claims the next job as `worker`, timing the claim alone, then completes it (nothing charged).
/// `None` when the queue is empty.
async fn claim_and_complete(db: &DatabaseConnection, worker: &str) -> Option<(Uuid, Duration)> {
    let asked = Instant::now();
    let job = jobs::claim(db, worker, LEASE, NO_LIMIT, Utc::now()).await.expect("a claim")?;
    let claimed_in = asked.elapsed();
    let done = jobs::complete(db, job.id, worker, &[], 0).await.expect("a completion");
    assert!(done.is_some(), "the claimer completes its own job");
    Some((job.id, claimed_in))
}

/// Queues `CLAIM_JOBS` jobs of `CLAIM_USERS` people and returns their ids.
async fn queued_jobs(db: &DatabaseConnection) -> HashSet<Uuid> {
    let per_user = CLAIM_JOBS / CLAIM_USERS;
    let mut ids = HashSet::with_capacity(CLAIM_JOBS);
    for _ in 0..CLAIM_USERS {
        let user = account(db, per_user as i32).await;
        ids.extend(jobs::enqueue_batch(db, batch_of(user, per_user)).await.unwrap());
    }
    ids
}

/// `claimers` workers empty a queue of `CLAIM_JOBS` jobs, claiming and completing.
async fn claim_throughput(backend: Backend, claimers: usize) {
    let (db, _dir) = backend.fresh_database().await;
    let expected = queued_jobs(&db).await;
    let started = Instant::now();
    let workers: Vec<_> = (0..claimers)
        .map(|worker| {
            let db = db.clone();
            tokio::spawn(async move {
                let worker = format!("bench-worker-{worker}");
                let mut claims = Vec::new();
                while let Some(claim) = claim_and_complete(&db, &worker).await {
                    claims.push(claim);
                }
                claims
            })
        })
        .collect();
    let mut claims = Vec::with_capacity(CLAIM_JOBS);
    for worker in workers {
        claims.extend(worker.await.expect("a claimer"));
    }
    let elapsed = started.elapsed();

    assert_eq!(claims.len(), CLAIM_JOBS, "every job is claimed once");
    assert_eq!(claims.iter().map(|(id, _)| *id).collect::<HashSet<_>>(), expected);
    let mut latencies: Vec<Duration> = claims.into_iter().map(|(_, latency)| latency).collect();
    latencies.sort();
    println!(
        "queue claim throughput, {}, {claimers} claimers, {CLAIM_JOBS} jobs, each claimed then completed: \
         {:.0} jobs/s (the claims alone: median {:.2} ms, p99 {:.2} ms)",
        backend.name(),
        CLAIM_JOBS as f64 / elapsed.as_secs_f64(),
        timing::percentile_ms(&latencies, 0.5),
        timing::percentile_ms(&latencies, 0.99),
    );
}

/// One worker claiming (and completing) the first jobs of a 10,000-job batch: what a claim costs
/// when the queue is long.
async fn claim_behind_batch(backend: Backend) {
    let (db, _dir) = backend.fresh_database().await;
    let user = account(&db, BATCH_JOBS as i32).await;
    jobs::enqueue_batch(&db, batch_of(user, BATCH_JOBS)).await.unwrap();
    let mut latencies = Vec::with_capacity(CLAIMS_BEHIND_BATCH);
    for _ in 0..CLAIMS_BEHIND_BATCH {
        let (_, latency) = claim_and_complete(&db, "bench-worker").await.expect("a job to claim");
        latencies.push(latency);
    }
    latencies.sort();
    let what = format!("one claim with {BATCH_JOBS} jobs waiting, {}", backend.name());
    timing::report("queue", &what, &latencies);
}

#[tokio::main]
async fn main() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let studio = backend.studio().await;
        enqueue_alone(backend, &studio).await;
        enqueue_together(backend, studio).await;
    }
    for backend in [Backend::Sqlite, Backend::Postgres] {
        batch_enqueue(backend).await;
    }
    for backend in [Backend::Sqlite, Backend::Postgres] {
        claim_throughput(backend, default_workers()).await;
        claim_behind_batch(backend).await;
    }
}
