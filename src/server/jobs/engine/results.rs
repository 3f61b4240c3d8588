//! The results pipeline: each output checked and decoded through the guarded image door, given a
//! thumbnail, a preview, a perceptual hash and its generation metadata, stored in the BlobStore,
//! and recorded as an `images` row in the same transaction that completes the job — all or
//! nothing: on any failure the files already stored are deleted.

use super::download::MAX_OUTPUT_BYTES;
use super::worker::{Stop, Worker};
use crate::server::db::entity::{generation_queue, images};
use crate::server::images::{ImageFiles, remove_files};
use crate::server::imaging::{GenerationMetadata, ImageLimits, PreparedImage, prepare_generated};
use crate::server::jobs::{self, JobError, MAX_OUTPUT_SIDE};
use crate::server::storage::BlobKey;
use atelier_catalogue::{CostUnit, ModelSpec};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{Map, Value, json};
use uuid::Uuid;

/// One output file of a provider, as fetched.
pub(super) struct Output {
    pub bytes: Vec<u8>,
    pub seed: Option<u64>,
}

/// What a provider produced for a job.
pub(super) struct Produced {
    pub outputs: Vec<Output>,
    /// Seconds.
    pub generation_time: Option<f64>,
}

/// The job's parameters with its prompt and negative prompt, when the model takes them (an
/// iteration keeps the image's prompt for its own record, and a background remover has no use for it).
pub(super) fn model_params(job: &generation_queue::Model, spec: &ModelSpec) -> Map<String, Value> {
    input_of(&job.parameters, &job.prompt, job.negative_prompt.as_deref(), spec)
}

fn input_of(parameters: &Value, prompt: &str, negative_prompt: Option<&str>, spec: &ModelSpec) -> Map<String, Value> {
    let mut input = match parameters {
        Value::Object(parameters) => parameters.clone(),
        _ => Map::new(),
    };
    for (name, text) in [("prompt", Some(prompt)), ("negative_prompt", negative_prompt)] {
        if let Some(text) = text.filter(|text| !text.is_empty() && spec.param(name).is_some()) {
            input.insert(name.to_owned(), text.into());
        }
    }
    input
}

/// The image ids a completed job lists.
pub(super) fn image_ids(job: &generation_queue::Model) -> Vec<Uuid> {
    job.result_image_ids
        .as_array()
        .map(|ids| ids.iter().filter_map(|id| id.as_str().and_then(|id| Uuid::parse_str(id).ok())).collect())
        .unwrap_or_default()
}

/// An image ready to record: its id, its seed and its prepared files.
struct Ready {
    id: Uuid,
    seed: Option<u64>,
    prepared: PreparedImage,
}

/// Prepares, stores and records every output and completes the job. `Ok(None)` when the job was
/// no longer this worker's (nothing is left behind).
pub(super) async fn store(
    worker: &Worker,
    job: &generation_queue::Model,
    spec: &'static ModelSpec,
    produced: Produced,
) -> Result<Option<generation_queue::Model>, Stop> {
    let ready = prepare_all(job, produced.outputs).await?;
    let storage = worker.state.storage.clone();
    let mut written: Vec<BlobKey> = Vec::new();
    let outcome = write_and_record(worker, job, spec, &ready, produced.generation_time, &mut written).await;
    if !matches!(outcome, Ok(Some(_))) {
        remove_files(storage.as_ref(), &written).await;
    }
    outcome
}

async fn prepare_all(job: &generation_queue::Model, outputs: Vec<Output>) -> Result<Vec<Ready>, Stop> {
    let limits = ImageLimits { max_bytes: MAX_OUTPUT_BYTES, max_width: MAX_OUTPUT_SIDE, max_height: MAX_OUTPUT_SIDE };
    let mut ready = Vec::with_capacity(outputs.len());
    for output in outputs {
        let metadata = GenerationMetadata {
            prompt: job.prompt.clone(),
            negative_prompt: job.negative_prompt.clone(),
            model: job.model_id.clone(),
            parameters: job.parameters.clone(),
            seed: output.seed,
        };
        let prepared = tokio::task::spawn_blocking(move || prepare_generated(&output.bytes, &limits, &metadata))
            .await
            .map_err(|e| Stop::Abandon(format!("preparing an image stopped: {e}")))?
            .map_err(|error| {
                tracing::warn!(job = %job.id, ?error, "a generated image was refused");
                JobError {
                    error_type: "output_unusable".into(),
                    message: format!("The generated image could not be used: {error}"),
                    retryable: !error.is_client_error(),
                }
            })?;
        ready.push(Ready { id: Uuid::now_v7(), seed: output.seed, prepared });
    }
    Ok(ready)
}

async fn write_and_record(
    worker: &Worker,
    job: &generation_queue::Model,
    spec: &'static ModelSpec,
    ready: &[Ready],
    generation_time: Option<f64>,
    written: &mut Vec<BlobKey>,
) -> Result<Option<generation_queue::Model>, Stop> {
    let storage = worker.state.storage.as_ref();
    let mut rows = Vec::with_capacity(ready.len());
    for image in ready {
        let files = ImageFiles::of(job.user_id, image.id, &image.prepared)
            .map_err(|e| Stop::Abandon(format!("the files of image {}: {e:?}", image.id)))?;
        files.store(storage, &image.prepared, written).await.map_err(|error| {
            tracing::warn!(job = %job.id, %error, "storing a generated image failed");
            JobError {
                error_type: "storage".into(),
                message: "The generated image could not be stored; it will be tried again.".into(),
                retryable: true,
            }
        })?;
        rows.push(row(job, spec, image, generation_time, &files));
    }

    let txn = jobs::begin_write(&worker.state.db).await?;
    for row in rows {
        row.insert(&txn).await.map_err(|e| Stop::Abandon(e.to_string()))?;
    }
    let ids: Vec<Uuid> = ready.iter().map(|image| image.id).collect();
    let charged = ready.iter().map(|image| cost_of(spec, &image.prepared)).fold(0u32, u32::saturating_add);
    let completed = jobs::complete_in(&txn, job.id, &worker.id, &ids, charged).await?;
    if completed.is_some() {
        txn.commit().await.map_err(|e| Stop::Abandon(e.to_string()))?;
    }
    // Otherwise dropped: rolled back, and the caller deletes the files.
    Ok(completed)
}

/// What one output costs: the model's credits per image, or per started megapixel.
fn cost_of(spec: &ModelSpec, prepared: &PreparedImage) -> u32 {
    match spec.cost.per {
        CostUnit::Image => spec.cost.credits,
        CostUnit::Megapixel => {
            let megapixels = (u64::from(prepared.width) * u64::from(prepared.height)).div_ceil(1_000_000).max(1);
            u32::try_from(u64::from(spec.cost.credits).saturating_mul(megapixels)).unwrap_or(u32::MAX)
        }
    }
}

/// The row of a generated image: the stored files' row, with everything the job says of how it was made.
fn row(
    job: &generation_queue::Model,
    spec: &ModelSpec,
    image: &Ready,
    generation_time: Option<f64>,
    files: &ImageFiles,
) -> images::ActiveModel {
    let prepared = &image.prepared;
    let mut parameters = job.parameters.clone();
    if let (Value::Object(params), Some(seed)) = (&mut parameters, image.seed) {
        params.insert("seed".into(), seed.into());
    }
    let made = Map::from_iter([
        ("job_id".to_owned(), json!(job.id)),
        ("seed".to_owned(), json!(image.seed)),
        ("metadata_embedded".to_owned(), json!(prepared.metadata_embedded)),
    ]);
    images::ActiveModel {
        project_id: Set(job.project_id),
        prompt: Set(job.prompt.clone()),
        negative_prompt: Set(job.negative_prompt.clone()),
        model_id: Set(Some(job.model_id.clone())),
        parameters: Set(parameters),
        generation_time: Set(generation_time),
        cost_credits: Set(i32::try_from(cost_of(spec, prepared)).unwrap_or(i32::MAX)),
        parent_image_id: Set(job.parent_image_id),
        ..files.row(job.user_id, image.id, prepared, made)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use atelier_catalogue::Catalogue;

    fn input_for(model_id: &str) -> Map<String, Value> {
        let spec = Catalogue::embedded().get(model_id).expect("a catalogue model");
        input_of(&json!({ "seed": 7 }), "a lighthouse at dusk", Some("fog"), spec)
    }

    #[test]
    fn a_model_gets_the_prompts_it_takes_and_no_others() {
        let sdxl = input_for("fal-ai/fast-sdxl");
        assert_eq!(
            (sdxl["prompt"].as_str(), sdxl["negative_prompt"].as_str()),
            (Some("a lighthouse at dusk"), Some("fog"))
        );
        assert_eq!(sdxl["seed"], json!(7));

        let flux = input_for("fal-ai/flux/dev");
        assert_eq!(flux["prompt"].as_str(), Some("a lighthouse at dusk"));
        assert!(!flux.contains_key("negative_prompt"), "FLUX [dev] takes no negative prompt: {flux:?}");

        let cut_out = input_for(crate::server::images::FAL_BACKGROUND_REMOVER);
        assert!(!cut_out.contains_key("prompt") && !cut_out.contains_key("negative_prompt"), "{cut_out:?}");
    }
}
