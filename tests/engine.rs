//! The generation engine's workers end to end: the offline renderer and the fal emulator, with
//! retries, validation failures, a resumed request after a dead worker, and cancelling.
#![cfg(feature = "ssr")]

mod support;

use atelier::server::db::entity::generation_queue::{
    self, KIND_TEXT_TO_IMAGE, STATUS_CANCELLED, STATUS_COMPLETED, STATUS_FAILED,
};
use atelier::server::db::entity::{images, users};
use atelier::server::jobs::{self, ClaimLimits, NewJob};
use atelier::server::providers::fal::RequestHandle;
use atelier::server::storage::BlobKey;
use atelier::types::StudioEvent;
use chrono::Utc;
use fal_emulator::{Emulator, EmulatorConfig};
use futures_util::StreamExt;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use serde_json::{Map, Value, json};
use std::time::{Duration, Instant};
use support::engine::engine;
use support::studio::TestStudio;
use uuid::Uuid;

const FAL_MODEL: &str = "fal-ai/flux/schnell";
const STARTING_CREDITS: i32 = 100;

async fn emulator(step_delay_ms: u64) -> Emulator {
    let config = EmulatorConfig {
        key: "engine-test-key".to_owned(),
        step_delay: Duration::from_millis(step_delay_ms),
        ..Default::default()
    };
    Emulator::start(config, "127.0.0.1:0".parse().unwrap()).await.expect("the emulator starts")
}

async fn studio_for(emu: &Emulator) -> TestStudio {
    TestStudio::start(&[
        ("FAL_KEY", emu.key()),
        ("ATELIER_FAL_QUEUE_URL", &emu.queue_url()),
        ("ATELIER_FAL_SYNC_URL", &emu.sync_url()),
        ("ATELIER_FAL_REST_URL", &emu.rest_url()),
        ("ATELIER_FAL_JWKS_URL", &emu.jwks_url()),
    ])
    .await
}

async fn user(studio: &TestStudio) -> Uuid {
    support::queue::account(&studio.state.db, STARTING_CREDITS).await
}

async fn enqueue(studio: &TestStudio, user_id: Uuid, model: &str, parameters: Value, credits: u32) -> Uuid {
    let Value::Object(parameters) = parameters else { panic!("parameters are an object") };
    let job = NewJob {
        user_id,
        project_id: None,
        model_id: model.into(),
        kind: KIND_TEXT_TO_IMAGE,
        prompt: "a lighthouse at dusk".into(),
        negative_prompt: None,
        parameters: parameters as Map<String, Value>,
        priority: 0,
        batch_id: None,
        parent_image_id: None,
        credits,
    };
    jobs::enqueue(&studio.state.db, job).await.expect("the job is accepted").id
}

fn fal_input() -> Value {
    json!({"image_size": {"width": 64, "height": 64}, "num_inference_steps": 2, "num_images": 1})
}

/// Waits (10 s at most) until the job reaches `status`.
async fn wait_for(studio: &TestStudio, job: Uuid, status: &str) -> generation_queue::Model {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let row = jobs::get_any(&studio.state.db, job).await.unwrap();
        if row.status == status {
            return row;
        }
        assert!(Instant::now() < deadline, "job still {} ({:?}), not {status}", row.status, row.error_message);
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn balance(studio: &TestStudio, user_id: Uuid) -> i32 {
    users::Entity::find_by_id(user_id).one(&studio.state.db).await.unwrap().unwrap().credits_balance
}

async fn emulator_calls(emu: &Emulator, kind: &str) -> u64 {
    let stats: Value = reqwest::get(format!("{}/_emulator/stats", emu.url())).await.unwrap().json().await.unwrap();
    stats[kind].as_u64().unwrap_or_else(|| panic!("no {kind} in {stats}"))
}

async fn inject(emu: &Emulator, rule: Value) {
    let response =
        reqwest::Client::new().post(format!("{}/_emulator/faults", emu.url())).json(&rule).send().await.unwrap();
    assert!(response.status().is_success(), "fault {rule} refused");
}

/// Every event of the user so far.
async fn events(studio: &TestStudio, user_id: Uuid) -> Vec<StudioEvent> {
    let stream = studio.state.events.subscribe(&studio.state.db, user_id, Some(0));
    tokio::pin!(stream);
    let mut seen = Vec::new();
    while let Ok(Some(envelope)) = tokio::time::timeout(Duration::from_millis(300), stream.next()).await {
        seen.push(envelope.event);
    }
    seen
}

#[tokio::test]
async fn an_offline_job_becomes_stored_images_with_settled_credits_and_events() {
    let studio = TestStudio::start(&[]).await;
    let engine = engine(&studio);
    let owner = user(&studio).await;
    let params = json!({"image_size": {"width": 64, "height": 64}, "num_images": 2, "num_inference_steps": 3});
    let job = enqueue(&studio, owner, "atelier/sketch", params, 4).await;
    engine.wake();

    let done = wait_for(&studio, job, STATUS_COMPLETED).await;
    let rows = images::Entity::find().filter(images::Column::UserId.eq(owner)).all(&studio.state.db).await.unwrap();
    assert_eq!(rows.len(), 2);
    for row in &rows {
        assert_eq!((row.width, row.height, row.format.as_str()), (64, 64, "png"));
        assert_eq!(row.model_id.as_deref(), Some("atelier/sketch"));
        assert!(row.parameters["seed"].is_u64(), "{}", row.parameters);
        for key in [row.file_path.clone(), row.metadata["thumbnail_key"].as_str().unwrap().to_owned()] {
            assert!(studio.state.storage.exists(&BlobKey::parse(&key).unwrap()).await.unwrap(), "{key} missing");
        }
    }
    assert_eq!(done.result_image_ids.as_array().unwrap().len(), 2);
    // The sketch is free: the whole hold comes back.
    assert_eq!(balance(&studio, owner).await, STARTING_CREDITS);
    assert!(jobs::reconcile(&studio.state.db, owner, i64::from(STARTING_CREDITS)).await.unwrap().is_balanced());

    let seen = events(&studio, owner).await;
    assert!(seen.contains(&StudioEvent::JobStarted { job }), "{seen:?}");
    assert!(seen.iter().any(|e| matches!(e, StudioEvent::JobProgress { job: j, .. } if *j == job)), "{seen:?}");
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    assert!(
        seen.iter().any(|e| matches!(e, StudioEvent::JobCompleted { job: j, images } if *j == job
            && images.len() == 2 && images.iter().all(|i| ids.contains(i)))),
        "{seen:?}"
    );
    engine.stop().await;
}

#[tokio::test]
async fn a_fal_job_completes_and_its_credits_are_charged() {
    let emu = emulator(0).await;
    let studio = studio_for(&emu).await;
    let engine = engine(&studio);
    let owner = user(&studio).await;
    let job = enqueue(&studio, owner, FAL_MODEL, fal_input(), 10).await;

    let done = wait_for(&studio, job, STATUS_COMPLETED).await;
    let rows = images::Entity::find().filter(images::Column::UserId.eq(owner)).all(&studio.state.db).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(balance(&studio, owner).await, STARTING_CREDITS - done.credits_charged);
    assert!(done.credits_charged > 0);
    assert!(jobs::reconcile(&studio.state.db, owner, i64::from(STARTING_CREDITS)).await.unwrap().is_balanced());
    assert_eq!(emulator_calls(&emu, "submit").await, 1);
    engine.stop().await;
}

#[tokio::test]
async fn a_busy_fal_on_submit_is_retried_and_the_job_completes_with_one_request() {
    let emu = emulator(0).await;
    inject(&emu, json!({"fault": "http_503", "on": "submit"})).await;
    let studio = studio_for(&emu).await;
    let engine = engine(&studio);
    let owner = user(&studio).await;
    let job = enqueue(&studio, owner, FAL_MODEL, fal_input(), 10).await;

    wait_for(&studio, job, STATUS_COMPLETED).await;
    // One refused call, one accepted: a single request ran at fal.
    assert_eq!(emulator_calls(&emu, "submit").await, 2);
    engine.stop().await;
}

#[tokio::test]
async fn a_refused_input_fails_the_job_with_the_field_named_and_releases_the_credits() {
    let emu = emulator(0).await;
    inject(&emu, json!({"fault": "validation", "on": "submit", "field": "image_size"})).await;
    let studio = studio_for(&emu).await;
    let engine = engine(&studio);
    let owner = user(&studio).await;
    let job = enqueue(&studio, owner, FAL_MODEL, fal_input(), 10).await;

    let failed = wait_for(&studio, job, STATUS_FAILED).await;
    let message = failed.error_message.unwrap_or_default();
    assert!(message.contains("image_size"), "{message}");
    assert_eq!(balance(&studio, owner).await, STARTING_CREDITS);
    let seen = events(&studio, owner).await;
    assert!(
        seen.iter().any(|e| matches!(e, StudioEvent::JobFailed { job: j, retrying: false, .. } if *j == job)),
        "{seen:?}"
    );
    engine.stop().await;
}

#[tokio::test]
async fn a_job_left_by_a_dead_worker_resumes_its_fal_request_without_submitting_again() {
    let emu = emulator(0).await;
    let studio = studio_for(&emu).await;
    let owner = user(&studio).await;
    let job = enqueue(&studio, owner, FAL_MODEL, fal_input(), 10).await;

    // A worker claims the job, submits it, records the handle, and dies.
    let db = &studio.state.db;
    let limits = ClaimLimits { global: 10, per_user: 10 };
    jobs::claim(db, "dead-worker", Duration::from_secs(60), limits, Utc::now()).await.unwrap().unwrap();
    let client = studio.state.fal.client.as_ref().unwrap();
    let mut input = fal_input();
    input["prompt"] = json!("a lighthouse at dusk");
    let handle: RequestHandle = client.submit(FAL_MODEL, &input, None).await.unwrap();
    let value = serde_json::to_value(&handle).unwrap();
    assert!(jobs::record_provider_handle(db, job, "dead-worker", value, &handle.request_id).await.unwrap());
    let mut expired = jobs::get_any(db, job).await.unwrap().into_active_model();
    expired.lease_expires_at = Set(Some(Utc::now() - chrono::Duration::seconds(5)));
    expired.update(db).await.unwrap();

    let engine = engine(&studio);
    let done = wait_for(&studio, job, STATUS_COMPLETED).await;
    assert_eq!(done.attempts, 1);
    assert_eq!(done.fal_request_id.as_deref(), Some(handle.request_id.as_str()));
    assert_eq!(emulator_calls(&emu, "submit").await, 1);
    engine.stop().await;
}

#[tokio::test]
async fn cancelling_a_running_fal_job_cancels_it_at_fal_and_releases_the_credits() {
    let emu = emulator(300).await;
    let studio = studio_for(&emu).await;
    let engine = engine(&studio);
    let owner = user(&studio).await;
    let mut input = fal_input();
    input["num_inference_steps"] = json!(12);
    let job = enqueue(&studio, owner, FAL_MODEL, input, 10).await;

    // Running at fal: the handle is recorded.
    let deadline = Instant::now() + Duration::from_secs(10);
    while jobs::get_any(&studio.state.db, job).await.unwrap().provider_handle.is_none() {
        assert!(Instant::now() < deadline, "the job was never submitted");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    jobs::cancel(&studio.state.db, owner, job).await.unwrap();

    wait_for(&studio, job, STATUS_CANCELLED).await;
    assert_eq!(emulator_calls(&emu, "cancel").await, 1);
    assert_eq!(balance(&studio, owner).await, STARTING_CREDITS);
    let seen = events(&studio, owner).await;
    assert!(seen.contains(&StudioEvent::JobCancelled { job }), "{seen:?}");
    engine.stop().await;
}
