//! The registry of requests and the queue of those waiting for a runner, behind one lock.

use super::outcome::Outcome;
use super::{
    CancelOutcome, Claim, Job, LogLevel, LogLine, NewJob, Next, PendingWebhook, Phase, Priority, RequestUrls,
    Submitted, Via,
};
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::{Notify, watch};
use uuid::Uuid;

#[derive(Default)]
struct Registry {
    jobs: HashMap<Uuid, Job>,
    order: Vec<Uuid>,
    normal: VecDeque<Uuid>,
    low: VecDeque<Uuid>,
}

impl Registry {
    fn queue_position(&self, id: Uuid) -> Option<usize> {
        self.normal
            .iter()
            .position(|queued| *queued == id)
            .or_else(|| self.low.iter().position(|queued| *queued == id).map(|index| index + self.normal.len()))
    }

    fn insert(&mut self, new: NewJob, phase: Phase) -> (Uuid, watch::Receiver<bool>) {
        let id = Uuid::new_v4();
        let now = Instant::now();
        let (cancel, cancel_rx) = watch::channel(false);
        let job = Job {
            id,
            gateway_request_id: Uuid::new_v4(),
            urls: RequestUrls::new(&new.base_url, &new.model, id),
            model: new.model,
            spec: new.spec,
            via: new.via,
            input: new.input,
            priority: new.priority,
            runnable_at: later(now, new.faults.slow_queue.unwrap_or_default()),
            faults: new.faults,
            webhook_url: new.webhook_url,
            queue_timeout: new.queue_timeout,
            phase,
            logs: Vec::new(),
            webhook_deliveries: 0,
            submitted_at: now,
            cancel,
            changes: watch::channel(0).0,
        };
        self.jobs.insert(id, job);
        self.order.push(id);
        (id, cancel_rx)
    }

    fn complete(&mut self, id: Uuid, outcome: Outcome) -> Option<PendingWebhook> {
        let job = self.jobs.get_mut(&id)?;
        if matches!(job.phase, Phase::Completed(_)) {
            return None;
        }
        let webhook = job.webhook_url.clone().map(|url| PendingWebhook {
            request_id: id,
            url,
            body: outcome.webhook_body(id, job.gateway_request_id),
            fault: job.faults.webhook,
        });
        job.phase = Phase::Completed(outcome);
        job.changed();
        webhook
    }
}

/// `from + delay`, or a year from now for delays too large to represent.
fn later(from: Instant, delay: Duration) -> Instant {
    from.checked_add(delay).unwrap_or_else(|| from + Duration::from_secs(365 * 24 * 3600))
}

/// Every request the emulator has seen, and the queue of those waiting for a runner.
#[derive(Default)]
pub struct JobStore {
    registry: Mutex<Registry>,
    queue_changed: Notify,
}

impl JobStore {
    /// Queues a request and tells the runners.
    pub fn enqueue(&self, new: NewJob) -> Submitted {
        let priority = new.priority;
        let mut registry = crate::lock(&self.registry);
        let (id, _) = registry.insert(new, Phase::InQueue);
        match priority {
            Priority::Normal => registry.normal.push_back(id),
            Priority::Low => registry.low.push_back(id),
        }
        let queue_position = registry.queue_position(id).unwrap_or(0);
        let job = &registry.jobs[&id];
        let submitted =
            Submitted { id, gateway_request_id: job.gateway_request_id, queue_position, urls: job.urls.clone() };
        drop(registry);
        self.queue_changed.notify_waiters();
        submitted
    }

    /// Records a sync request, already running.
    pub fn start_sync(&self, new: NewJob) -> (Uuid, watch::Receiver<bool>) {
        crate::lock(&self.registry).insert(new, Phase::InProgress)
    }

    /// Reads a request together with its queue position.
    pub fn view<T>(&self, id: Uuid, read: impl FnOnce(&Job, Option<usize>) -> T) -> Option<T> {
        let registry = crate::lock(&self.registry);
        let job = registry.jobs.get(&id)?;
        Some(read(job, registry.queue_position(id)))
    }

    /// A receiver that sees a new version whenever the request changes.
    pub fn subscribe(&self, id: Uuid) -> Option<watch::Receiver<u64>> {
        crate::lock(&self.registry).jobs.get(&id).map(|job| job.changes.subscribe())
    }

    /// Waits until the queue may hold something new for a runner. Create it before calling `next`
    /// so no submit slips between the two.
    pub fn queue_changed(&self) -> tokio::sync::futures::Notified<'_> {
        self.queue_changed.notified()
    }

    /// Takes the first runnable request (normal before low, oldest first) and marks it in progress.
    pub fn next(&self, now: Instant) -> Next {
        let mut registry = crate::lock(&self.registry);
        let registry = &mut *registry;
        let runnable = |id: &Uuid| registry.jobs.get(id).is_some_and(|job| job.runnable_at <= now);
        let taken = if let Some(index) = registry.normal.iter().position(runnable) {
            registry.normal.remove(index)
        } else if let Some(index) = registry.low.iter().position(runnable) {
            registry.low.remove(index)
        } else {
            None
        };
        let Some(id) = taken else {
            let ripens = registry.normal.iter().chain(registry.low.iter()).filter_map(|id| registry.jobs.get(id));
            return Next::Wait(ripens.map(|job| job.runnable_at).min());
        };
        // Positions of everything behind it moved.
        for queued in registry.normal.iter().chain(registry.low.iter()) {
            if let Some(other) = registry.jobs.get(queued) {
                other.changed();
            }
        }
        let Some(job) = registry.jobs.get_mut(&id) else {
            return Next::Wait(None);
        };
        job.phase = Phase::InProgress;
        job.changed();
        Next::Run(Claim {
            id,
            spec: job.spec,
            input: job.input.clone(),
            faults: job.faults.clone(),
            cancel: job.cancel.subscribe(),
            timed_out: job.queue_timeout.is_some_and(|timeout| now.duration_since(job.submitted_at) > timeout),
        })
    }

    pub fn log(&self, id: Uuid, level: LogLevel, message: impl Into<String>) {
        let mut registry = crate::lock(&self.registry);
        if let Some(job) = registry.jobs.get_mut(&id) {
            job.logs.push(LogLine { message: message.into(), level, timestamp: crate::clock::rfc3339_now() });
            job.changed();
        }
    }

    /// Records how a request ended; returns its webhook, if it has one. A request completes only once.
    pub fn complete(&self, id: Uuid, outcome: Outcome) -> Option<PendingWebhook> {
        crate::lock(&self.registry).complete(id, outcome)
    }

    pub fn cancel(&self, id: Uuid) -> CancelOutcome {
        let mut registry = crate::lock(&self.registry);
        let Some(job) = registry.jobs.get(&id) else {
            return CancelOutcome::NotFound;
        };
        match job.phase {
            Phase::Completed(_) => CancelOutcome::AlreadyCompleted,
            Phase::InProgress => {
                job.cancel.send_replace(true);
                CancelOutcome::Requested(None)
            }
            Phase::InQueue => {
                registry.normal.retain(|queued| *queued != id);
                registry.low.retain(|queued| *queued != id);
                for queued in registry.normal.iter().chain(registry.low.iter()) {
                    if let Some(other) = registry.jobs.get(queued) {
                        other.changed();
                    }
                }
                CancelOutcome::Requested(registry.complete(id, Outcome::Cancelled))
            }
        }
    }

    pub fn count_webhook_delivery(&self, id: Uuid) {
        if let Some(job) = crate::lock(&self.registry).jobs.get_mut(&id) {
            job.webhook_deliveries += 1;
        }
    }

    /// Every request, oldest first, for `GET /_emulator/requests`.
    pub fn list(&self) -> Value {
        let registry = crate::lock(&self.registry);
        let jobs = registry.order.iter().filter_map(|id| registry.jobs.get(id)).map(|job| {
            let (error, error_type) = match &job.phase {
                Phase::Completed(outcome) => outcome.error().map_or((None, None), |(error, kind)| (Some(error), kind)),
                _ => (None, None),
            };
            json!({
                "request_id": job.id.to_string(),
                "gateway_request_id": job.gateway_request_id.to_string(),
                "model": job.model.full(),
                "via": match job.via { Via::Queue => "queue", Via::Sync => "sync" },
                "status": job.phase.name(),
                "queue_position": registry.queue_position(job.id),
                "input": job.input,
                "priority": match job.priority { Priority::Normal => "normal", Priority::Low => "low" },
                "webhook_url": job.webhook_url,
                "faults": job.faults.names(),
                "cancelled": matches!(job.phase, Phase::Completed(Outcome::Cancelled)),
                "error": error,
                "error_type": error_type,
                "webhook_deliveries": job.webhook_deliveries,
            })
        });
        Value::Array(jobs.collect())
    }
}
