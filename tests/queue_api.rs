//! The queue's server functions through the real router: a user sees and steers only their own jobs,
//! and every change that moves credits or state is announced on their event stream.
#![cfg(feature = "ssr")]

mod support;

use atelier::api::queue::{CancelJob, GetJob, GetMyQueue, MoveJob, MyQueue, RetryJob, SetJobPaused, SetQueuePaused};
use atelier::server::db::entity::users;
use atelier::server::jobs::{self, NewJob};
use atelier::types::{EventEnvelope, Job, JobStatus, StudioEvent};
use axum::http::StatusCode;
use futures_util::StreamExt;
use leptos::server_fn::ServerFn;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::time::Duration;
use support::client::{Client, signed_up};
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
