//! Running a job on the built-in offline renderer, its steps reported as progress.

use super::inputs::{self, IMAGE_PARAMS};
use super::results::{Output, Produced, model_params};
use super::worker::{Stop, Worker};
use crate::server::db::entity::generation_queue;
use crate::server::imaging::{encode_jpeg, encode_png};
use crate::server::jobs::JobError;
use crate::server::providers::offline;
use atelier_catalogue::ModelSpec;
use atelier_renderer::Inputs;
use serde_json::Value;
use std::time::Instant;

const JPEG_QUALITY: u8 = 92;

pub(super) async fn run(
    worker: &Worker,
    job: &generation_queue::Model,
    spec: &'static ModelSpec,
) -> Result<Produced, Stop> {
    let params = model_params(job, spec);
    let mut renderer_inputs = Inputs::default();
    for param in IMAGE_PARAMS {
        let Some(Value::String(value)) = params.get(param) else { continue };
        let Some(file) = inputs::read(&worker.state, job, param, value).await? else {
            return Err(JobError {
                error_type: "invalid_input".into(),
                message: format!("The input {param} must be one of your images or an uploaded file for {}.", spec.name),
                retryable: false,
            }
            .into());
        };
        let image = inputs::decode(&worker.state, param, file).await?.image;
        match param {
            "mask_url" => renderer_inputs.mask = Some(image),
            _ => renderer_inputs.image = Some(image),
        }
    }
    let jpeg = params.get("output_format").and_then(Value::as_str) == Some("jpeg");

    let started = Instant::now();
    let (steps, mut reports) = tokio::sync::mpsc::unbounded_channel();
    let render = offline::render(spec, params, renderer_inputs, Some(steps));
    tokio::pin!(render);
    // Steps are reported before the result, even those a fast render queued just before it finished.
    let rendered = loop {
        tokio::select! {
            biased;
            Some(step) = reports.recv() => report(worker, job, step).await?,
            rendered = &mut render => break rendered,
        }
    };
    while let Ok(step) = reports.try_recv() {
        report(worker, job, step).await?;
    }
    let rendered = rendered.map_err(|error| JobError {
        error_type: "invalid_input".into(),
        message: format!("The renderer refused the settings: {error}"),
        retryable: false,
    })?;
    let generation_time = started.elapsed().as_secs_f64();

    let first_seed = rendered.seed;
    let images = rendered.images;
    let encoded = tokio::task::spawn_blocking(move || {
        images
            .iter()
            .map(|image| if jpeg { encode_jpeg(image, JPEG_QUALITY) } else { encode_png(image) })
            .collect::<Result<Vec<_>, _>>()
    })
    .await
    .map_err(|e| Stop::Abandon(format!("encoding stopped: {e}")))?
    .map_err(|error| JobError { error_type: "encode".into(), message: error.to_string(), retryable: true })?;
    let outputs = encoded
        .into_iter()
        .enumerate()
        .map(|(index, bytes)| Output { bytes, seed: Some(first_seed.wrapping_add(index as u64)) })
        .collect();
    Ok(Produced { outputs, generation_time: Some(generation_time) })
}

async fn report(worker: &Worker, job: &generation_queue::Model, step: atelier_renderer::Step) -> Result<(), Stop> {
    let progress = f64::from(step.step) / f64::from(step.total.max(1));
    if worker.progress(job, progress, Some((step.step, step.total))).await {
        Ok(())
    } else {
        Err(Stop::Abandon("the job is no longer this worker's".into()))
    }
}
