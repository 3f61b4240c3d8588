//! Running a job at fal.ai. The request's handle is stored before waiting on it, so a worker that
//! reclaims the job after a crash resumes that request instead of submitting (and paying) again.

use super::download;
use super::inputs::{self, IMAGE_PARAMS};
use super::results::{Output, Produced, model_params};
use super::worker::{Stop, Worker};
use crate::server::db::entity::generation_queue;
use crate::server::jobs::{self, JobError};
use crate::server::providers::fal::{FalClient, FalError, QueueStatus, RequestHandle, StatusKind, data_uri};
use crate::types::Job;
use atelier_catalogue::{ModelSpec, OutputShape};
use futures_util::StreamExt;
use serde_json::Value;
use std::collections::HashSet;
use std::time::Instant;

pub(super) async fn run(
    worker: &Worker,
    job: &generation_queue::Model,
    spec: &'static ModelSpec,
) -> Result<Produced, Stop> {
    let client = worker.state.fal.client.as_ref().ok_or_else(|| JobError {
        error_type: "not_configured".into(),
        message: format!("{} runs on fal.ai, and this studio has no fal.ai key (FAL_KEY).", spec.name),
        retryable: false,
    })?;
    let started = Instant::now();
    let handle = match &job.provider_handle {
        Some(stored) => resume(job, stored)?,
        None => submit(worker, client, job, spec).await?,
    };
    wait(worker, client, job, &handle).await?;
    let output = client.result(&handle).await.map_err(job_error)?;
    let generation_time = inference_time(&output).unwrap_or_else(|| started.elapsed().as_secs_f64());
    let outputs = fetch_outputs(&output, spec.output).await?;
    Ok(Produced { outputs, generation_time: Some(generation_time) })
}

fn resume(job: &generation_queue::Model, stored: &Value) -> Result<RequestHandle, Stop> {
    serde_json::from_value(stored.clone()).map_err(|e| {
        tracing::warn!(job = %job.id, error = %e, "the stored fal.ai request cannot be read");
        Stop::Failed(JobError {
            error_type: "lost_request".into(),
            message: "The request at fal.ai could not be resumed; try the job again.".into(),
            retryable: false,
        })
    })
}

async fn submit(
    worker: &Worker,
    client: &FalClient,
    job: &generation_queue::Model,
    spec: &ModelSpec,
) -> Result<RequestHandle, Stop> {
    let mut input = model_params(job, spec);
    for param in IMAGE_PARAMS {
        let Some(Value::String(value)) = input.get(param) else { continue };
        if let Some(file) = inputs::read(&worker.state, job, param, value).await? {
            input.insert(param.to_owned(), Value::String(data_uri(&file.bytes, file.format.mime())));
        }
    }
    let handle = client.submit(&job.model_id, &input, None).await.map_err(job_error)?;
    let value = serde_json::to_value(&handle).map_err(|e| Stop::Abandon(e.to_string()))?;
    let recorded = jobs::record_provider_handle(&worker.state.db, job.id, &worker.id, value, &handle.request_id).await;
    match recorded {
        Ok(true) => Ok(handle),
        Ok(false) | Err(_) => {
            // Nobody would wait on this request: stop it so it is not paid for.
            if let Err(error) = client.cancel(&handle).await {
                tracing::warn!(job = %job.id, %error, "could not cancel an unrecorded fal.ai request");
            }
            Err(match recorded {
                Err(error) => Stop::Abandon(error.to_string()),
                _ => Stop::Abandon("the job is no longer this worker's".into()),
            })
        }
    }
}

/// Follows the request's status until it completes, reporting its logs and steps.
async fn wait(
    worker: &Worker,
    client: &FalClient,
    job: &generation_queue::Model,
    handle: &RequestHandle,
) -> Result<(), Stop> {
    let mut statuses = Box::pin(client.status_stream(handle));
    let mut seen_logs: HashSet<(Option<String>, String)> = HashSet::new();
    let mut last_status: Option<StatusKind> = None;
    while let Some(status) = statuses.next().await {
        let status = status.map_err(job_error)?;
        report(worker, job, &status, &mut seen_logs, &mut last_status).await?;
        if status.is_completed() {
            return Ok(());
        }
    }
    Err(Stop::Failed(JobError {
        error_type: "lost_request".into(),
        message: "fal.ai stopped reporting on the request; try again.".into(),
        retryable: true,
    }))
}

async fn report(
    worker: &Worker,
    job: &generation_queue::Model,
    status: &QueueStatus,
    seen_logs: &mut HashSet<(Option<String>, String)>,
    last_status: &mut Option<StatusKind>,
) -> Result<(), Stop> {
    if last_status.as_ref() != Some(&status.status) {
        *last_status = Some(status.status.clone());
        match (&status.status, status.queue_position) {
            (StatusKind::InQueue, Some(position)) => {
                worker.log(job, "info", &format!("Waiting at fal.ai ({position} ahead).")).await;
            }
            (StatusKind::InProgress, _) => worker.log(job, "info", "Running at fal.ai.").await,
            _ => {}
        }
    }
    for line in &status.logs {
        if !seen_logs.insert((line.timestamp.clone(), line.message.clone())) {
            continue;
        }
        let level = line.level.as_deref().unwrap_or("info").to_ascii_lowercase();
        worker.log(job, &level, &line.message).await;
        if let Some((step, total)) = parse_step(&line.message)
            && !worker.progress(job, f64::from(step) / f64::from(total.max(1)), Some((step, total))).await
        {
            return Err(Stop::Abandon("the job is no longer this worker's".into()));
        }
    }
    Ok(())
}

/// `"Step 3/28"` (any case, anywhere in the line) → `(3, 28)`.
fn parse_step(message: &str) -> Option<(u32, u32)> {
    let lower = message.to_ascii_lowercase();
    let rest = &lower[lower.find("step")? + 4..];
    let (step, total) = rest.trim_start().split_once('/')?;
    let total: String = total.trim_start().chars().take_while(char::is_ascii_digit).collect();
    let (step, total) = (step.trim().parse().ok()?, total.parse().ok()?);
    (total > 0 && step <= total).then_some((step, total))
}

fn inference_time(output: &Value) -> Option<f64> {
    output.get("timings").and_then(|timings| timings.get("inference")).and_then(Value::as_f64)
}

/// Downloads every output the result lists.
async fn fetch_outputs(output: &Value, shape: OutputShape) -> Result<Vec<Output>, Stop> {
    let files: Vec<&Value> = match shape {
        OutputShape::Images => {
            output.get("images").and_then(Value::as_array).map(|a| a.iter().collect()).unwrap_or_default()
        }
        OutputShape::Image => output.get("image").into_iter().collect(),
    };
    let seed = output.get("seed").and_then(Value::as_u64);
    if files.is_empty() {
        return Err(Stop::Failed(JobError {
            error_type: "no_output".into(),
            message: "fal.ai finished without an image (it may have been filtered as unsafe).".into(),
            retryable: false,
        }));
    }
    let mut outputs = Vec::with_capacity(files.len());
    for (index, file) in files.into_iter().enumerate() {
        let url = file.get("url").and_then(Value::as_str).ok_or_else(|| JobError {
            error_type: "output_unusable".into(),
            message: "fal.ai answered an image without its address.".into(),
            retryable: false,
        })?;
        let bytes = download::fetch(url).await?;
        outputs.push(Output { bytes, seed: seed.map(|seed| seed.wrapping_add(index as u64)) });
    }
    Ok(outputs)
}

/// fal's error as the job's: what the user reads, and whether another attempt may succeed.
pub(super) fn job_error(error: FalError) -> Stop {
    let retryable = match &error {
        FalError::RateLimited { .. } | FalError::Transport { .. } | FalError::Decode(_) => true,
        FalError::Http { status, user_timeout, retryable, error_type, .. } => {
            *status >= 500
                && !*user_timeout
                && *retryable != Some(false)
                && error_type.as_deref() != Some("request_cancelled")
        }
        FalError::Unauthorized { .. } | FalError::Validation { .. } | FalError::InvalidInput(_) => false,
    };
    let error_type = match &error {
        FalError::Unauthorized { .. } => "unauthorized".to_owned(),
        // The first refused field's top-level name rides along, so the form can show it there.
        FalError::Validation { fields, .. } => match fields.first() {
            Some(first) => Job::invalid_input_for(first.field.split('.').next().unwrap_or(&first.field)),
            None => "invalid_input".to_owned(),
        },
        FalError::RateLimited { .. } => "rate_limited".to_owned(),
        FalError::Transport { .. } => "unreachable".to_owned(),
        FalError::Decode(_) => "bad_answer".to_owned(),
        FalError::InvalidInput(_) => "invalid_input".to_owned(),
        FalError::Http { error_type, status, .. } => error_type.clone().unwrap_or_else(|| format!("http_{status}")),
    };
    tracing::info!(%error, retryable, "fal.ai call failed");
    Stop::Failed(JobError { error_type, message: error.user_message(), retryable })
}

#[cfg(test)]
mod tests {
    use super::parse_step;

    #[test]
    fn step_lines_read_as_progress() {
        assert_eq!(parse_step("Step 3/28"), Some((3, 28)));
        assert_eq!(parse_step("sampling: step 10 / 20 done"), Some((10, 20)));
        assert_eq!(parse_step("Loading weights"), None);
        assert_eq!(parse_step("step 5/0"), None);
    }

    #[test]
    fn a_refused_field_is_named_in_the_error_type() {
        use crate::server::providers::fal::{FalError, FieldError};
        let refused = |field: &str| FalError::Validation {
            status: 422,
            fields: vec![FieldError { field: field.into(), message: "too big".into(), kind: None }],
            message: None,
        };
        let error_type = |error| match super::job_error(error) {
            super::Stop::Failed(error) => error.error_type,
            _ => unreachable!("a refusal fails the job"),
        };
        assert_eq!(error_type(refused("image_size.width")), "invalid_input:image_size");
        assert_eq!(crate::types::Job::refused_field(&error_type(refused("seed"))), Some("seed"));
    }
}
