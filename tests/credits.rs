//! The credit ledger of the generation queue: holds on enqueue, settlement on completion, release
//! on failure or cancel, each a `usage_logs` row, so that balance = starting grant − Σ usage.
#![cfg(feature = "ssr")]

mod support;

use support::queue::{account as user, new_job, postgres, sqlite};

use atelier::server::db::entity::generation_queue::{
    self, STATUS_CANCELLED, STATUS_COMPLETED, STATUS_FAILED, STATUS_PAUSED, STATUS_PENDING, STATUS_RUNNING,
};
use atelier::server::db::entity::{usage_logs, users};
use atelier::server::error::AppError;
use atelier::server::jobs::{
    self, ACTION_HOLD, ACTION_RELEASE, ACTION_SETTLE, CancelOutcome, ClaimLimits, JobError, JobFilter, NewJob,
    RetryPolicy,
};
use chrono::{Duration as Span, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use std::time::Duration;
use uuid::Uuid;

const LEASE: Duration = Duration::from_secs(60);
const LIMITS: ClaimLimits = ClaimLimits { global: 10_000, per_user: 10_000 };

#[tokio::test]
async fn enqueue_holds_the_credits_and_logs_the_hold() {
    let (db, _dir) = sqlite().await;
    let user = user(&db, 10).await;
    let job = jobs::enqueue(&db, new_job(user, 4)).await.unwrap();
    assert_eq!((job.status.as_str(), job.credits_held, job.credits_charged), (STATUS_PENDING, 4, 0));
    assert_eq!(balance(&db, user).await, 6);
    assert_eq!(ledger(&db, user).await, [(ACTION_HOLD.to_owned(), 4)]);
    assert_balanced(&db, user, 10).await;
}

#[tokio::test]
async fn without_enough_credits_enqueue_says_so_and_writes_nothing() {
    let (db, _dir) = sqlite().await;
    let user = user(&db, 3).await;
    let refused = jobs::enqueue(&db, new_job(user, 4)).await.unwrap_err();
    let AppError::Invalid { field, reason } = &refused else { panic!("expected Invalid, got {refused:?}") };
    assert_eq!((field.as_str(), reason.as_str()), ("credits", "This needs 4 credits and you have 3."));
    assert_eq!(balance(&db, user).await, 3);
    assert!(ledger(&db, user).await.is_empty());
    assert_eq!(generation_queue::Entity::find().count(&db).await.unwrap(), 0);
}

#[tokio::test]
async fn a_batch_of_ten_thousand_jobs_is_one_hold_for_their_total() {
    let (db, _dir) = sqlite().await;
    let user = user(&db, 25_000).await;
    let batch_id = Uuid::now_v7();
    let batch: Vec<NewJob> =
        (0..10_000).map(|i| NewJob { batch_id: Some(batch_id), ..new_job(user, 1 + i % 3) }).collect();
    let total: i32 = batch.iter().map(|job| job.credits as i32).sum();
    let ids = jobs::enqueue_batch(&db, batch).await.unwrap();

    assert_eq!(ids.len(), 10_000);
    assert_eq!(balance(&db, user).await, 25_000 - total);
    assert_eq!(ledger(&db, user).await, [(ACTION_HOLD.to_owned(), total)]);
    let listed =
        jobs::list_for_user(&db, user, &JobFilter { batch_id: Some(batch_id), ..JobFilter::default() }).await.unwrap();
    assert_eq!(listed.iter().map(|job| job.id).collect::<Vec<_>>(), ids, "queued in the given order");
    assert_eq!(listed.iter().map(|job| i64::from(job.credits_held)).sum::<i64>(), i64::from(total));
    assert_balanced(&db, user, 25_000).await;
}

#[tokio::test]
async fn a_batch_beyond_the_balance_queues_none_of_its_jobs() {
    let (db, _dir) = sqlite().await;
    let user = user(&db, 5).await;
    let refused = jobs::enqueue_batch(&db, (0..3).map(|_| new_job(user, 2)).collect()).await.unwrap_err();
    assert_eq!(refused.to_string(), "credits: This needs 6 credits and you have 5.");
    assert_eq!(generation_queue::Entity::find().count(&db).await.unwrap(), 0);
    assert_eq!(balance(&db, user).await, 5);
}

#[tokio::test]
async fn completion_charges_the_real_cost_and_returns_the_rest_exactly_once() {
    let (db, _dir) = sqlite().await;
    let user = user(&db, 10).await;
    let job = jobs::enqueue(&db, new_job(user, 4)).await.unwrap().id;
    claim(&db).await;
    let done = jobs::complete(&db, job, "w", &[Uuid::now_v7()], 3).await.unwrap().expect("held by w");
    assert_eq!((done.status.as_str(), done.credits_held, done.credits_charged), (STATUS_COMPLETED, 4, 3));
    assert_eq!(balance(&db, user).await, 7);
    assert_eq!(ledger(&db, user).await, [(ACTION_HOLD.to_owned(), 4), (ACTION_SETTLE.to_owned(), -1)]);

    assert_eq!(jobs::complete(&db, job, "w", &[], 0).await.unwrap(), None, "a second completion changes nothing");
    assert!(jobs::finish_cancelled(&db, job, "w").await.unwrap().is_none());
    assert_eq!(balance(&db, user).await, 7);
    assert_eq!(ledger(&db, user).await.len(), 2);
    assert_balanced(&db, user, 10).await;
}

#[tokio::test]
async fn completion_never_charges_more_than_was_held() {
    let (db, _dir) = sqlite().await;
    let user = user(&db, 10).await;
    let job = jobs::enqueue(&db, new_job(user, 2)).await.unwrap().id;
    claim(&db).await;
    let done = jobs::complete(&db, job, "w", &[], 50).await.unwrap().unwrap();
    assert_eq!(done.credits_charged, 2);
    assert_eq!(balance(&db, user).await, 8);
    assert_balanced(&db, user, 10).await;
}

#[tokio::test]
async fn failure_and_cancel_return_the_whole_hold() {
    let (db, _dir) = sqlite().await;
    let user = user(&db, 20).await;
    let failing = jobs::enqueue(&db, new_job(user, 5)).await.unwrap().id;
    let waiting = jobs::enqueue(&db, new_job(user, 3)).await.unwrap().id;
    let paused = jobs::enqueue(&db, new_job(user, 2)).await.unwrap().id;
    jobs::pause_job(&db, user, paused).await.unwrap();
    assert_eq!(balance(&db, user).await, 10);

    claim(&db).await;
    let error = JobError { error_type: "invalid_input".into(), message: "Refused.".into(), retryable: false };
    jobs::fail_or_retry(&db, failing, "w", error, RetryPolicy::default(), Utc::now()).await.unwrap();
    assert!(matches!(jobs::cancel(&db, user, waiting).await.unwrap(), CancelOutcome::Cancelled(_)));
    assert!(matches!(jobs::cancel(&db, user, paused).await.unwrap(), CancelOutcome::Cancelled(_)));
    assert_eq!(balance(&db, user).await, 20);
    let releases: Vec<i32> =
        ledger(&db, user).await.into_iter().filter(|(action, _)| action == ACTION_RELEASE).map(|(_, n)| n).collect();
    assert_eq!(releases, [-5, -3, -2]);
    assert_balanced(&db, user, 20).await;
}

#[tokio::test]
async fn a_running_job_cancelled_by_its_user_is_released_when_its_worker_stops() {
    let (db, _dir) = sqlite().await;
    let user = user(&db, 10).await;
    let job = jobs::enqueue(&db, new_job(user, 4)).await.unwrap().id;
    claim(&db).await;
    jobs::cancel(&db, user, job).await.unwrap();
    assert_eq!(balance(&db, user).await, 6, "held until the worker stops it");
    jobs::finish_cancelled(&db, job, "w").await.unwrap().expect("held by w");
    assert_eq!(balance(&db, user).await, 10);
    assert!(jobs::finish_cancelled(&db, job, "w").await.unwrap().is_none());
    assert_eq!(balance(&db, user).await, 10);
    assert_balanced(&db, user, 10).await;
}

#[tokio::test]
async fn retry_holds_the_credits_again_and_needs_enough_of_them() {
    let (db, _dir) = sqlite().await;
    let user = user(&db, 6).await;
    let job = jobs::enqueue(&db, new_job(user, 4)).await.unwrap().id;
    jobs::cancel(&db, user, job).await.unwrap();
    let retried = jobs::retry(&db, user, job).await.unwrap();
    assert_eq!((retried.status.as_str(), retried.credits_held), (STATUS_PENDING, 4));
    assert_eq!(balance(&db, user).await, 2);

    jobs::cancel(&db, user, job).await.unwrap();
    jobs::enqueue(&db, new_job(user, 3)).await.unwrap();
    let refused = jobs::retry(&db, user, job).await.unwrap_err();
    assert_eq!(refused.to_string(), "credits: This needs 4 credits and you have 3.");
    assert_eq!(jobs::get_for_user(&db, user, job).await.unwrap().status, STATUS_CANCELLED, "left as it was");
    assert_eq!(balance(&db, user).await, 3);
    assert_balanced(&db, user, 6).await;
}

#[tokio::test]
async fn the_ledger_reconciles_after_a_random_mix_of_jobs_on_sqlite() {
    let (db, _dir) = sqlite().await;
    check_random_mix(&db).await;
}

#[tokio::test]
async fn the_ledger_reconciles_after_a_random_mix_of_jobs_on_postgres() {
    check_random_mix(&postgres().await).await;
}

/// 150 random steps over two users; after each, every balance matches its ledger, and at the end
/// it also matches what the jobs themselves say (grant − charged − still held).
async fn check_random_mix(db: &DatabaseConnection) {
    const GRANT: i32 = 60;
    let users = [user(db, GRANT).await, user(db, GRANT).await];
    let mut rng = SplitMix64(0x5EED_1DEA);
    let policy = RetryPolicy { max_attempts: 2, base: Duration::from_secs(1), cap: Duration::from_secs(2) };
    let mut now = Utc::now();
    for step in 0..150 {
        now += Span::seconds(5);
        let user = users[rng.below(2) as usize];
        match rng.below(7) {
            0 => {
                let cost = 1 + rng.below(6) as u32;
                accept(jobs::enqueue(db, new_job(user, cost)).await.map(drop));
            }
            1 => {
                let batch = (0..1 + rng.below(4)).map(|_| new_job(user, 1 + rng.below(3) as u32)).collect();
                accept(jobs::enqueue_batch(db, batch).await.map(drop));
            }
            2 | 3 => {
                if let Some(job) = jobs::claim(db, "w", LEASE, LIMITS, now).await.unwrap() {
                    match rng.below(3) {
                        0 => {
                            let charged = rng.below(u64::try_from(job.credits_held).unwrap() + 1) as u32;
                            jobs::complete(db, job.id, "w", &[], charged).await.unwrap().unwrap();
                        }
                        1 => {
                            let error = JobError {
                                error_type: "timeout".into(),
                                message: "fal.ai did not answer.".into(),
                                retryable: rng.below(2) == 0,
                            };
                            jobs::fail_or_retry(db, job.id, "w", error, policy, now).await.unwrap().unwrap();
                        }
                        _ => {
                            jobs::cancel(db, job.user_id, job.id).await.unwrap();
                            jobs::finish_cancelled(db, job.id, "w").await.unwrap().unwrap();
                        }
                    }
                }
            }
            4 => {
                if let Some(job) = pick(db, user, &[STATUS_PENDING, STATUS_PAUSED], &mut rng).await {
                    jobs::cancel(db, user, job).await.unwrap();
                }
            }
            5 => {
                if let Some(job) = pick(db, user, &[STATUS_FAILED, STATUS_CANCELLED], &mut rng).await {
                    accept(jobs::retry(db, user, job).await.map(drop));
                }
            }
            _ => {
                if let Some(job) = pick(db, user, &[STATUS_PENDING], &mut rng).await {
                    jobs::pause_job(db, user, job).await.unwrap();
                }
            }
        }
        for user in users {
            let check = jobs::reconcile(db, user, i64::from(GRANT)).await.unwrap();
            assert!(check.is_balanced(), "step {step}: {check:?}");
        }
    }
    for user in users {
        let owned = jobs::list_for_user(db, user, &JobFilter::default()).await.unwrap();
        let spent: i32 = owned
            .iter()
            .map(|job| match job.status.as_str() {
                STATUS_COMPLETED => job.credits_charged,
                STATUS_PENDING | STATUS_PAUSED | STATUS_RUNNING => job.credits_held,
                _ => 0,
            })
            .sum();
        assert_eq!(balance(db, user).await, GRANT - spent);
        assert!(balance(db, user).await >= 0);
    }
}

/// Not enough credits is an expected outcome of the random mix; anything else is not.
fn accept(result: Result<(), AppError>) {
    match result {
        Ok(()) | Err(AppError::Invalid { .. }) => {}
        Err(err) => panic!("unexpected error: {err:?}"),
    }
}

async fn pick(db: &DatabaseConnection, user: Uuid, statuses: &[&'static str], rng: &mut SplitMix64) -> Option<Uuid> {
    let filter = JobFilter { statuses: statuses.to_vec(), ..JobFilter::default() };
    let candidates = jobs::list_for_user(db, user, &filter).await.unwrap();
    let index = rng.below(candidates.len() as u64 + 1) as usize;
    candidates.get(index).map(|job| job.id)
}

/// A small deterministic PRNG (SplitMix64), so the random mix is the same on every run.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

async fn claim(db: &DatabaseConnection) -> generation_queue::Model {
    jobs::claim(db, "w", LEASE, LIMITS, Utc::now()).await.unwrap().expect("a job to claim")
}

async fn balance(db: &DatabaseConnection, user_id: Uuid) -> i32 {
    users::Entity::find_by_id(user_id).one(db).await.unwrap().unwrap().credits_balance
}

/// `(action, credits_used)` of the user's `usage_logs` rows, oldest first.
async fn ledger(db: &DatabaseConnection, user_id: Uuid) -> Vec<(String, i32)> {
    let mut rows = usage_logs::Entity::find().filter(usage_logs::Column::UserId.eq(user_id)).all(db).await.unwrap();
    rows.sort_by_key(|row| row.id);
    rows.into_iter().map(|row| (row.action, row.credits_used)).collect()
}

async fn assert_balanced(db: &DatabaseConnection, user_id: Uuid, grant: i64) {
    let check = jobs::reconcile(db, user_id, grant).await.unwrap();
    assert!(check.is_balanced(), "{check:?}");
}
