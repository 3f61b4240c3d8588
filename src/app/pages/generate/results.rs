//! The right column: the user's recent jobs, newest first, kept live by `/api/events` — queue
//! position, steps and log lines while they run, then their images.

use super::draft::Draft;
use super::feed::Feed;
use super::tile::ImageTile;
use crate::api::generate::SubmitGeneration;
use crate::api::queue::ActOnJob;
use crate::app::components::job_status::JobStatusBadge;
use crate::app::live;
use crate::types::{Job, JobAction, JobStatus, ModelInfo, StudioEvent};
use atelier_catalogue::FieldError;
use leptos::prelude::*;
use std::collections::HashMap;
use uuid::Uuid;

/// How many jobs the column shows.
const RECENT: usize = 12;

/// The user's credit balance as last told (by the page load or an event).
#[derive(Clone, Copy)]
pub struct Balance(pub RwSignal<Option<i64>>);

/// What a running job last reported, between two reloads of the queue.
#[derive(Clone, Debug, Default, PartialEq)]
struct Live {
    progress: Option<f32>,
    steps: Option<(u32, u32)>,
    log: Option<String>,
}

#[derive(Clone, Copy)]
struct LiveJobs(RwSignal<HashMap<Uuid, Live>>);

#[component]
pub fn Results(models: StoredValue<Vec<ModelInfo>>) -> impl IntoView {
    let Feed { queue, reloads, act, .. } = expect_context::<Feed>();
    let balance = expect_context::<Balance>();
    let draft = expect_context::<Draft>();
    let live_jobs = LiveJobs(RwSignal::new(HashMap::new()));
    provide_context(live_jobs);
    live::listen(
        move || reloads.update(|n| *n += 1),
        move |event| match event {
            StudioEvent::JobProgress { job, progress, step, total } => live_jobs.0.update(|jobs| {
                let entry = jobs.entry(job).or_default();
                entry.progress = Some(progress);
                entry.steps = step.zip(total);
            }),
            StudioEvent::JobLog { job, message, .. } => {
                live_jobs.0.update(|jobs| jobs.entry(job).or_default().log = Some(message))
            }
            StudioEvent::CreditsChanged { balance: credits } => balance.0.set(Some(credits)),
            StudioEvent::JobFailed { message, error_type: Some(error_type), retrying: false, .. } => {
                // A refused input is shown at its field in the form, where it can be fixed.
                if let Some(field) = Job::refused_field(&error_type) {
                    draft.server_error.set(Some(FieldError { field: field.to_owned(), message }));
                }
                reloads.update(|n| *n += 1);
            }
            _ => reloads.update(|n| *n += 1),
        },
    );
    // Worked out once per refresh of the queue, not once per card.
    let jobs = Memo::new(move |_| {
        let mut jobs = queue.get().and_then(Result::ok).map(|queue| queue.jobs).unwrap_or_default();
        jobs.sort_by_key(|job| std::cmp::Reverse(job.created_at));
        jobs.truncate(RECENT);
        jobs
    });
    let waiting = Memo::new(move |_| {
        let jobs = queue.get().and_then(Result::ok).map(|queue| queue.jobs).unwrap_or_default();
        jobs.into_iter().filter(|job| job.status == JobStatus::Pending).map(|job| job.id).collect::<Vec<Uuid>>()
    });
    let waiting_ahead = move |id: Uuid| waiting.with(|waiting| waiting.iter().position(|job| *job == id));
    view! {
        <section aria-labelledby="results-heading" class="studio-results flex min-w-0 flex-col gap-4">
            <div class="flex items-center justify-between">
                <h2 id="results-heading" class="text-lg font-bold">"Results"</h2>
                {move || act.value().get().and_then(Result::err).map(|e| view! { <p class="text-sm text-error" role="alert">{e.message}</p> })}
            </div>
            <Transition fallback=|| view! { <p class="skeleton h-48" aria-busy="true">"Loading your jobs…"</p> }>
                {move || match queue.get() {
                    Some(Err(e)) => Some(view! { <p class="alert alert-error" role="alert">{e.message}</p> }.into_any()),
                    Some(Ok(queue)) if queue.jobs.is_empty() => Some(view! {
                        <div class="card flex flex-col items-center gap-2 p-10 text-center" data-testid="results-empty">
                            <p class="font-semibold">"Nothing here yet"</p>
                            <p class="text-sm text-muted">"Describe an image on the left and press Generate: it shows up here as it is made."</p>
                        </div>
                    }.into_any()),
                    _ => None,
                }}
                // Created once: each refresh of the queue only re-renders the cards whose job changed.
                <Show when=move || queue.get().is_some_and(|result| result.is_ok_and(|queue| !queue.jobs.is_empty()))>
                    <ul class="flex flex-col gap-4" data-testid="results">
                        <For
                            each=move || jobs.get()
                            key=|job| (job.id, job.status, job.result_image_ids.len(), job.cancel_requested)
                            children=move |job: Job| {
                                let id = job.id;
                                let ahead = Signal::derive(move || waiting_ahead(id));
                                view! { <li><JobCard job ahead act models /></li> }
                            }
                        />
                    </ul>
                </Show>
            </Transition>
        </section>
    }
}

#[component]
fn JobCard(
    job: Job,
    ahead: Signal<Option<usize>>,
    act: ServerAction<ActOnJob>,
    models: StoredValue<Vec<ModelInfo>>,
) -> impl IntoView {
    let draft = expect_context::<Draft>();
    let submit = expect_context::<ServerAction<SubmitGeneration>>();
    let live_jobs = expect_context::<LiveJobs>();
    let id = job.id;
    let live = move || live_jobs.0.with(|jobs| jobs.get(&id).cloned()).unwrap_or_default();
    let stored_progress = job.progress as f32;
    let progress = move || live().progress.unwrap_or(stored_progress).clamp(0.0, 1.0);
    let expected = job.parameters.get("num_images").and_then(|n| n.as_u64()).unwrap_or(1).clamp(1, 8) as usize;
    let status = job.status;
    let running = status == JobStatus::Running;
    let waiting = matches!(status, JobStatus::Pending | JobStatus::Paused);
    let recall_job = job.clone();
    let regenerate_job = job.clone();
    view! {
        <article class="@container card flex flex-col gap-3 p-4" data-job=id.to_string() data-status=status.as_str()>
            <header class="flex flex-wrap items-start justify-between gap-2">
                <div class="min-w-0 flex-1">
                    <p class="line-clamp-2 font-semibold">{job.prompt.clone()}</p>
                    <p class="text-xs text-muted"><code>{job.model_id.clone()}</code></p>
                </div>
                <JobStatusBadge job=job.clone() />
            </header>
            {(status == JobStatus::Pending).then(|| view! {
                <p class="text-sm text-muted" data-testid="position">
                    {move || match ahead.get() {
                        Some(0) => "Next in line".to_owned(),
                        Some(n) => format!("{n} ahead in your queue"),
                        None => "Waiting".to_owned(),
                    }}
                </p>
            })}
            {running.then(|| view! {
                <div class="flex flex-col gap-1">
                    // A native <progress>: accessible as a progress bar, and styled without inline styles (the CSP forbids them).
                    <progress class="progress" max="1" aria-label="Progress" prop:value=move || f64::from(progress())></progress>
                    <p class="flex justify-between text-xs text-muted" data-testid="progress">
                        <span>{move || live().log.unwrap_or_else(|| "Working…".to_owned())}</span>
                        <span class="tabular-nums">{move || live().steps.map(|(step, total)| format!("step {step} of {total}"))}</span>
                    </p>
                </div>
            })}
            {job.error_message.clone().filter(|_| status == JobStatus::Failed).map(|message| view! {
                <p class="alert alert-error" role="alert">{message}</p>
            })}
            <ImageGrid ids=job.result_image_ids.clone() placeholders=if running || waiting { expected } else { 0 } models />
            <footer class="flex flex-wrap gap-2">
                {(waiting || (running && !job.cancel_requested)).then(|| view! {
                    <button type="button" class="btn btn-secondary px-3 py-1" on:click=move |_| { act.dispatch(ActOnJob { id, action: JobAction::Cancel }); }>
                        "Cancel"
                    </button>
                })}
                {matches!(status, JobStatus::Failed | JobStatus::Cancelled).then(|| view! {
                    <button type="button" class="btn btn-secondary px-3 py-1" on:click=move |_| { act.dispatch(ActOnJob { id, action: JobAction::Retry }); }>
                        "Retry"
                    </button>
                })}
                <button type="button" class="btn btn-secondary px-3 py-1" title="Put every setting of this job back in the form"
                    on:click=move |_| models.with_value(|models| draft.recall(&recall_job, models))>
                    "Remix"
                </button>
                <button type="button" class="btn btn-secondary px-3 py-1" title="Run the same settings again"
                    on:click=move |_| { submit.dispatch(SubmitGeneration { request: regenerate(&regenerate_job) }); }>
                    "Regenerate"
                </button>
            </footer>
        </article>
    }
}

/// The job's request again, with a new seed unless the original had one chosen.
fn regenerate(job: &Job) -> crate::types::GenerationRequest {
    let mut parameters = job.parameters.as_object().cloned().unwrap_or_default();
    for name in super::draft::OWN_PLACES {
        parameters.remove(name);
    }
    crate::types::GenerationRequest {
        model_id: job.model_id.clone(),
        prompt: job.prompt.clone(),
        negative_prompt: job.negative_prompt.clone(),
        parameters,
        project_id: None,
        parent_image_id: job.parent_image_id,
        run_next: true,
    }
}

#[component]
fn ImageGrid(ids: Vec<Uuid>, placeholders: usize, models: StoredValue<Vec<ModelInfo>>) -> impl IntoView {
    let Feed { queue, .. } = expect_context::<Feed>();
    let favourites: Vec<Uuid> =
        queue.get_untracked().and_then(Result::ok).map(|queue| queue.favourite_image_ids).unwrap_or_default();
    let count = ids.len().max(placeholders);
    (count > 0).then(|| {
        view! {
            <div class="grid grid-cols-2 gap-2 @md:grid-cols-3 @2xl:grid-cols-4">
                {ids.into_iter().map(|id| view! { <ImageTile id models favourite=favourites.contains(&id) /> }).collect_view()}
                {(0..placeholders).map(|_| view! { <div class="skeleton aspect-square" aria-hidden="true"></div> }).collect_view()}
            </div>
        }
    })
}
