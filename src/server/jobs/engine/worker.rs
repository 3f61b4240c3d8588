//! One worker: claims a job, runs it while renewing its lease and watching for a cancel request,
//! then records how it ended and tells the user.

use super::results::{self, Produced};
use super::{EngineSettings, run_fal, run_offline};
use crate::server::db::entity::generation_queue;
use crate::server::error::AppError;
use crate::server::jobs::{self, FailOutcome, JobError};
use crate::server::providers::fal::RequestHandle;
use crate::server::state::AppState;
use crate::types::StudioEvent;
use atelier_catalogue::{Catalogue, ModelSpec, ProviderKind};
use chrono::Utc;
use std::sync::Arc;
use tokio::sync::{Notify, watch};
use uuid::Uuid;

/// Why a worker stopped working on a job before it produced its outputs.
#[derive(Debug)]
pub(super) enum Stop {
    /// The attempt failed: record it (retry later or fail).
    Failed(JobError),
    /// The job is no longer this worker's, or the database failed: leave it alone; its lease runs
    /// out and it is claimed again.
    Abandon(String),
}

impl From<JobError> for Stop {
    fn from(error: JobError) -> Self {
        Self::Failed(error)
    }
}

impl From<AppError> for Stop {
    fn from(error: AppError) -> Self {
        Self::Abandon(error.to_string())
    }
}

/// What interrupted a running job.
enum Interrupt {
    CancelRequested,
    LeaseLost,
}

/// A worker and what it needs: the studio's state, its id (the lease holder), the settings.
#[derive(Clone)]
pub(super) struct Worker {
    pub state: AppState,
    pub id: String,
    pub settings: Arc<EngineSettings>,
    wake: Arc<Notify>,
    stopped: watch::Receiver<bool>,
}

impl Worker {
    pub fn new(
        state: AppState,
        id: String,
        settings: Arc<EngineSettings>,
        wake: Arc<Notify>,
        stopped: watch::Receiver<bool>,
    ) -> Self {
        Self { state, id, settings, wake, stopped }
    }

    /// Claims and runs jobs until the engine stops.
    pub async fn run(mut self) {
        while !*self.stopped.borrow() {
            // Registered before claiming, so a wake during the claim is not missed.
            let wake = self.wake.clone();
            let woken = wake.notified();
            tokio::pin!(woken);
            woken.as_mut().enable();
            let claimed =
                jobs::claim(&self.state.db, &self.id, self.settings.lease, self.settings.limits, Utc::now()).await;
            match claimed {
                Ok(Some(job)) => self.run_job(job).await,
                Ok(None) => {
                    let idle = self.settings.idle;
                    tokio::select! {
                        _ = woken => {}
                        _ = tokio::time::sleep(idle) => {}
                        _ = self.stopped.changed() => {}
                    }
                }
                Err(error) => {
                    tracing::warn!(worker = %self.id, %error, "could not claim a job");
                    tokio::time::sleep(self.settings.idle * 4).await;
                }
            }
        }
    }

    async fn run_job(&self, job: generation_queue::Model) {
        let resumed = job.provider_handle.is_some();
        self.publish(job.user_id, StudioEvent::JobStarted { job: job.id }).await;
        if resumed {
            self.log(&job, "info", "Picked up again after a restart; resuming the request at fal.ai.").await;
        }
        let Some(spec) = Catalogue::embedded().get(&job.model_id) else {
            let error = JobError {
                error_type: "unknown_model".into(),
                message: format!("The model {} is no longer offered by this studio.", job.model_id),
                retryable: false,
            };
            return self.record_failure(&job, error).await;
        };
        // The catalogue is embedded and static; this borrow lives for the program.
        let spec: &'static ModelSpec = spec;

        let produced = tokio::select! {
            produced = self.produce(&job, spec) => produced,
            interrupt = self.watch(&job) => match interrupt {
                Interrupt::CancelRequested => return self.cancel(&job).await,
                Interrupt::LeaseLost => {
                    tracing::info!(job = %job.id, "the job is no longer this worker's; leaving it");
                    return;
                }
            },
        };
        match produced {
            Ok(produced) => self.store(&job, spec, produced).await,
            Err(Stop::Failed(error)) => self.record_failure(&job, error).await,
            Err(Stop::Abandon(reason)) => {
                tracing::warn!(job = %job.id, %reason, "stopped working on the job; its lease will run out");
            }
        }
    }

    /// Runs the job at its provider and fetches its outputs (nothing stored yet).
    async fn produce(&self, job: &generation_queue::Model, spec: &'static ModelSpec) -> Result<Produced, Stop> {
        match spec.provider {
            ProviderKind::Offline => run_offline::run(self, job, spec).await,
            ProviderKind::Fal => run_fal::run(self, job, spec).await,
        }
    }

    /// Renews the lease every third of it and checks for a cancel request often; returns when the
    /// job must stop.
    async fn watch(&self, job: &generation_queue::Model) -> Interrupt {
        let renew_every = self.settings.lease / 3;
        let mut last_renewal = tokio::time::Instant::now();
        loop {
            tokio::time::sleep(self.settings.cancel_check.min(renew_every)).await;
            if last_renewal.elapsed() >= renew_every {
                last_renewal = tokio::time::Instant::now();
                match jobs::renew_lease(&self.state.db, job.id, &self.id, self.settings.lease, Utc::now()).await {
                    Ok(true) => {}
                    Ok(false) => return Interrupt::LeaseLost,
                    Err(error) => tracing::warn!(job = %job.id, %error, "could not renew the lease"),
                }
            }
            match jobs::get_any(&self.state.db, job.id).await {
                Ok(now) if now.cancel_requested => return Interrupt::CancelRequested,
                Ok(now)
                    if now.status != generation_queue::STATUS_RUNNING || now.worker_id.as_deref() != Some(&self.id) =>
                {
                    return Interrupt::LeaseLost;
                }
                Ok(_) => {}
                Err(AppError::NotFound(_)) => return Interrupt::LeaseLost,
                Err(error) => tracing::warn!(job = %job.id, %error, "could not check the job for a cancel request"),
            }
        }
    }

    /// Stores the outputs while keeping the lease (a cancel request is too late now), then reports.
    async fn store(&self, job: &generation_queue::Model, spec: &'static ModelSpec, produced: Produced) {
        let keep_lease = async {
            let renew_every = self.settings.lease / 3;
            loop {
                tokio::time::sleep(renew_every).await;
                if !matches!(
                    jobs::renew_lease(&self.state.db, job.id, &self.id, self.settings.lease, Utc::now()).await,
                    Ok(true)
                ) {
                    // Lost: the completion will not match and the stored files are removed.
                    std::future::pending::<()>().await;
                }
            }
        };
        let stored = tokio::select! {
            stored = results::store(self, job, spec, produced) => stored,
            () = keep_lease => unreachable_lease(),
        };
        match stored {
            Ok(Some(completed)) => {
                let images = results::image_ids(&completed);
                self.publish(job.user_id, StudioEvent::JobCompleted { job: job.id, images }).await;
                self.credits_changed(job.user_id).await;
            }
            Ok(None) => tracing::info!(job = %job.id, "the job ended elsewhere before its images were recorded"),
            Err(Stop::Failed(error)) => self.record_failure(job, error).await,
            Err(Stop::Abandon(reason)) => {
                tracing::warn!(job = %job.id, %reason, "could not record the job's images; its lease will run out");
            }
        }
    }

    /// Cancels the job at the provider (fal), then ends it as cancelled.
    async fn cancel(&self, job: &generation_queue::Model) {
        let current = jobs::get_any(&self.state.db, job.id).await.ok();
        let handle = current
            .and_then(|job| job.provider_handle)
            .and_then(|value| serde_json::from_value::<RequestHandle>(value).ok());
        if let (Some(handle), Some(client)) = (handle, self.state.fal.client.as_ref()) {
            match client.cancel(&handle).await {
                Ok(outcome) => tracing::info!(job = %job.id, ?outcome, "asked fal.ai to cancel the request"),
                Err(error) => tracing::warn!(job = %job.id, %error, "fal.ai did not take the cancellation"),
            }
        }
        match jobs::finish_cancelled(&self.state.db, job.id, &self.id).await {
            Ok(Some(_)) => {
                self.publish(job.user_id, StudioEvent::JobCancelled { job: job.id }).await;
                self.credits_changed(job.user_id).await;
            }
            Ok(None) => {}
            Err(error) => tracing::warn!(job = %job.id, %error, "could not record the cancellation"),
        }
    }

    async fn record_failure(&self, job: &generation_queue::Model, error: JobError) {
        let error_type = Some(error.error_type.clone());
        let message = error.message.clone();
        match jobs::fail_or_retry(&self.state.db, job.id, &self.id, error, self.settings.retry, Utc::now()).await {
            Ok(Some(FailOutcome::WillRetry(_))) => {
                tracing::info!(job = %job.id, %message, "the attempt failed; the job will be tried again");
                self.publish(job.user_id, StudioEvent::JobFailed { job: job.id, message, error_type, retrying: true })
                    .await;
            }
            Ok(Some(FailOutcome::Failed(_))) => {
                tracing::info!(job = %job.id, %message, "the job failed");
                self.publish(job.user_id, StudioEvent::JobFailed { job: job.id, message, error_type, retrying: false })
                    .await;
                self.credits_changed(job.user_id).await;
            }
            Ok(None) => {}
            Err(error) => tracing::warn!(job = %job.id, %error, "could not record the failed attempt"),
        }
    }

    /// Records the progress and tells the user; `false` when the job is no longer this worker's.
    pub async fn progress(&self, job: &generation_queue::Model, progress: f64, step: Option<(u32, u32)>) -> bool {
        match jobs::set_progress(&self.state.db, job.id, &self.id, progress).await {
            Ok(true) => {
                let event = StudioEvent::JobProgress {
                    job: job.id,
                    progress: progress.clamp(0.0, 1.0) as f32,
                    step: step.map(|(step, _)| step),
                    total: step.map(|(_, total)| total),
                };
                self.publish(job.user_id, event).await;
                true
            }
            Ok(false) => false,
            Err(error) => {
                tracing::warn!(job = %job.id, %error, "could not record progress");
                true
            }
        }
    }

    pub async fn log(&self, job: &generation_queue::Model, level: &str, message: &str) {
        let event = StudioEvent::JobLog { job: job.id, level: level.to_owned(), message: message.to_owned() };
        self.publish(job.user_id, event).await;
    }

    /// Publishes an event; a failure is logged (the job's state in the database is what counts).
    pub async fn publish(&self, user_id: Uuid, event: StudioEvent) {
        self.state.events.publish_or_log(&self.state.db, user_id, event).await;
    }

    async fn credits_changed(&self, user_id: Uuid) {
        jobs::announce_balance(&self.state.events, &self.state.db, user_id).await;
    }
}

/// The lease keeper never finishes on its own.
fn unreachable_lease() -> Result<Option<generation_queue::Model>, Stop> {
    Err(Stop::Abandon("the lease keeper ended".into()))
}
