//! The user's queue as lists of jobs, shared by the `/queue` page and the generate page's queue panel:
//! waiting jobs are dragged into a new order (or moved with buttons, by keyboard), paused, resumed and
//! cancelled; failed ones retried; the whole queue paused.

use crate::api::queue::{ActOnJob, SetQueuePaused};
use crate::app::components::job_status::JobStatusBadge;
use crate::types::{Job, JobAction, JobStatus, QueueMove};
use leptos::prelude::*;
use uuid::Uuid;

/// A queue's jobs by where they are: running, waiting (in queue order) and finished (newest first).
pub struct QueueParts {
    pub running: Vec<Job>,
    pub waiting: Vec<Job>,
    pub finished: Vec<Job>,
}

impl QueueParts {
    /// Splits jobs listed in queue order.
    pub fn split(jobs: Vec<Job>) -> Self {
        let (mut running, mut waiting, mut finished) = (Vec::new(), Vec::new(), Vec::new());
        for job in jobs {
            match job.status {
                JobStatus::Running => running.push(job),
                JobStatus::Pending | JobStatus::Paused => waiting.push(job),
                JobStatus::Completed | JobStatus::Failed | JobStatus::Cancelled => finished.push(job),
            }
        }
        finished.sort_by_key(|job| std::cmp::Reverse(job.completed_at.unwrap_or(job.created_at)));
        Self { running, waiting, finished }
    }
}

/// Pauses or resumes the user's whole queue.
#[component]
pub fn PauseQueueButton(
    paused: bool,
    pause: ServerAction<SetQueuePaused>,
    #[prop(optional)] compact: bool,
) -> impl IntoView {
    let class = match (paused, compact) {
        (true, false) => "btn btn-primary",
        (false, false) => "btn btn-secondary",
        (true, true) => "btn btn-primary px-3 py-1",
        (false, true) => "btn btn-secondary px-3 py-1",
    };
    view! {
        <button type="button" class=class aria-pressed=paused.to_string() data-testid="pause-queue"
            disabled=move || pause.pending().get()
            on:click=move |_| { pause.dispatch(SetQueuePaused { paused: !paused }); }>
            {if paused { "Resume my queue" } else { "Pause my queue" }}
        </button>
    }
}

/// Jobs that are not waiting (running or finished): their controls, no reordering.
#[component]
pub fn JobRows(jobs: Vec<Job>, act: ServerAction<ActOnJob>) -> impl IntoView {
    let dragged = RwSignal::new(None::<Uuid>);
    view! {
        <ul class="flex flex-col gap-2">
            {jobs.into_iter().map(|job| view! { <QueueRow job act dragged index=0 last=0 /> }).collect_view()}
        </ul>
    }
}

/// Waiting jobs in queue order: drop one on another to run it just before, or on the last slot.
#[component]
pub fn WaitingJobs(jobs: Vec<Job>, act: ServerAction<ActOnJob>) -> impl IntoView {
    let dragged = RwSignal::new(None::<Uuid>);
    let last = jobs.len().saturating_sub(1);
    view! {
        <ul class="flex flex-col gap-2" data-testid="waiting" aria-busy=move || act.pending().get().to_string()>
            {jobs.into_iter().enumerate().map(|(index, job)| view! {
                <QueueRow job act dragged index last />
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
                <p class="overflow-hidden text-ellipsis whitespace-nowrap text-xs text-muted"><code>{job.model_id.clone()}</code></p>
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn job(prompt: &str, status: JobStatus, completed_minute: Option<u32>) -> Job {
        let at = |minute: u32| Utc.with_ymd_and_hms(2025, 11, 25, 12, minute, 0).unwrap();
        Job {
            id: Uuid::new_v4(),
            model_id: "atelier/sketch".into(),
            kind: "text-to-image".into(),
            prompt: prompt.into(),
            negative_prompt: None,
            parameters: serde_json::json!({}),
            status,
            priority: 0,
            attempts: 0,
            progress: 0.0,
            error_type: None,
            error_message: None,
            result_image_ids: Vec::new(),
            credits_held: 0,
            credits_charged: 0,
            batch_id: None,
            parent_image_id: None,
            cancel_requested: false,
            created_at: at(0),
            started_at: None,
            completed_at: completed_minute.map(at),
        }
    }

    fn prompts(jobs: &[Job]) -> Vec<&str> {
        jobs.iter().map(|job| job.prompt.as_str()).collect()
    }

    #[test]
    fn split_keeps_queue_order_for_waiting_jobs_and_puts_the_newest_finished_first() {
        let parts = QueueParts::split(vec![
            job("running", JobStatus::Running, None),
            job("done early", JobStatus::Completed, Some(1)),
            job("second in line", JobStatus::Pending, None),
            job("held", JobStatus::Paused, None),
            job("failed late", JobStatus::Failed, Some(9)),
            job("third in line", JobStatus::Pending, None),
            job("cancelled", JobStatus::Cancelled, Some(5)),
        ]);
        assert_eq!(prompts(&parts.running), ["running"]);
        assert_eq!(prompts(&parts.waiting), ["second in line", "held", "third in line"]);
        assert_eq!(prompts(&parts.finished), ["failed late", "cancelled", "done early"]);
    }
}
