//! `/queue`: the user's queue. Waiting jobs can be dragged into a new order (or moved with buttons,
//! by keyboard), paused, resumed and cancelled; failed ones retried; the whole queue paused.

use crate::api::queue::{ActOnJob, SetQueuePaused, get_my_queue};
use crate::app::components::form::{Alert, AlertKind};
use crate::app::components::job_status::JobStatusBadge;
use crate::app::live;
use crate::types::{Job, JobAction, JobStatus, QueueMove, StudioEvent};
use leptos::prelude::*;
use leptos_meta::Title;
use uuid::Uuid;

/// How many finished jobs the page lists.
const FINISHED_SHOWN: usize = 20;

#[component]
pub fn QueuePage() -> impl IntoView {
    let act = ServerAction::<ActOnJob>::new();
    let pause = ServerAction::<SetQueuePaused>::new();
    let reloads = RwSignal::new(0_u32);
    let queue = Resource::new(move || (reloads.get(), act.version().get(), pause.version().get()), |_| get_my_queue());
    live::listen(
        move || reloads.update(|n| *n += 1),
        move |event| {
            if !matches!(
                event,
                StudioEvent::JobProgress { .. } | StudioEvent::JobLog { .. } | StudioEvent::CreditsChanged { .. }
            ) {
                reloads.update(|n| *n += 1);
            }
        },
    );
    let error = move || {
        let act_error = act.value().get().and_then(Result::err);
        act_error.or_else(|| pause.value().get().and_then(Result::err)).map(|e| e.message)
    };
    view! {
        <Title text="Queue" />
        <div class="mx-auto flex max-w-4xl flex-col gap-6">
            <header class="flex flex-wrap items-end justify-between gap-4">
                <div>
                    <h1 class="text-2xl font-bold sm:text-3xl">"Queue"</h1>
                    <p class="mt-1 text-muted">"Drag waiting jobs into the order you want them run, or use the arrows."</p>
                </div>
                <Transition fallback=|| ()>
                    {move || queue.get().and_then(Result::ok).map(|queue| {
                        let paused = queue.paused;
                        view! {
                            <button type="button" class=if paused { "btn btn-primary" } else { "btn btn-secondary" }
                                aria-pressed=paused.to_string() data-testid="pause-queue"
                                disabled=move || pause.pending().get()
                                on:click=move |_| { pause.dispatch(SetQueuePaused { paused: !paused }); }>
                                {if paused { "Resume my queue" } else { "Pause my queue" }}
                            </button>
                        }
                    })}
                </Transition>
            </header>
            {move || error().map(|message| view! { <Alert kind=AlertKind::Error>{message}</Alert> })}
            <Transition fallback=|| view! { <p class="skeleton h-48" aria-busy="true">"Loading your queue…"</p> }>
                {move || queue.get().map(|result| match result {
                    Err(e) => view! { <Alert kind=AlertKind::Error>{e.message}</Alert> }.into_any(),
                    Ok(queue) => view! { <QueueLists jobs=queue.jobs paused=queue.paused act /> }.into_any(),
                })}
            </Transition>
        </div>
    }
}

#[component]
fn QueueLists(jobs: Vec<Job>, paused: bool, act: ServerAction<ActOnJob>) -> impl IntoView {
    let waiting: Vec<Job> =
        jobs.iter().filter(|job| matches!(job.status, JobStatus::Pending | JobStatus::Paused)).cloned().collect();
    let running: Vec<Job> = jobs.iter().filter(|job| job.status == JobStatus::Running).cloned().collect();
    let mut finished: Vec<Job> = jobs.into_iter().filter(|job| job.status.is_final()).collect();
    finished.sort_by_key(|job| std::cmp::Reverse(job.completed_at.unwrap_or(job.created_at)));
    finished.truncate(FINISHED_SHOWN);
    let nothing = waiting.is_empty() && running.is_empty() && finished.is_empty();
    let dragged = RwSignal::new(None::<Uuid>);
    let waiting_count = waiting.len();
    view! {
        {nothing.then(|| view! {
            <div class="card p-10 text-center text-muted" data-testid="queue-empty">
                "Your queue is empty. Jobs you start on the Generate page wait here for their turn."
            </div>
        })}
        {paused.then(|| view! {
            <Alert kind=AlertKind::Info>"Your queue is paused: running jobs finish, waiting ones stay until you resume."</Alert>
        })}
        {(!running.is_empty()).then(|| view! {
            <section aria-labelledby="running-heading" class="flex flex-col gap-2">
                <h2 id="running-heading" class="text-lg font-bold">"Running"</h2>
                <ul class="flex flex-col gap-2">
                    {running.into_iter().map(|job| view! { <QueueRow job act dragged index=0 last=0 /> }).collect_view()}
                </ul>
            </section>
        })}
        {(!waiting.is_empty()).then(|| view! {
            <section aria-labelledby="waiting-heading" class="flex flex-col gap-2">
                <h2 id="waiting-heading" class="text-lg font-bold">{format!("Waiting ({waiting_count})")}</h2>
                <ul class="flex flex-col gap-2" data-testid="waiting" aria-busy=move || act.pending().get().to_string()>
                    {waiting.into_iter().enumerate().map(|(index, job)| view! {
                        <QueueRow job act dragged index last=waiting_count - 1 />
                    }).collect_view()}
                </ul>
                // Dropping here puts the dragged job last.
                <div class="rounded-lg border-2 border-dashed border-border p-3 text-center text-sm text-muted"
                    data-testid="drop-last"
                    on:dragover=move |event| event.prevent_default()
                    on:drop=move |event| {
                        event.prevent_default();
                        if let Some(id) = dragged.get_untracked() {
                            act.dispatch(ActOnJob { id, action: JobAction::Move { to: QueueMove::Bottom } });
                        }
                        dragged.set(None);
                    }>
                    "Drop here to run last"
                </div>
            </section>
        })}
        {(!finished.is_empty()).then(|| view! {
            <section aria-labelledby="finished-heading" class="flex flex-col gap-2">
                <h2 id="finished-heading" class="text-lg font-bold">"Finished"</h2>
                <ul class="flex flex-col gap-2">
                    {finished.into_iter().map(|job| view! { <QueueRow job act dragged index=0 last=0 /> }).collect_view()}
                </ul>
            </section>
        })}
    }
}

#[component]
fn QueueRow(
    job: Job,
    act: ServerAction<ActOnJob>,
    dragged: RwSignal<Option<Uuid>>,
    index: usize,
    last: usize,
) -> impl IntoView {
    let id = job.id;
    let waiting = matches!(job.status, JobStatus::Pending | JobStatus::Paused);
    let cancellable = waiting || (job.status == JobStatus::Running && !job.cancel_requested);
    let confirming = RwSignal::new(false);
    let over = RwSignal::new(false);
    let button = move |label: &'static str, hint: &'static str, action: JobAction, enabled: bool| {
        view! {
            <button type="button" class="btn btn-secondary px-2 py-1" title=hint aria-label=hint
                disabled=move || !enabled || act.pending().get()
                on:click=move |_| { act.dispatch(ActOnJob { id, action }); }>
                {label}
            </button>
        }
    };
    view! {
        <li class="card flex flex-wrap items-center gap-3 p-3 data-[over=true]:border-primary data-[over=true]:bg-primary/10"
            data-job=id.to_string() data-status=job.status.as_str() data-over=move || over.get().to_string()
            draggable=if waiting { "true" } else { "false" }
            on:dragstart=move |event| {
                // Browsers only start a drag that carries some data.
                #[cfg(feature = "hydrate")]
                if let Some(transfer) = event.data_transfer() {
                    let _ = transfer.set_data("text/plain", &id.to_string());
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = event;
                dragged.set(Some(id));
            }
            on:dragend=move |_| dragged.set(None)
            on:dragover=move |event| {
                if waiting && dragged.get_untracked().is_some_and(|other| other != id) {
                    event.prevent_default();
                    over.set(true);
                }
            }
            on:dragleave=move |_| over.set(false)
            on:drop=move |event| {
                event.prevent_default();
                over.set(false);
                if let Some(moved) = dragged.get_untracked().filter(|moved| *moved != id) {
                    act.dispatch(ActOnJob { id: moved, action: JobAction::Move { to: QueueMove::Before(id) } });
                }
                dragged.set(None);
            }>
            {waiting.then(|| view! { <span class="cursor-grab select-none text-muted" aria-hidden="true">"⠿"</span> })}
            <div class="min-w-0 flex-1">
                <p class="truncate font-semibold">{job.prompt.clone()}</p>
                <p class="text-xs text-muted"><code>{job.model_id.clone()}</code></p>
                {job.error_message.clone().filter(|_| job.status == JobStatus::Failed).map(|message| view! {
                    <p class="text-sm text-error">{message}</p>
                })}
            </div>
            <JobStatusBadge job=job.clone() />
            <div class="flex flex-wrap gap-1">
                {waiting.then(|| view! {
                    {button("⇈", "Move to the top", JobAction::Move { to: QueueMove::Top }, index > 0)}
                    {button("↑", "Move up", JobAction::Move { to: QueueMove::Up }, index > 0)}
                    {button("↓", "Move down", JobAction::Move { to: QueueMove::Down }, index < last)}
                })}
                {(job.status == JobStatus::Pending).then(|| button("Pause", "Pause this job", JobAction::Pause, true))}
                {(job.status == JobStatus::Paused).then(|| button("Resume", "Resume this job", JobAction::Resume, true))}
                {matches!(job.status, JobStatus::Failed | JobStatus::Cancelled).then(|| button("Retry", "Retry this job", JobAction::Retry, true))}
                {cancellable.then(|| view! {
                    <Show when=move || confirming.get()
                        fallback=move || view! {
                            <button type="button" class="btn btn-secondary px-2 py-1" on:click=move |_| confirming.set(true)>"Cancel"</button>
                        }>
                        <button type="button" class="btn btn-danger px-2 py-1"
                            on:click=move |_| { confirming.set(false); act.dispatch(ActOnJob { id, action: JobAction::Cancel }); }>
                            "Cancel job"
                        </button>
                        <button type="button" class="btn btn-secondary px-2 py-1" on:click=move |_| confirming.set(false)>"Keep"</button>
                    </Show>
                })}
            </div>
        </li>
    }
}
