//! The generation queue's storage layer (`atelier::server::jobs`): claiming with leases and
//! limits, ordering, pausing, outcomes and the owner's controls, on SQLite and, where concurrency
//! or the claim statement differ, on a throwaway PostgreSQL.
#![cfg(feature = "ssr")]

mod support;

use support::queue::{account as user, new_job, postgres, sqlite};

use atelier::server::db::entity::generation_queue::{
    self, STATUS_CANCELLED, STATUS_COMPLETED, STATUS_FAILED, STATUS_PAUSED, STATUS_PENDING, STATUS_RUNNING,
};
use atelier::server::db::entity::users;
use atelier::server::error::AppError;
use atelier::server::jobs::{
    self, CancelOutcome, ClaimLimits, FailOutcome, JobError, JobFilter, Move, NewJob, RetryPolicy,
};
use chrono::{DateTime, Duration as Span, Utc};
use sea_orm::{DatabaseConnection, EntityTrait};
use serde_json::json;
use std::collections::HashSet;
use std::time::Duration;
use uuid::Uuid;

const LEASE: Duration = Duration::from_secs(60);
const ROOMY: ClaimLimits = ClaimLimits { global: 100, per_user: 100 };

// ---------------------------------------------------------------------------------------------
// Claim order
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn claims_take_higher_priority_first_then_the_queue_order_on_sqlite() {
    let (db, _dir) = sqlite().await;
    check_claim_order(&db).await;
}

#[tokio::test]
async fn claims_take_higher_priority_first_then_the_queue_order_on_postgres() {
    check_claim_order(&postgres().await).await;
}

async fn check_claim_order(db: &DatabaseConnection) {
    let user = user(db, 100).await;
    let first = enqueue(db, user, 0).await;
    let second = enqueue(db, user, 0).await;
    let urgent = enqueue(db, user, 5).await;
    let third = enqueue(db, user, 0).await;
    assert_eq!(claim_all(db, Utc::now()).await, [urgent, first, second, third]);
}

#[tokio::test]
async fn moving_jobs_up_down_to_the_top_and_before_another_changes_the_claim_order() {
    let (db, _dir) = sqlite().await;
    let user = user(&db, 100).await;
    let a = enqueue(&db, user, 0).await;
    let b = enqueue(&db, user, 0).await;
    let c = enqueue(&db, user, 0).await;
    let d = enqueue(&db, user, 0).await;
    jobs::reorder(&db, user, c, Move::Up).await.unwrap(); // a c b d
    jobs::reorder(&db, user, a, Move::Down).await.unwrap(); // c a b d
    jobs::reorder(&db, user, d, Move::Top).await.unwrap(); // d c a b
    jobs::reorder(&db, user, b, Move::Before(c)).await.unwrap(); // d b c a
    jobs::reorder(&db, user, d, Move::Up).await.unwrap(); // unchanged: already first
    jobs::reorder(&db, user, a, Move::Down).await.unwrap(); // unchanged: already last
    assert_eq!(ids(&jobs::list_for_user(&db, user, &JobFilter::default()).await.unwrap()), [d, b, c, a]);
    assert_eq!(claim_all(&db, Utc::now()).await, [d, b, c, a]);
}

#[tokio::test]
async fn a_job_moved_among_jobs_of_another_priority_takes_their_priority() {
    let (db, _dir) = sqlite().await;
    let user = user(&db, 100).await;
    let urgent = enqueue(&db, user, 9).await;
    let normal = enqueue(&db, user, 0).await;
    let moved = jobs::reorder(&db, user, normal, Move::Top).await.unwrap();
    assert_eq!(moved.priority, 9);
    assert_eq!(claim_all(&db, Utc::now()).await, [normal, urgent]);
}

#[tokio::test]
async fn many_moves_into_the_same_gap_renumber_the_queue_and_keep_its_order() {
    let (db, _dir) = sqlite().await;
    let user = user(&db, 100).await;
    let first = enqueue(&db, user, 0).await;
    let mut expected = vec![first];
    let last = enqueue(&db, user, 0).await;
    // Each new job goes just before `last`, halving the gap above it each time: far more halvings
    // than an f64 can take.
    for _ in 0..80 {
        let job = enqueue(&db, user, 0).await;
        jobs::reorder(&db, user, job, Move::Before(last)).await.unwrap();
        jobs::reorder(&db, user, job, Move::Up).await.unwrap();
        jobs::reorder(&db, user, job, Move::Down).await.unwrap();
        expected.push(job);
    }
    expected.push(last);
    let listed = jobs::list_for_user(&db, user, &JobFilter::default()).await.unwrap();
    assert_eq!(ids(&listed), expected);
    let positions: Vec<f64> = listed.iter().map(|job| job.position).collect();
    assert!(positions.windows(2).all(|pair| pair[0] < pair[1]), "positions not increasing: {positions:?}");
}

// ---------------------------------------------------------------------------------------------
// Pausing
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn paused_jobs_and_paused_queues_are_skipped_until_resumed() {
    let (db, _dir) = sqlite().await;
    let alice = user(&db, 100).await;
    let bob = user(&db, 100).await;
    let held_back = enqueue(&db, alice, 0).await;
    let next = enqueue(&db, alice, 0).await;
    let bobs = enqueue(&db, bob, 0).await;

    assert_eq!(jobs::pause_job(&db, alice, held_back).await.unwrap().status, STATUS_PAUSED);
    jobs::pause_queue(&db, bob).await.unwrap();
    let now = Utc::now();
    assert_eq!(claim_all(&db, now).await, [next]);

    assert_eq!(jobs::resume_job(&db, alice, held_back).await.unwrap().status, STATUS_PENDING);
    jobs::resume_queue(&db, bob).await.unwrap();
    let mut resumed = claim_all(&db, now).await;
    resumed.sort();
    let mut expected = vec![held_back, bobs];
    expected.sort();
    assert_eq!(resumed, expected);
}

#[tokio::test]
async fn only_waiting_jobs_can_be_paused_and_only_paused_ones_resumed() {
    let (db, _dir) = sqlite().await;
    let user = user(&db, 100).await;
    let job = enqueue(&db, user, 0).await;
    assert!(matches!(jobs::resume_job(&db, user, job).await, Err(AppError::Conflict(_))));
    claim(&db, "w1", Utc::now()).await.unwrap();
    let refused = jobs::pause_job(&db, user, job).await.unwrap_err();
    assert_eq!(refused.to_string(), "This job is running, so it cannot be paused.");
}

// ---------------------------------------------------------------------------------------------
// Limits and leases
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn per_user_and_global_limits_are_honoured_on_sqlite() {
    let (db, _dir) = sqlite().await;
    check_limits(&db).await;
}

#[tokio::test]
async fn per_user_and_global_limits_are_honoured_on_postgres() {
    check_limits(&postgres().await).await;
}

async fn check_limits(db: &DatabaseConnection) {
    let alice = user(db, 100).await;
    let bob = user(db, 100).await;
    let carol = user(db, 100).await;
    for _ in 0..3 {
        enqueue(db, alice, 1).await; // Alice's jobs come first...
        enqueue(db, bob, 0).await;
        enqueue(db, carol, 0).await;
    }
    let limits = ClaimLimits { global: 3, per_user: 2 };
    let now = Utc::now();
    let mut owners = Vec::new();
    while let Some(job) = jobs::claim(db, "w", LEASE, limits, now).await.unwrap() {
        owners.push(job.user_id);
    }
    // ...but only two of them run at once, and three jobs in all.
    assert_eq!(owners.len(), 3);
    assert_eq!(owners.iter().filter(|owner| **owner == alice).count(), 2);

    // Once the leases run out those jobs count no more: they are reclaimed first (they are
    // Alice's, priority 1), up to the limits again.
    let later = now + Span::minutes(5);
    let mut reclaimed = Vec::new();
    while let Some(job) = jobs::claim(db, "w2", LEASE, limits, later).await.unwrap() {
        reclaimed.push(job.user_id);
    }
    assert_eq!(reclaimed.len(), 3);
    assert_eq!(reclaimed.iter().filter(|owner| **owner == alice).count(), 2);
}

#[tokio::test]
async fn an_expired_lease_is_reclaimed_with_its_provider_handle_and_a_live_one_is_not() {
    let (db, _dir) = sqlite().await;
    let user = user(&db, 100).await;
    let job = enqueue(&db, user, 0).await;
    let t0 = Utc::now();
    let claimed = claim(&db, "first", t0).await.unwrap();
    assert_eq!((claimed.id, claimed.attempts, claimed.status.as_str()), (job, 1, STATUS_RUNNING));
    let handle = json!({"request_id": "req-1", "status_url": "https://queue.fal.run/x/requests/req-1/status"});
    assert!(jobs::record_provider_handle(&db, job, "first", handle.clone(), "req-1").await.unwrap());

    // Still leased: nobody else gets it, and its worker may renew.
    assert!(claim(&db, "second", t0 + Span::seconds(30)).await.is_none());
    assert!(jobs::renew_lease(&db, job, "first", LEASE, t0 + Span::seconds(30)).await.unwrap());
    assert!(claim(&db, "second", t0 + Span::seconds(80)).await.is_none(), "the renewed lease runs to 90 s");

    // The first worker died: past its lease the job is taken over, same request, same attempt.
    let resumed = claim(&db, "second", t0 + Span::seconds(91)).await.unwrap();
    assert_eq!(resumed.id, job);
    assert_eq!(resumed.worker_id.as_deref(), Some("second"));
    assert_eq!(resumed.provider_handle, Some(handle));
    assert_eq!(resumed.fal_request_id.as_deref(), Some("req-1"));
    assert_eq!(resumed.attempts, 1, "resuming a submitted request is not a new attempt");
    assert_eq!(resumed.started_at, claimed.started_at);

    // The first worker, back from the dead, has lost it.
    let later = t0 + Span::seconds(92);
    assert!(!jobs::renew_lease(&db, job, "first", LEASE, later).await.unwrap());
    assert!(!jobs::set_progress(&db, job, "first", 0.5).await.unwrap());
    assert!(!jobs::record_provider_handle(&db, job, "first", json!({}), "req-2").await.unwrap());
    assert_eq!(jobs::complete(&db, job, "first", &[], 4).await.unwrap(), None);
    assert!(jobs::set_progress(&db, job, "second", 0.5).await.unwrap());
    assert_eq!(jobs::get_any(&db, job).await.unwrap().progress, 0.5);
}

#[tokio::test]
async fn a_job_reclaimed_before_it_was_submitted_counts_a_new_attempt() {
    let (db, _dir) = sqlite().await;
    let user = user(&db, 100).await;
    enqueue(&db, user, 0).await;
    let t0 = Utc::now();
    claim(&db, "first", t0).await.unwrap();
    let retaken = claim(&db, "second", t0 + Span::minutes(2)).await.unwrap();
    assert_eq!(retaken.attempts, 2);
}

#[tokio::test]
async fn eight_concurrent_claimers_take_each_of_two_hundred_jobs_exactly_once_on_postgres() {
    let db = postgres().await;
    let mut expected = HashSet::new();
    for _ in 0..4 {
        let user = user(&db, 1_000).await;
        let batch = (0..50).map(|_| new_job(user, 1)).collect();
        expected.extend(jobs::enqueue_batch(&db, batch).await.unwrap());
    }
    let now = Utc::now();
    let claimers = (0..8).map(|worker| {
        let db = db.clone();
        tokio::spawn(async move {
            let worker = format!("worker-{worker}");
            let mut mine = Vec::new();
            while let Some(job) = jobs::claim(&db, &worker, LEASE, ROOMY_ENOUGH, now).await.unwrap() {
                mine.push(job.id);
            }
            mine
        })
    });
    let mut claimed = Vec::new();
    for claimer in claimers.collect::<Vec<_>>() {
        claimed.extend(claimer.await.unwrap());
    }
    assert_eq!(claimed.len(), 200, "every job claimed once");
    assert_eq!(claimed.into_iter().collect::<HashSet<_>>(), expected);
}

const ROOMY_ENOUGH: ClaimLimits = ClaimLimits { global: 1_000, per_user: 1_000 };

// ---------------------------------------------------------------------------------------------
// Outcomes
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_retryable_failure_backs_off_then_the_last_attempt_fails_with_its_error() {
    let (db, _dir) = sqlite().await;
    let user = user(&db, 10).await;
    let job = enqueue_costing(&db, user, 4).await;
    let policy = RetryPolicy { max_attempts: 2, base: Duration::from_secs(10), cap: Duration::from_secs(60) };
    let busy = JobError { error_type: "rate_limited".into(), message: "fal.ai is busy.".into(), retryable: true };

    let t0 = Utc::now();
    claim(&db, "w", t0).await.unwrap();
    let outcome = jobs::fail_or_retry(&db, job, "w", busy.clone(), policy, t0).await.unwrap();
    let Some(FailOutcome::WillRetry(waiting)) = outcome else { panic!("expected a retry, got {outcome:?}") };
    let due = waiting.next_attempt_at.expect("a retry has a due time");
    assert!(due >= t0 + Span::seconds(5) && due <= t0 + Span::seconds(10), "due {due} after {t0}");
    assert_eq!((waiting.status.as_str(), waiting.error_message.as_deref()), (STATUS_PENDING, Some("fal.ai is busy.")));
    assert_eq!(waiting.worker_id, None);
    assert_eq!(balance(&db, user).await, 6, "the hold stays while the job waits for its retry");

    assert!(claim(&db, "w", t0 + Span::seconds(4)).await.is_none(), "not due yet");
    let second = claim(&db, "w", due).await.unwrap();
    assert_eq!(second.attempts, 2);
    let outcome = jobs::fail_or_retry(&db, job, "w", busy, policy, due).await.unwrap();
    let Some(FailOutcome::Failed(failed)) = outcome else { panic!("expected the job to fail, got {outcome:?}") };
    assert_eq!((failed.status.as_str(), failed.error_type.as_deref()), (STATUS_FAILED, Some("rate_limited")));
    assert_eq!(failed.error_message.as_deref(), Some("fal.ai is busy."));
    assert_eq!(balance(&db, user).await, 10, "the hold is released");
    assert!(claim(&db, "w", due + Span::hours(1)).await.is_none());
}

#[tokio::test]
async fn an_error_that_would_recur_fails_the_job_at_once() {
    let (db, _dir) = sqlite().await;
    let user = user(&db, 10).await;
    let job = enqueue_costing(&db, user, 3).await;
    claim(&db, "w", Utc::now()).await.unwrap();
    let refused =
        JobError { error_type: "invalid_input".into(), message: "The prompt was refused.".into(), retryable: false };
    let outcome = jobs::fail_or_retry(&db, job, "w", refused, RetryPolicy::default(), Utc::now()).await.unwrap();
    assert!(matches!(outcome, Some(FailOutcome::Failed(_))), "{outcome:?}");
    assert_eq!(balance(&db, user).await, 10);
}

#[tokio::test]
async fn completing_records_the_images_and_full_progress() {
    let (db, _dir) = sqlite().await;
    let user = user(&db, 10).await;
    let job = enqueue(&db, user, 0).await;
    claim(&db, "w", Utc::now()).await.unwrap();
    let images = [Uuid::now_v7(), Uuid::now_v7()];
    let done = jobs::complete(&db, job, "w", &images, 1).await.unwrap().expect("the worker still holds it");
    assert_eq!((done.status.as_str(), done.progress), (STATUS_COMPLETED, 1.0));
    assert_eq!(done.result_image_ids, json!([images[0].to_string(), images[1].to_string()]));
    assert_eq!((done.lease_expires_at, done.completed_at.is_some()), (None, true));
}

// ---------------------------------------------------------------------------------------------
// The owner's controls
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn cancelling_a_waiting_job_ends_it_and_a_running_one_asks_its_worker() {
    let (db, _dir) = sqlite().await;
    let user = user(&db, 100).await;
    let pending = enqueue(&db, user, 0).await;
    let paused = enqueue(&db, user, 0).await;
    let running = enqueue(&db, user, 9).await;
    jobs::pause_job(&db, user, paused).await.unwrap();
    claim(&db, "w", Utc::now()).await.unwrap();

    for job in [pending, paused] {
        let outcome = jobs::cancel(&db, user, job).await.unwrap();
        assert!(matches!(&outcome, CancelOutcome::Cancelled(job) if job.status == STATUS_CANCELLED), "{outcome:?}");
    }
    let outcome = jobs::cancel(&db, user, running).await.unwrap();
    assert!(matches!(&outcome, CancelOutcome::Requested(job) if job.cancel_requested && job.status == STATUS_RUNNING));
    let stopped = jobs::finish_cancelled(&db, running, "w").await.unwrap().expect("the worker holds it");
    assert_eq!(stopped.status, STATUS_CANCELLED);

    let again = jobs::cancel(&db, user, pending).await.unwrap_err();
    assert_eq!(again.to_string(), "This job was already cancelled, so it cannot be cancelled.");
}

#[tokio::test]
async fn finished_jobs_cannot_be_cancelled_or_moved() {
    let (db, _dir) = sqlite().await;
    let user = user(&db, 100).await;
    let job = enqueue(&db, user, 0).await;
    claim(&db, "w", Utc::now()).await.unwrap();
    jobs::complete(&db, job, "w", &[], 0).await.unwrap();
    let refused = jobs::cancel(&db, user, job).await.unwrap_err();
    assert_eq!(refused.to_string(), "This job has already completed, so it cannot be cancelled.");
    assert!(matches!(jobs::reorder(&db, user, job, Move::Top).await, Err(AppError::Conflict(_))));
    assert!(matches!(jobs::retry(&db, user, job).await, Err(AppError::Conflict(_))));
}

#[tokio::test]
async fn a_retried_job_waits_again_at_the_end_of_the_queue_with_its_error_cleared() {
    let (db, _dir) = sqlite().await;
    let user = user(&db, 100).await;
    let job = enqueue(&db, user, 0).await;
    let other = enqueue(&db, user, 0).await;
    claim(&db, "w", Utc::now()).await.unwrap();
    let refused = JobError { error_type: "invalid_input".into(), message: "Refused.".into(), retryable: false };
    jobs::fail_or_retry(&db, job, "w", refused, RetryPolicy::default(), Utc::now()).await.unwrap();

    let retried = jobs::retry(&db, user, job).await.unwrap();
    assert_eq!((retried.status.as_str(), retried.attempts), (STATUS_PENDING, 0));
    assert_eq!((retried.error_type, retried.error_message, retried.worker_id), (None, None, None));
    assert_eq!(claim_all(&db, Utc::now()).await, [other, job]);
}

#[tokio::test]
async fn another_user_can_neither_see_nor_touch_a_job() {
    let (db, _dir) = sqlite().await;
    let alice = user(&db, 100).await;
    let bob = user(&db, 100).await;
    let job = enqueue(&db, alice, 0).await;
    let bobs = enqueue(&db, bob, 0).await;
    let not_found = |result: Result<_, AppError>| matches!(result, Err(AppError::NotFound("job")));

    assert!(not_found(jobs::get_for_user(&db, bob, job).await.map(drop)));
    assert!(not_found(jobs::cancel(&db, bob, job).await.map(drop)));
    assert!(not_found(jobs::reorder(&db, bob, job, Move::Top).await.map(drop)));
    assert!(not_found(jobs::reorder(&db, alice, job, Move::Before(bobs)).await.map(drop)));
    assert!(not_found(jobs::pause_job(&db, bob, job).await.map(drop)));
    assert!(not_found(jobs::resume_job(&db, bob, job).await.map(drop)));
    assert!(not_found(jobs::set_priority(&db, bob, job, 9).await.map(drop)));
    assert!(not_found(jobs::retry(&db, bob, job).await.map(drop)));
    assert_eq!(ids(&jobs::list_for_user(&db, bob, &JobFilter::default()).await.unwrap()), [bobs]);

    let untouched = jobs::get_for_user(&db, alice, job).await.unwrap();
    assert_eq!((untouched.status.as_str(), untouched.priority), (STATUS_PENDING, 0));
    // The administrators' view sees everyone's.
    let all = jobs::list_all(&db, &JobFilter::default()).await.unwrap();
    assert_eq!(all.len(), 2);
    assert!(matches!(jobs::cancel_any(&db, job).await, Ok(CancelOutcome::Cancelled(_))));
}

#[tokio::test]
async fn listing_filters_by_status_and_batch() {
    let (db, _dir) = sqlite().await;
    let user = user(&db, 100).await;
    let single = enqueue(&db, user, 0).await;
    let batch_id = Uuid::now_v7();
    let batch =
        jobs::enqueue_batch(&db, (0..3).map(|_| NewJob { batch_id: Some(batch_id), ..new_job(user, 1) }).collect())
            .await
            .unwrap();
    jobs::cancel(&db, user, single).await.unwrap();

    let in_batch = JobFilter { batch_id: Some(batch_id), ..JobFilter::default() };
    assert_eq!(ids(&jobs::list_for_user(&db, user, &in_batch).await.unwrap()), batch);
    let cancelled = JobFilter { statuses: vec![STATUS_CANCELLED], ..JobFilter::default() };
    assert_eq!(ids(&jobs::list_for_user(&db, user, &cancelled).await.unwrap()), [single]);
    let first_two = JobFilter { statuses: vec![STATUS_PENDING], limit: Some(2), ..JobFilter::default() };
    assert_eq!(ids(&jobs::list_for_user(&db, user, &first_two).await.unwrap()), batch[..2]);
}

#[tokio::test]
async fn priority_set_by_the_owner_puts_a_job_first() {
    let (db, _dir) = sqlite().await;
    let user = user(&db, 100).await;
    let first = enqueue(&db, user, 0).await;
    let second = enqueue(&db, user, 0).await;
    assert_eq!(jobs::set_priority(&db, user, second, 3).await.unwrap().priority, 3);
    assert_eq!(claim_all(&db, Utc::now()).await, [second, first]);
}

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

async fn enqueue(db: &DatabaseConnection, user_id: Uuid, priority: i32) -> Uuid {
    jobs::enqueue(db, NewJob { priority, ..new_job(user_id, 1) }).await.unwrap().id
}

async fn enqueue_costing(db: &DatabaseConnection, user_id: Uuid, credits: u32) -> Uuid {
    jobs::enqueue(db, new_job(user_id, credits)).await.unwrap().id
}

async fn claim(db: &DatabaseConnection, worker: &str, now: DateTime<Utc>) -> Option<generation_queue::Model> {
    jobs::claim(db, worker, LEASE, ROOMY, now).await.unwrap()
}

/// Claims until nothing is left; the claimed ids in order.
async fn claim_all(db: &DatabaseConnection, now: DateTime<Utc>) -> Vec<Uuid> {
    let mut claimed = Vec::new();
    while let Some(job) = claim(db, "w", now).await {
        claimed.push(job.id);
    }
    claimed
}

async fn balance(db: &DatabaseConnection, user_id: Uuid) -> i32 {
    users::Entity::find_by_id(user_id).one(db).await.unwrap().unwrap().credits_balance
}

fn ids(jobs: &[generation_queue::Model]) -> Vec<Uuid> {
    jobs.iter().map(|job| job.id).collect()
}
