//! The generation engine: `limits.workers` tokio tasks that claim jobs from the queue and run them,
//! started with the server.
//!
//! - `worker`: the claim loop, the lease ticker and the end of each job (events included).
//! - `run_offline`, `run_fal`: producing a job's output files with each provider.
//! - `inputs`: the user's input images (`atelier:image/<id>` or data URIs) a job refers to.
//! - `download`: fetching a provider's output files, capped and timed.
//! - `results`: preparing, storing and recording the outputs, all or nothing.

mod download;
mod inputs;
mod results;
mod run_fal;
mod run_offline;
mod worker;

use super::{ClaimLimits, RetryPolicy};
use crate::server::config::Config;
use crate::server::state::AppState;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

/// How the workers run; read from the configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineSettings {
    /// Worker tasks, which is also the global limit of running jobs.
    pub workers: u32,
    pub limits: ClaimLimits,
    pub lease: Duration,
    pub retry: RetryPolicy,
    /// How long an idle worker sleeps before looking for work again (unless woken).
    pub idle: Duration,
    /// How often a running job is checked for a cancel request.
    pub cancel_check: Duration,
}

impl EngineSettings {
    pub fn from_config(config: &Config) -> Self {
        let workers = u32::from(config.limits.workers.max(1));
        let queue = &config.queue;
        Self {
            workers,
            limits: ClaimLimits { global: workers, per_user: u32::from(queue.per_user.max(1)) },
            lease: Duration::from_secs(u64::from(queue.lease_seconds.max(1))),
            retry: RetryPolicy {
                max_attempts: queue.max_attempts.max(1),
                base: Duration::from_secs(u64::from(queue.retry_base_seconds)),
                cap: Duration::from_secs(u64::from(queue.retry_cap_seconds)),
            },
            idle: Duration::from_millis(250),
            cancel_check: Duration::from_millis(250),
        }
    }
}

/// The running workers. Cheap to clone; [`Engine::stop`] ends them.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    wake: Arc<Notify>,
    stop: watch::Sender<bool>,
    tasks: std::sync::Mutex<Vec<JoinHandle<()>>>,
}

impl Engine {
    /// Starts the workers the configuration asks for. Must run inside the Tokio runtime.
    pub fn start(state: AppState) -> Self {
        let settings = EngineSettings::from_config(&state.config);
        Self::start_with(state, settings)
    }

    /// Starts workers with explicit settings (tests use shorter intervals).
    pub fn start_with(state: AppState, settings: EngineSettings) -> Self {
        let wake = Arc::new(Notify::new());
        let (stop, stopped) = watch::channel(false);
        let settings = Arc::new(settings);
        let instance = uuid::Uuid::now_v7().simple().to_string();
        let tasks = (0..settings.workers)
            .map(|n| {
                let worker = worker::Worker::new(
                    state.clone(),
                    format!("{instance}-{n}"),
                    settings.clone(),
                    wake.clone(),
                    stopped.clone(),
                );
                tokio::spawn(worker.run())
            })
            .collect();
        tracing::info!(workers = settings.workers, "generation engine started");
        Self { inner: Arc::new(Inner { wake, stop, tasks: std::sync::Mutex::new(tasks) }) }
    }

    /// Tells idle workers to look for work now (call after enqueueing or retrying jobs).
    pub fn wake(&self) {
        self.inner.wake.notify_waiters();
    }

    /// Stops claiming and ends the workers. A job a worker was running is left as it is: its lease
    /// runs out and the next start (or another replica) resumes it.
    pub async fn stop(&self) {
        let _ = self.inner.stop.send(true);
        self.inner.wake.notify_waiters();
        let tasks = std::mem::take(&mut *self.inner.tasks.lock().unwrap_or_else(|e| e.into_inner()));
        for task in tasks {
            task.abort();
            let _ = task.await;
        }
    }
}
