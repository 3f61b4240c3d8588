//! Runners take requests from the queue and run them through the offline renderer.

use super::inputs;
use super::outcome::Outcome;
use super::output::{self, Delivery, OutputFormat};
use super::{Claim, LogLevel, Next, PendingWebhook};
use crate::errors::validation_detail;
use crate::faults::LifecycleFaults;
use crate::state::AppState;
use atelier_catalogue::{ModelSpec, validate};
use atelier_renderer::{Inputs, Rendered, Step};
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use uuid::Uuid;

/// Starts `config.runners` runners (at least one).
pub fn spawn_runners(state: &Arc<AppState>) -> Vec<JoinHandle<()>> {
    (0..state.config.runners.max(1)).map(|_| tokio::spawn(run_queue(state.clone()))).collect()
}

async fn run_queue(state: Arc<AppState>) {
    loop {
        let queue_changed = state.jobs.queue_changed();
        tokio::pin!(queue_changed);
        queue_changed.as_mut().enable();
        match state.jobs.next(Instant::now()) {
            Next::Run(claim) => run_claim(&state, claim).await,
            Next::Wait(Some(ripens)) => {
                tokio::select! {
                    _ = queue_changed => {}
                    _ = tokio::time::sleep_until(ripens.into()) => {}
                }
            }
            Next::Wait(None) => queue_changed.await,
        }
    }
}

async fn run_claim(state: &Arc<AppState>, claim: Claim) {
    let id = claim.id;
    let outcome = if claim.timed_out {
        state.jobs.log(id, LogLevel::Error, "Request timed out waiting in the queue");
        Outcome::TimedOut
    } else {
        execute(state, Run { id, spec: claim.spec, input: claim.input, faults: claim.faults, cancel: claim.cancel })
            .await
    };
    finish(state, id, outcome);
}

/// Records the outcome and sends the webhook, if any.
pub fn finish(state: &Arc<AppState>, id: Uuid, outcome: Outcome) {
    tracing::info!(request_id = %id, error = ?outcome.error().map(|(error, _)| error), "request completed");
    if let Some(webhook) = state.jobs.complete(id, outcome) {
        send_webhook(state, webhook);
    }
}

pub fn send_webhook(state: &Arc<AppState>, webhook: PendingWebhook) {
    let PendingWebhook { request_id, url, body, fault } = webhook;
    crate::webhooks::spawn_delivery(state.clone(), request_id, url, body, fault);
}

/// One request to run.
pub struct Run {
    pub id: Uuid,
    pub spec: &'static ModelSpec,
    pub input: Map<String, Value>,
    pub faults: LifecycleFaults,
    pub cancel: watch::Receiver<bool>,
}

/// Why a render did not produce images.
enum Stop {
    Cancelled,
    Rejected(String),
    Crashed,
}

/// Validates, fetches inputs, renders and publishes: the whole life of a running request.
pub async fn execute(state: &Arc<AppState>, mut run: Run) -> Outcome {
    let id = run.id;
    let log = |level: LogLevel, message: String| state.jobs.log(id, level, message);
    log(LogLevel::Info, format!("Loading model {}", run.spec.id));
    let started = Instant::now();

    let (params, sync_mode) = match prepare(run.spec, &run.input) {
        Ok(prepared) => prepared,
        Err(detail) => {
            log(LogLevel::Error, "Input validation failed".to_owned());
            return Outcome::Rejected { detail };
        }
    };
    let inputs = match inputs::load(&state.http, &params).await {
        Ok(inputs) => inputs,
        Err(problem) => {
            log(LogLevel::Error, format!("Could not read {}: {}", problem.field, problem.message));
            return Outcome::Rejected { detail: vec![validation_detail(Some(&problem.field), &problem.message)] };
        }
    };
    if run.faults.error_result {
        if let Some(delay) = run.faults.slow_run
            && !wait_unless_cancelled(&mut run.cancel, delay).await
        {
            return cancelled(state, id);
        }
        log(LogLevel::Error, "Runner crashed: Internal server error (injected error_result fault)".to_owned());
        return Outcome::Failed;
    }

    log(LogLevel::Info, "Running inference".to_owned());
    let rendered = match render(state, run.spec, &params, inputs, &mut run.cancel, id).await {
        Ok(rendered) => rendered,
        Err(Stop::Cancelled) => return cancelled(state, id),
        Err(Stop::Rejected(message)) => {
            log(LogLevel::Error, message.clone());
            return Outcome::Rejected { detail: vec![validation_detail(None, &message)] };
        }
        Err(Stop::Crashed) => {
            log(LogLevel::Error, "Runner crashed while rendering".to_owned());
            return Outcome::Failed;
        }
    };
    if let Some(delay) = run.faults.slow_run
        && !wait_unless_cancelled(&mut run.cancel, delay.saturating_sub(started.elapsed())).await
    {
        return cancelled(state, id);
    }
    let inference_time = started.elapsed().as_secs_f64();

    let format = OutputFormat::from_params(&params);
    let Rendered { images, seed } = rendered;
    let encoded = match tokio::task::spawn_blocking(move || output::encode(&images, format)).await {
        Ok(Ok(encoded)) => encoded,
        _ => {
            log(LogLevel::Error, "Could not encode the output images".to_owned());
            return Outcome::Failed;
        }
    };
    let delivery = Delivery { files: &state.files, base_url: &state.base_url, sync_mode };
    let images = encoded.into_iter().map(|image| delivery.publish(image)).collect();
    log(LogLevel::Info, format!("Completed in {inference_time:.2}s"));
    Outcome::Succeeded { output: output::output_json(run.spec, &params, images, seed, inference_time), inference_time }
}

fn cancelled(state: &AppState, id: Uuid) -> Outcome {
    state.jobs.log(id, LogLevel::Warn, "Request was cancelled");
    Outcome::Cancelled
}

/// Drops input keys the model does not declare (fal ignores unknown fields), keeps `sync_mode` aside,
/// and validates the rest against the model's parameters.
fn prepare(spec: &ModelSpec, input: &Map<String, Value>) -> Result<(Map<String, Value>, bool), Vec<Value>> {
    let sync_mode = input.get("sync_mode").and_then(Value::as_bool).unwrap_or(false);
    let declared: Map<String, Value> = input
        .iter()
        .filter(|(key, _)| spec.params.iter().any(|param| &param.name == *key))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    let params = validate(spec, &declared).map_err(|problems| {
        problems.iter().map(|problem| validation_detail(Some(&problem.field), &problem.message)).collect::<Vec<_>>()
    })?;
    Ok((params, sync_mode))
}

/// Renders on a blocking thread, logging each step; a cancellation stops waiting at once (the blocking
/// render is left to finish on its own and skips its step delays).
async fn render(
    state: &AppState,
    spec: &'static ModelSpec,
    params: &Map<String, Value>,
    inputs: Inputs,
    cancel: &mut watch::Receiver<bool>,
    id: Uuid,
) -> Result<Rendered, Stop> {
    if *cancel.borrow() {
        return Err(Stop::Cancelled);
    }
    let (steps, mut reported) = tokio::sync::mpsc::unbounded_channel::<Step>();
    let step_delay = state.config.step_delay;
    let params = params.clone();
    let cancel_seen = cancel.clone();
    let task = tokio::task::spawn_blocking(move || {
        let mut progress = |step: Step| {
            let _ = steps.send(step);
            if !step_delay.is_zero() && !*cancel_seen.borrow() {
                std::thread::sleep(step_delay);
            }
        };
        atelier_renderer::run(spec, &params, &inputs, &mut progress)
    });
    loop {
        tokio::select! {
            biased;
            () = until_cancelled(cancel) => return Err(Stop::Cancelled),
            step = reported.recv() => match step {
                Some(step) => state.jobs.log(id, LogLevel::Info, format!("Step {}/{}", step.step, step.total)),
                None => break,
            },
        }
    }
    match task.await {
        Ok(Ok(rendered)) => Ok(rendered),
        Ok(Err(error)) => Err(Stop::Rejected(error.to_string())),
        Err(join_error) => {
            tracing::error!(request_id = %id, %join_error, "the renderer panicked");
            Err(Stop::Crashed)
        }
    }
}

/// Resolves once the request is cancelled; never if it is not.
async fn until_cancelled(cancel: &mut watch::Receiver<bool>) {
    if cancel.wait_for(|cancelled| *cancelled).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Sleeps for `duration`; `false` if the request was cancelled meanwhile.
async fn wait_unless_cancelled(cancel: &mut watch::Receiver<bool>, duration: Duration) -> bool {
    tokio::select! {
        () = tokio::time::sleep(duration) => true,
        () = until_cancelled(cancel) => false,
    }
}
