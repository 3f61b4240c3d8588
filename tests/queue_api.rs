//! The queue's server functions and REST routes through the real router: a user sees and steers only
//! their own jobs, administrators steer anyone's, and every change that moves credits or state is
//! announced on the owner's event stream.
#![cfg(feature = "ssr")]

mod support;

use atelier::api::admin_queue::{ActOnAnyJob, GetWholeQueue};
use atelier::api::queue::{
    ActOnJob, CancelJob, GetJob, GetMyQueue, MoveJob, MyQueue, RetryJob, SetJobPaused, SetQueuePaused,
};
use atelier::server::accounts::admin::create_or_promote;
use atelier::server::db::entity::users;
use atelier::server::jobs::{self, NewJob};
use atelier::types::{ApiError, EventEnvelope, Job, JobStatus, QueueEntry, StudioEvent};
use axum::http::StatusCode;
use futures_util::StreamExt;
use leptos::server_fn::ServerFn;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use std::time::Duration;
use support::client::{Client, TEST_PASSWORD, signed_in, signed_up};
use support::queue::new_job;
use support::studio::TestStudio;
use uuid::Uuid;

const STARTING_CREDITS: &str = "50";

async fn user<'a>(studio: &'a TestStudio, email: &str) -> (Client<'a>, Uuid) {
    let client = signed_up(studio, email).await;
    assert!(my_queue(&client).await.jobs.is_empty());
    let user = users::Entity::find().filter(users::Column::Email.eq(email)).one(&studio.state.db).await.unwrap();
    (client, user.expect("the account exists").id)
}

async fn enqueue(studio: &TestStudio, user: Uuid, prompt: &str, credits: u32) -> Uuid {
    let job = NewJob { model_id: "fal-ai/flux/schnell".into(), prompt: prompt.into(), ..new_job(user, credits) };
    jobs::enqueue(&studio.state.db, job).await.unwrap().id
}

async fn my_queue(client: &Client<'_>) -> MyQueue {
    let response = client.call(GetMyQueue::PATH, &[]).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    response.json()
}

fn prompts(queue: &MyQueue) -> Vec<&str> {
    queue.jobs.iter().map(|job| job.prompt.as_str()).collect()
}

async fn ok_job(client: &Client<'_>, path: &str, fields: &[(&str, &str)]) -> Job {
    let response = client.call(path, fields).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    response.json()
}

/// The events published for `user` after `after`, waiting briefly for the relay.
async fn events_of(studio: &TestStudio, user: Uuid, after: i64, count: usize) -> Vec<StudioEvent> {
    let stream = studio.state.events.subscribe(&studio.state.db, user, Some(after));
    let events: Vec<EventEnvelope> =
        tokio::time::timeout(Duration::from_secs(5), stream.take(count).collect()).await.expect("events arrive");
    events.into_iter().map(|envelope| envelope.event).collect()
}

#[tokio::test]
async fn a_user_sees_their_queue_in_order_and_moves_jobs_up_down_and_to_the_top() {
    let studio = TestStudio::start(&[("ATELIER_STARTING_CREDITS", STARTING_CREDITS)]).await;
    let (ada, ada_id) = user(&studio, "ada@example.com").await;
    let first = enqueue(&studio, ada_id, "first", 1).await;
    let _second = enqueue(&studio, ada_id, "second", 1).await;
    let third = enqueue(&studio, ada_id, "third", 1).await;
    assert_eq!(prompts(&my_queue(&ada).await), ["first", "second", "third"]);

    ok_job(&ada, MoveJob::PATH, &[("id", &third.to_string()), ("to", "top")]).await;
    assert_eq!(prompts(&my_queue(&ada).await), ["third", "first", "second"]);
    ok_job(&ada, MoveJob::PATH, &[("id", &first.to_string()), ("to", "down")]).await;
    assert_eq!(prompts(&my_queue(&ada).await), ["third", "second", "first"]);
    ok_job(&ada, MoveJob::PATH, &[("id", &first.to_string()), ("to", "up")]).await;
    assert_eq!(prompts(&my_queue(&ada).await), ["third", "first", "second"]);

    let job = ok_job(&ada, GetJob::PATH, &[("id", &first.to_string())]).await;
    assert_eq!((job.status, job.credits_held), (JobStatus::Pending, 1));
}

#[tokio::test]
async fn cancelling_returns_the_credits_and_retrying_holds_them_again_with_events() {
    let studio = TestStudio::start(&[("ATELIER_STARTING_CREDITS", STARTING_CREDITS)]).await;
    let (ada, ada_id) = user(&studio, "ada@example.com").await;
    let job = enqueue(&studio, ada_id, "a harbour at dawn", 5).await;
    assert_eq!(jobs::balance(&studio.state.db, ada_id).await.unwrap(), 45);

    let cancelled = ok_job(&ada, CancelJob::PATH, &[("id", &job.to_string())]).await;
    assert_eq!(cancelled.status, JobStatus::Cancelled);
    assert_eq!(jobs::balance(&studio.state.db, ada_id).await.unwrap(), 50);
    let events = events_of(&studio, ada_id, 0, 2).await;
    assert_eq!(events, [StudioEvent::JobCancelled { job }, StudioEvent::CreditsChanged { balance: 50 }]);

    let again = ada.call(CancelJob::PATH, &[("id", &job.to_string())]).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "a cancelled job cannot be cancelled twice");
    assert!(again.api_error().message.contains("cancelled"), "{}", again.body);

    let retried = ok_job(&ada, RetryJob::PATH, &[("id", &job.to_string())]).await;
    assert_eq!((retried.status, retried.credits_held), (JobStatus::Pending, 5));
    assert_eq!(jobs::balance(&studio.state.db, ada_id).await.unwrap(), 45);
}

#[tokio::test]
async fn pausing_a_job_or_the_whole_queue_is_remembered() {
    let studio = TestStudio::start(&[("ATELIER_STARTING_CREDITS", STARTING_CREDITS)]).await;
    let (ada, ada_id) = user(&studio, "ada@example.com").await;
    let job = enqueue(&studio, ada_id, "a quiet forest", 1).await;

    let paused = ok_job(&ada, SetJobPaused::PATH, &[("id", &job.to_string()), ("paused", "true")]).await;
    assert_eq!(paused.status, JobStatus::Paused);
    let resumed = ok_job(&ada, SetJobPaused::PATH, &[("id", &job.to_string()), ("paused", "false")]).await;
    assert_eq!(resumed.status, JobStatus::Pending);

    let response = ada.call(SetQueuePaused::PATH, &[("paused", "true")]).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert!(my_queue(&ada).await.paused);
    let response = ada.call(SetQueuePaused::PATH, &[("paused", "false")]).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert!(!my_queue(&ada).await.paused);
}

#[tokio::test]
async fn nobody_sees_or_steers_another_users_jobs() {
    let studio = TestStudio::start(&[("ATELIER_STARTING_CREDITS", STARTING_CREDITS)]).await;
    let (_ada, ada_id) = user(&studio, "ada@example.com").await;
    let (grace, _) = user(&studio, "grace@example.com").await;
    let job = enqueue(&studio, ada_id, "mine", 1).await.to_string();

    assert!(my_queue(&grace).await.jobs.is_empty());
    for (path, fields) in [
        (GetJob::PATH, vec![("id", job.as_str())]),
        (CancelJob::PATH, vec![("id", job.as_str())]),
        (RetryJob::PATH, vec![("id", job.as_str())]),
        (MoveJob::PATH, vec![("id", job.as_str()), ("to", "top")]),
        (SetJobPaused::PATH, vec![("id", job.as_str()), ("paused", "true")]),
    ] {
        let response = grace.call(path, &fields).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{path}: {}", response.body);
    }
    let visitor = Client::new(&studio);
    assert_eq!(visitor.call(GetMyQueue::PATH, &[]).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(visitor.call(CancelJob::PATH, &[("id", job.as_str())]).await.status, StatusCode::UNAUTHORIZED);
}

async fn admin<'a>(studio: &'a TestStudio, email: &str) -> Client<'a> {
    create_or_promote(&studio.state.db, email, Some("Root"), Some(TEST_PASSWORD.to_owned()), 10).await.unwrap();
    signed_in(Client::new(studio), email).await
}

fn ok_json<T: serde::de::DeserializeOwned>(response: &support::studio::TestResponse, status: StatusCode) -> T {
    assert_eq!(response.status, status, "{}", response.body);
    response.json()
}

#[tokio::test]
async fn prioritising_runs_a_job_first_and_out_of_range_priorities_are_refused() {
    let studio = TestStudio::start(&[("ATELIER_STARTING_CREDITS", STARTING_CREDITS)]).await;
    let (ada, ada_id) = user(&studio, "ada@example.com").await;
    let _first = enqueue(&studio, ada_id, "first", 1).await;
    let second = enqueue(&studio, ada_id, "second", 1).await;

    let body = json!({"id": second, "action": {"action": "prioritise", "priority": 5}});
    let job: Job = ok_json(&ada.post_json(ActOnJob::PATH, &body).await, StatusCode::OK);
    assert_eq!(job.priority, 5);
    assert_eq!(prompts(&my_queue(&ada).await), ["second", "first"]);
    assert_eq!(events_of(&studio, ada_id, 0, 1).await, [StudioEvent::JobReordered { job: second }]);

    let body = json!({"id": second, "action": {"action": "prioritise", "priority": 1000}});
    let refused = ada.post_json(ActOnJob::PATH, &body).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    let error: ApiError = refused.json();
    assert_eq!(error.field.as_deref(), Some("priority"));
    assert!(error.message.contains("-100 to 100"), "{}", error.message);
}

#[tokio::test]
async fn the_rest_routes_submit_list_and_steer_jobs_with_the_same_checks() {
    let studio = TestStudio::start(&[
        ("ATELIER_STARTING_CREDITS", STARTING_CREDITS),
        ("ATELIER_REQUIRE_VERIFIED_EMAIL", "false"),
    ])
    .await;
    let (ada, ada_id) = user(&studio, "ada@example.com").await;
    let (grace, _) = user(&studio, "grace@example.com").await;

    let request = json!({"model_id": "atelier/sketch", "prompt": "a lighthouse at dusk",
        "parameters": {"image_size": {"width": 64, "height": 64}}});
    let queued: Job = ok_json(&ada.post_json("/api/jobs", &request).await, StatusCode::CREATED);
    assert_eq!((queued.status, queued.prompt.as_str()), (JobStatus::Pending, "a lighthouse at dusk"));
    let seen: Job = ok_json(&ada.get(&format!("/api/jobs/{}", queued.id)).await, StatusCode::OK);
    assert_eq!(seen.id, queued.id);
    let queue: MyQueue = ok_json(&ada.get("/api/jobs").await, StatusCode::OK);
    assert_eq!(prompts(&queue), ["a lighthouse at dusk"]);

    let paused: Job = ok_json(
        &ada.post_json(&format!("/api/jobs/{}/actions", queued.id), &json!({"action": "pause"})).await,
        StatusCode::OK,
    );
    assert_eq!(paused.status, JobStatus::Paused);
    let moved = json!({"action": "move", "to": "top"});
    let _: Job = ok_json(&ada.post_json(&format!("/api/jobs/{}/actions", queued.id), &moved).await, StatusCode::OK);
    let body: serde_json::Value =
        ok_json(&ada.json_request("PUT", "/api/queue/paused", &json!({"paused": true})).await, StatusCode::OK);
    assert_eq!(body, json!({"paused": true}));
    assert!(jobs::queue_paused(&studio.state.db, ada_id).await.unwrap());

    // The model's own validation names the field; a malformed body says what is wrong with it.
    let too_big = json!({"model_id": "atelier/sketch", "prompt": "x", "parameters": {"num_images": 99}});
    let refused = ada.post_json("/api/jobs", &too_big).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert_eq!(refused.json::<ApiError>().field.as_deref(), Some("num_images"));
    let malformed = ada.post_json("/api/jobs", &json!({"prompt": "no model"})).await;
    assert_eq!(malformed.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", malformed.body);
    let error: ApiError = malformed.json();
    assert_eq!(error.field.as_deref(), Some("body"));
    assert!(error.message.contains("model_id"), "{}", error.message);
    let unknown = ada.post_json(&format!("/api/jobs/{}/actions", queued.id), &json!({"action": "explode"})).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", unknown.body);
    // Iterating on an image that is not yours is refused before anything is queued.
    let foreign = json!({"model_id": "atelier/sketch", "prompt": "x", "parent_image_id": Uuid::now_v7()});
    let refused = ada.post_json("/api/jobs", &foreign).await;
    assert_eq!(refused.json::<ApiError>().field.as_deref(), Some("parent_image_id"));
    assert_eq!(my_queue(&ada).await.jobs.len(), 1);

    // Another user's job does not exist for them; a visitor must sign in.
    assert_eq!(grace.get(&format!("/api/jobs/{}", queued.id)).await.status, StatusCode::NOT_FOUND);
    let cancel = json!({"action": "cancel"});
    assert_eq!(
        grace.post_json(&format!("/api/jobs/{}/actions", queued.id), &cancel).await.status,
        StatusCode::NOT_FOUND
    );
    let visitor = Client::new(&studio);
    assert_eq!(visitor.get("/api/jobs").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(visitor.post_json("/api/jobs", &request).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn administrators_see_and_steer_every_users_jobs_and_the_owner_is_told() {
    let studio = TestStudio::start(&[("ATELIER_STARTING_CREDITS", STARTING_CREDITS)]).await;
    let (ada, ada_id) = user(&studio, "ada@example.com").await;
    let (_grace, grace_id) = user(&studio, "grace@example.com").await;
    let root = admin(&studio, "root@example.com").await;
    let ada_job = enqueue(&studio, ada_id, "ada's", 3).await;
    let _grace_job = enqueue(&studio, grace_id, "grace's", 1).await;

    let whole: Vec<QueueEntry> = ok_json(&root.call(GetWholeQueue::PATH, &[]).await, StatusCode::OK);
    let mut owners: Vec<&str> = whole.iter().map(|entry| entry.owner_email.as_str()).collect();
    owners.sort_unstable();
    assert_eq!(owners, ["ada@example.com", "grace@example.com"]);
    let rest: Vec<QueueEntry> = ok_json(&root.get("/api/admin/jobs?status=pending").await, StatusCode::OK);
    assert_eq!(rest.len(), 2);
    let none: Vec<QueueEntry> = ok_json(&root.get("/api/admin/jobs?status=running").await, StatusCode::OK);
    assert!(none.is_empty());

    let body = json!({"id": ada_job, "action": {"action": "cancel"}});
    let cancelled: Job = ok_json(&root.post_json(ActOnAnyJob::PATH, &body).await, StatusCode::OK);
    assert_eq!(cancelled.status, JobStatus::Cancelled);
    assert_eq!(
        events_of(&studio, ada_id, 0, 2).await,
        [StudioEvent::JobCancelled { job: ada_job }, StudioEvent::CreditsChanged { balance: 50 }]
    );
    let retried: Job = ok_json(
        &root.post_json(&format!("/api/admin/jobs/{ada_job}/actions"), &json!({"action": "retry"})).await,
        StatusCode::OK,
    );
    assert_eq!(retried.status, JobStatus::Pending);
    assert_eq!(jobs::balance(&studio.state.db, ada_id).await.unwrap(), 47, "the owner's credits are held again");

    // Users are refused the whole queue and the administrators' controls.
    assert_eq!(ada.call(GetWholeQueue::PATH, &[]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(ada.get("/api/admin/jobs").await.status, StatusCode::FORBIDDEN);
    assert_eq!(ada.post_json(ActOnAnyJob::PATH, &body).await.status, StatusCode::FORBIDDEN);
    let page = root.page("/admin/queue").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#"<span class="block text-xs text-muted">ada@example.com"#), "the owner is shown");
    assert!(page.body.contains(&format!(r#"data-job="{ada_job}""#)), "the job has its row");
}

#[tokio::test]
async fn generate_runs_next_and_add_to_queue_waits_behind() {
    let studio = TestStudio::start(&[
        ("ATELIER_STARTING_CREDITS", STARTING_CREDITS),
        ("ATELIER_REQUIRE_VERIFIED_EMAIL", "false"),
    ])
    .await;
    let (ada, _) = user(&studio, "ada@example.com").await;
    for (prompt, run_next) in [("queued first", false), ("queued second", false), ("generated now", true)] {
        let request = json!({"model_id": "atelier/sketch", "prompt": prompt, "run_next": run_next});
        let _: Job = ok_json(&ada.post_json("/api/jobs", &request).await, StatusCode::CREATED);
    }
    assert_eq!(prompts(&my_queue(&ada).await), ["generated now", "queued first", "queued second"]);
}
