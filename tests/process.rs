//! The studio as real processes: one killed with SIGKILL while fal.ai runs its job and started
//! again on the same database, and two sharing one PostgreSQL database (a burst of jobs split
//! between them, and events of one process's jobs streamed by the other).
#![cfg(feature = "ssr")]

mod support;

use atelier::api::generate::SubmitGeneration;
use atelier::server::db::entity::generation_queue::{self, STATUS_COMPLETED, STATUS_FAILED, STATUS_RUNNING};
use atelier::server::db::entity::{images, job_events, usage_logs, users};
use atelier::server::jobs;
use atelier::types::{Job, StudioEvent};
use fal_emulator::{Emulator, EmulatorConfig};
use futures_util::StreamExt;
use leptos::server_fn::ServerFn;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Statement};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant};
use support::process::{Session, StudioProcess};
use uuid::Uuid;

const FAL_MODEL: &str = "fal-ai/flux/schnell";
const SKETCH_MODEL: &str = "atelier/sketch";
const EMULATOR_KEY: &str = "process-test-key";

async fn emulator(step_delay: Duration, runners: usize) -> Emulator {
    let config = EmulatorConfig { key: EMULATOR_KEY.to_owned(), step_delay, runners, ..Default::default() };
    Emulator::start(config, "127.0.0.1:0".parse().unwrap()).await.expect("the emulator starts")
}

/// The settings every studio of these tests gets: `data_dir`, fal.ai at the emulator, no email
/// confirmation needed to generate.
fn studio_env(data_dir: &Path, emu: &Emulator) -> Vec<(String, String)> {
    [
        ("ATELIER_DATA_DIR", data_dir.display().to_string()),
        ("FAL_KEY", EMULATOR_KEY.to_owned()),
        ("ATELIER_FAL_QUEUE_URL", emu.queue_url()),
        ("ATELIER_FAL_SYNC_URL", emu.sync_url()),
        ("ATELIER_FAL_REST_URL", emu.rest_url()),
        ("ATELIER_FAL_JWKS_URL", emu.jwks_url()),
        ("ATELIER_REQUIRE_VERIFIED_EMAIL", "false".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

fn with(mut env: Vec<(String, String)>, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    env
}

async fn start(name: &str, dir: &Path, env: &[(String, String)]) -> StudioProcess {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    StudioProcess::start(name, dir, &env).await
}

fn fal_request(steps: u32) -> Value {
    json!({
        "model_id": FAL_MODEL,
        "prompt": "a lighthouse at dusk",
        "parameters": { "image_size": { "width": 64, "height": 64 }, "num_inference_steps": steps, "num_images": 1 },
    })
}

fn sketch_request(num_images: u32) -> Value {
    json!({
        "model_id": SKETCH_MODEL,
        "prompt": "a harbour in the fog",
        "parameters": { "image_size": { "width": 64, "height": 64 }, "num_inference_steps": 2, "num_images": num_images },
    })
}

async fn submit(session: &Session, studio: &StudioProcess, request: Value) -> Job {
    let (status, body) = session.post_json(studio, SubmitGeneration::PATH, &json!({ "request": request })).await;
    assert_eq!(status, StatusCode::OK, "submit_generation: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("not a Job ({e}): {body}"))
}

async fn user_id(db: &DatabaseConnection, email: &str) -> Uuid {
    users::Entity::find().filter(users::Column::Email.eq(email)).one(db).await.unwrap().expect("the account exists").id
}

/// Waits until `done` accepts the job's row, failing with its state after `within`.
async fn wait_for_job(
    db: &DatabaseConnection,
    job: Uuid,
    within: Duration,
    done: impl Fn(&generation_queue::Model) -> bool,
) -> generation_queue::Model {
    let deadline = Instant::now() + within;
    loop {
        let row = jobs::get_any(db, job).await.unwrap();
        if done(&row) {
            return row;
        }
        assert_ne!(row.status, STATUS_FAILED, "the job failed: {:?}", row.error_message);
        assert!(Instant::now() < deadline, "job {job} still {} after {within:?} ({:?})", row.status, row.error_message);
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn emulator_calls(emu: &Emulator, kind: &str) -> u64 {
    let stats: Value = reqwest::get(format!("{}/_emulator/stats", emu.url())).await.unwrap().json().await.unwrap();
    stats[kind].as_u64().unwrap_or_else(|| panic!("no {kind} in {stats}"))
}

async fn emulator_request_status(emu: &Emulator, request_id: &str) -> String {
    let requests: Value =
        reqwest::get(format!("{}/_emulator/requests", emu.url())).await.unwrap().json().await.unwrap();
    let request = requests.as_array().unwrap().iter().find(|r| r["request_id"] == request_id);
    request.unwrap_or_else(|| panic!("fal.ai never saw {request_id}: {requests}"))["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The job's events, in order.
async fn events_of(db: &DatabaseConnection, job: Uuid) -> Vec<job_events::Model> {
    job_events::Entity::find()
        .filter(job_events::Column::JobId.eq(job))
        .order_by_asc(job_events::Column::Id)
        .all(db)
        .await
        .unwrap()
}

fn image_ids(job: &generation_queue::Model) -> Vec<Uuid> {
    let ids = job.result_image_ids.as_array().expect("result_image_ids is an array");
    ids.iter().map(|id| id.as_str().and_then(|id| id.parse().ok()).expect("an image id")).collect()
}

/// The images of `owner`, grouped by the job that made them.
async fn images_by_job(db: &DatabaseConnection, owner: Uuid) -> BTreeMap<Uuid, BTreeSet<Uuid>> {
    let rows = images::Entity::find().filter(images::Column::UserId.eq(owner)).all(db).await.unwrap();
    let mut by_job: BTreeMap<Uuid, BTreeSet<Uuid>> = BTreeMap::new();
    for image in rows {
        let job = image.metadata["job_id"].as_str().and_then(|id| id.parse().ok());
        let job = job.unwrap_or_else(|| panic!("image {} names no job: {}", image.id, image.metadata));
        by_job.entry(job).or_default().insert(image.id);
    }
    by_job
}

/// Asserts the balance is the starting grant less what the jobs were charged, and that the ledger
/// agrees with it.
async fn assert_credits_reconcile(db: &DatabaseConnection, owner: Uuid, starting: i64, charged: i64) {
    let balance = users::Entity::find_by_id(owner).one(db).await.unwrap().unwrap().credits_balance;
    assert_eq!(i64::from(balance), starting - charged, "balance after charging {charged} of {starting}");
    let reconciliation = jobs::reconcile(db, owner, starting).await.unwrap();
    assert!(reconciliation.is_balanced(), "{reconciliation:?}");
}

// ---------------------------------------------------------------------------------------------
// A studio killed in the middle of a fal.ai job
// ---------------------------------------------------------------------------------------------

/// Submits a fal.ai job over HTTP, SIGKILLs the studio while fal.ai runs it, starts the studio
/// again on the same data and database, and checks the job ends once, from the same request.
async fn a_killed_studio_resumes_its_fal_job_after_restart(database_url: Option<String>) {
    // 12 steps of 600 ms: the request is still running at fal.ai when the restarted studio takes
    // the job over (lease 5 s, the shortest allowed).
    let emu = emulator(Duration::from_millis(600), 2).await;
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let mut env = with(studio_env(&data_dir, &emu), &[("ATELIER_QUEUE_LEASE_SECONDS", "5"), ("ATELIER_WORKERS", "1")]);
    let database_url =
        database_url.unwrap_or_else(|| format!("sqlite://{}?mode=rwc", data_dir.join("atelier.db").display()));
    env.push(("DATABASE_URL".into(), database_url.clone()));
    let starting = i64::from(atelier::server::config::Config::embedded_defaults().limits.starting_credits);

    let mut first = start("first", dir.path(), &env).await;
    let ada = Session::sign_up(&first, "ada@example.com").await;
    let job = submit(&ada, &first, fal_request(12)).await.id;
    let db = atelier::server::db::connect(&database_url).await.unwrap();
    let owner = user_id(&db, "ada@example.com").await;

    let submitted = wait_for_job(&db, job, Duration::from_secs(20), |row| row.provider_handle.is_some()).await;
    let request_id = submitted.fal_request_id.clone().expect("the request id is stored with the handle");
    assert_eq!(emulator_calls(&emu, "submit").await, 1);
    first.kill();

    let left = jobs::get_any(&db, job).await.unwrap();
    assert_eq!(left.status, STATUS_RUNNING, "the job was still running when its studio died");
    assert_ne!(emulator_request_status(&emu, &request_id).await, "COMPLETED", "killed while fal.ai still ran it");
    let dead_worker = left.worker_id.clone();

    let restarted = start("restarted", dir.path(), &env).await;
    let done = wait_for_job(&db, job, Duration::from_secs(40), |row| row.status == STATUS_COMPLETED).await;

    // Resumed, not redone: the same request, one submission, one attempt, finished by the new process.
    assert_eq!(emulator_calls(&emu, "submit").await, 1, "fal.ai saw exactly one submit");
    assert_eq!(done.fal_request_id.as_deref(), Some(request_id.as_str()));
    assert_eq!(done.attempts, 1);
    assert_ne!(done.worker_id, dead_worker, "the restarted studio finished it");

    // One set of images.
    let made = images_by_job(&db, owner).await;
    assert_eq!(made.len(), 1, "{made:?}");
    let ids = image_ids(&done);
    assert_eq!(ids.len(), 1);
    assert_eq!(made[&job], ids.iter().copied().collect::<BTreeSet<_>>());
    let (status, original) = ada.get_bytes(&restarted, &format!("/api/images/{}/original", ids[0])).await;
    assert_eq!(status, StatusCode::OK);
    let decoded = image::load_from_memory(&original).expect("the stored original is an image");
    assert_eq!((decoded.width(), decoded.height()), (64, 64));

    // Started by each process, completed once, and the resumption said so.
    let events = events_of(&db, job).await;
    let count = |kind: &str| events.iter().filter(|e| e.kind == kind).count();
    assert_eq!((count("job_started"), count("job_completed"), count("job_failed")), (2, 1, 0), "{events:?}");
    assert!(
        events.iter().any(|e| e.kind == "job_log" && e.payload.to_string().contains("Picked up again after a restart")),
        "{events:?}"
    );

    // Held once, settled once: charged one credit for one image.
    assert_eq!(done.credits_charged, 1);
    assert_credits_reconcile(&db, owner, starting, 1).await;
    let ledger = usage_logs::Entity::find()
        .filter(usage_logs::Column::UserId.eq(owner))
        .order_by_asc(usage_logs::Column::CreatedAt)
        .all(&db)
        .await
        .unwrap();
    let actions: Vec<&str> = ledger.iter().map(|row| row.action.as_str()).collect();
    assert_eq!(actions, [jobs::ACTION_HOLD, jobs::ACTION_SETTLE]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_studio_killed_while_fal_runs_its_job_resumes_it_once_after_restart_on_sqlite() {
    a_killed_studio_resumes_its_fal_job_after_restart(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_studio_killed_while_fal_runs_its_job_resumes_it_once_after_restart_on_postgres() {
    a_killed_studio_resumes_its_fal_job_after_restart(Some(support::postgres::fresh_database().await)).await;
}

// ---------------------------------------------------------------------------------------------
// Two studios on one PostgreSQL database
// ---------------------------------------------------------------------------------------------

const STARTING_CREDITS: i64 = 1000;

/// Two studios sharing a fresh PostgreSQL database and an image directory, and its URL. They start
/// one after the other: two first starts at once collide while creating the schema.
async fn two_studios(
    emu: &Emulator,
    extra: &[(&str, &str)],
) -> (tempfile::TempDir, StudioProcess, StudioProcess, String) {
    let database_url = support::postgres::fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    let credits = STARTING_CREDITS.to_string();
    let mut env = with(studio_env(&dir.path().join("data"), emu), extra);
    env.push(("DATABASE_URL".into(), database_url.clone()));
    env.push(("ATELIER_STARTING_CREDITS".into(), credits));
    let first = start("first", dir.path(), &env).await;
    let second = start("second", dir.path(), &env).await;
    (dir, first, second, database_url)
}

/// The engine instance a worker id belongs to (`<instance>-<n>`): one per process.
fn instance_of(worker_id: &str) -> &str {
    worker_id.rsplit_once('-').map_or(worker_id, |(instance, _)| instance)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_studios_on_one_postgres_run_every_job_of_a_burst_of_200_exactly_once() {
    let emu = emulator(Duration::ZERO, 4).await;
    let (_dir, first, second, database_url) =
        two_studios(&emu, &[("ATELIER_WORKERS", "3"), ("ATELIER_QUEUE_PER_USER", "6")]).await;
    let db = atelier::server::db::connect(&database_url).await.unwrap();
    let ada = Session::sign_up(&first, "ada@example.com").await;
    let owner = user_id(&db, "ada@example.com").await;

    // Every fourth job goes to fal.ai (1 credit), the others to the free offline sketch with one or
    // two images; requests alternate between the two studios, eight at a time.
    let started = Instant::now();
    let studios = [&first, &second];
    let submitted: Vec<(Uuid, usize, bool)> = futures_util::stream::iter(0..200usize)
        .map(|n| {
            let ada = &ada;
            async move {
                let on_fal = n % 4 == 3;
                let (request, images) =
                    if on_fal { (fal_request(1), 1) } else { (sketch_request(1 + n as u32 % 2), 1 + n % 2) };
                (submit(ada, studios[n % 2], request).await.id, images, on_fal)
            }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    let submitting = started.elapsed();

    let deadline = Instant::now() + Duration::from_secs(60);
    let rows = loop {
        let rows =
            generation_queue::Entity::find().filter(generation_queue::Column::UserId.eq(owner)).all(&db).await.unwrap();
        if let Some(failed) = rows.iter().find(|row| row.status == STATUS_FAILED) {
            panic!("job {} failed: {:?}", failed.id, failed.error_message);
        }
        if rows.iter().all(|row| row.status == STATUS_COMPLETED) {
            break rows;
        }
        let done = rows.iter().filter(|row| row.status == STATUS_COMPLETED).count();
        assert!(Instant::now() < deadline, "{done} of {} jobs completed after 60 s", rows.len());
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    eprintln!("200 jobs: submitted in {submitting:?}, all completed after {:?}", started.elapsed());
    assert_eq!(rows.len(), 200);

    // Each job: one attempt, its own images and no others, started and completed once.
    let made = images_by_job(&db, owner).await;
    assert_eq!(made.len(), 200, "images belong to every job and only to them");
    let events = job_events::Entity::find().filter(job_events::Column::UserId.eq(owner)).all(&db).await.unwrap();
    let mut started_count: BTreeMap<Uuid, usize> = BTreeMap::new();
    let mut completed_count: BTreeMap<Uuid, usize> = BTreeMap::new();
    for event in &events {
        let Some(job) = event.job_id else { continue };
        match event.kind.as_str() {
            "job_started" => *started_count.entry(job).or_default() += 1,
            "job_completed" => *completed_count.entry(job).or_default() += 1,
            _ => {}
        }
    }
    let by_id: BTreeMap<Uuid, &generation_queue::Model> = rows.iter().map(|row| (row.id, row)).collect();
    for (job, images, _) in &submitted {
        let row = by_id[job];
        assert_eq!(row.attempts, 1, "job {job}");
        let ids: BTreeSet<Uuid> = image_ids(row).into_iter().collect();
        assert_eq!(ids.len(), *images, "job {job}");
        assert_eq!(made.get(job), Some(&ids), "job {job}");
        assert_eq!((started_count.get(job), completed_count.get(job)), (Some(&1), Some(&1)), "job {job}");
    }

    // Both processes took their share of the work.
    let instances: BTreeSet<&str> = rows.iter().filter_map(|row| row.worker_id.as_deref()).map(instance_of).collect();
    assert_eq!(instances.len(), 2, "jobs were run by {instances:?}");

    // fal.ai saw each of its 50 jobs once; each cost one credit.
    let on_fal = submitted.iter().filter(|(_, _, on_fal)| *on_fal).count();
    assert_eq!(on_fal, 50);
    assert_eq!(emulator_calls(&emu, "submit").await, 50);
    let charged: i64 = rows.iter().map(|row| i64::from(row.credits_charged)).sum();
    assert_eq!(charged, 50);
    assert_credits_reconcile(&db, owner, STARTING_CREDITS, charged).await;
}

/// Transactions open for longer than a moment: a frozen process caught inside one (holding the
/// claim lock, say) would stall the other process's workers.
async fn stalled_transactions(db: &DatabaseConnection) -> i64 {
    let sql = "SELECT COUNT(*) AS stalled FROM pg_stat_activity WHERE datname = current_database() \
               AND state LIKE 'idle in transaction%' AND state_change < now() - interval '400 milliseconds'";
    let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap().unwrap();
    row.try_get::<i64>("", "stalled").unwrap()
}

/// Freezes `studio` at a moment it is not inside a database transaction.
async fn freeze_outside_transactions(studio: &StudioProcess, db: &DatabaseConnection) {
    for _ in 0..10 {
        studio.freeze();
        tokio::time::sleep(Duration::from_millis(500)).await;
        if stalled_transactions(db).await == 0 {
            return;
        }
        studio.thaw();
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("could not freeze the studio outside a transaction in ten tries");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_stream_on_one_studio_shows_the_progress_of_a_job_the_other_studio_runs() {
    // 12 steps of 250 ms at fal.ai: the job is still running when the watching studio thaws.
    let emu = emulator(Duration::from_millis(250), 2).await;
    let (_dir, watching, running, database_url) = two_studios(&emu, &[]).await;
    let db = atelier::server::db::connect(&database_url).await.unwrap();
    let ada = Session::sign_up(&watching, "ada@example.com").await;

    // The stream is live: a first job's completion arrives on it.
    let mut stream = ada.events(&watching, None).await;
    let warm_up = submit(&ada, &watching, sketch_request(1)).await.id;
    let is_done =
        |job: Uuid| move |event: &StudioEvent| matches!(event, StudioEvent::JobCompleted { job: j, .. } if *j == job);
    if let Err(seen) = stream.until(Duration::from_secs(20), is_done(warm_up)).await {
        panic!("the first job never completed on the stream: {seen:?}");
    }

    // Only the other studio can claim while this one is frozen; once it holds the job (its lease
    // is renewed), this one thaws and must stream what the other does.
    freeze_outside_transactions(&watching, &db).await;
    let job = submit(&ada, &running, fal_request(12)).await.id;
    let claimed = wait_for_job(&db, job, Duration::from_secs(20), |row| row.provider_handle.is_some()).await;
    watching.thaw();
    assert_ne!(emulator_request_status(&emu, claimed.fal_request_id.as_deref().unwrap()).await, "COMPLETED");

    let seen = match stream.until(Duration::from_secs(30), is_done(job)).await {
        Ok(seen) => seen,
        Err(seen) => panic!("the other studio's job never completed on this stream: {seen:?}"),
    };
    let done = jobs::get_any(&db, job).await.unwrap();
    assert_eq!(done.status, STATUS_COMPLETED);
    assert_eq!(done.worker_id, claimed.worker_id, "the other studio ran the job from claim to completion");
    let of_job: Vec<&StudioEvent> = seen.iter().map(|e| &e.event).filter(|e| e.job() == Some(job)).collect();
    assert!(of_job.contains(&&StudioEvent::JobStarted { job }), "{of_job:?}");
    assert!(of_job.iter().any(|e| matches!(e, StudioEvent::JobProgress { .. })), "{of_job:?}");
    assert_eq!(of_job.last(), Some(&&StudioEvent::JobCompleted { job, images: image_ids(&done) }));
    let ids: Vec<i64> = seen.iter().map(|e| e.id).collect();
    assert!(ids.windows(2).all(|pair| pair[0] < pair[1]), "event ids only grow: {ids:?}");
}
