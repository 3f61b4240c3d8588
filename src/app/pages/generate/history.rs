//! The history: the user's recent finished jobs, newest first. Choosing one puts its settings back in
//! the form.

use super::draft::Draft;
use super::feed::Feed;
use super::panels::open_on_wide_screens;
use crate::app::components::job_status::status_label;
use crate::app::components::queue_list::QueueParts;
use crate::types::{ImageView, Job, ModelInfo};
use leptos::prelude::*;
use uuid::Uuid;

/// How many finished jobs the history lists.
const HISTORY_SHOWN: usize = 20;

#[component]
pub fn HistoryPanel(models: StoredValue<Vec<ModelInfo>>) -> impl IntoView {
    let Feed { queue, .. } = expect_context::<Feed>();
    let recalled = RwSignal::new(None::<Uuid>);
    // Split once per refresh of the queue; the count, the empty state and the list all read it.
    let history = Memo::new(move |_| {
        let jobs = queue.get().and_then(Result::ok).map(|queue| queue.jobs).unwrap_or_default();
        let mut finished = QueueParts::split(jobs).finished;
        finished.truncate(HISTORY_SHOWN);
        finished
    });
    let panel = NodeRef::<leptos::html::Details>::new();
    open_on_wide_screens(panel);
    view! {
        <details class="card studio-panel" data-testid="history" node_ref=panel>
            <summary class="studio-panel-summary">
                <span>"History"</span>
                <Transition fallback=|| ()>
                    {move || queue.get().and_then(Result::ok).map(|_| view! { <span class="badge">{move || history.with(Vec::len)}</span> })}
                </Transition>
            </summary>
            <div class="flex flex-col gap-2 px-3 pb-3">
                <p class="text-xs text-muted">"Choose a finished job to put its settings back in the form."</p>
                <p class="text-sm font-semibold text-accent" role="status" data-testid="history-status">
                    {move || recalled.get().map(|_| "Settings recalled: the form now holds them.")}
                </p>
                <Transition fallback=|| view! { <p class="skeleton h-24" aria-busy="true">"Loading your history…"</p> }>
                    <Show when=move || queue.get().is_some_and(|result| result.is_ok()) && history.with(Vec::is_empty)>
                        <p class="rounded-lg border border-dashed border-border p-4 text-center text-sm text-muted" data-testid="history-empty">
                            "No finished jobs yet. Each one you make is listed here, newest first."
                        </p>
                    </Show>
                    <ul class="flex flex-col gap-1">
                        <For each=move || history.get() key=|job| (job.id, job.status, job.result_image_ids.first().copied())
                            children=move |job| view! { <HistoryItem job models recalled /> } />
                    </ul>
                </Transition>
            </div>
        </details>
    }
}

#[component]
fn HistoryItem(job: Job, models: StoredValue<Vec<ModelInfo>>, recalled: RwSignal<Option<Uuid>>) -> impl IntoView {
    let draft = expect_context::<Draft>();
    let id = job.id;
    let when = job.completed_at.unwrap_or(job.created_at);
    let what = if job.prompt.trim().is_empty() { job.kind.replace('-', " ") } else { job.prompt.clone() };
    let thumbnail = job.result_image_ids.first().map(|image| ImageView::file_url(*image, "thumbnail"));
    let status = status_label(job.status);
    let model_id = job.model_id.clone();
    let recall = move |_| {
        models.with_value(|models| draft.recall(&job, models));
        recalled.set(Some(id));
    };
    view! {
        <li>
            <button type="button" class="history-item" data-history-job=id.to_string()
                data-recalled=move || (recalled.get() == Some(id)).to_string()
                title="Put this job's settings back in the form" on:click=recall>
                {match thumbnail {
                    Some(src) => view! { <img src=src alt="" loading="lazy" class="h-12 w-12 shrink-0 rounded-md object-cover" /> }.into_any(),
                    None => view! {
                        <span class="flex h-12 w-12 shrink-0 items-center justify-center rounded-md bg-surface text-center text-[0.65rem] leading-tight text-muted">{status}</span>
                    }.into_any(),
                }}
                <span class="flex min-w-0 flex-1 flex-col">
                    <span class="sr-only">"Recall: "</span>
                    <span class="line-clamp-2 text-sm font-semibold">{what}</span>
                    <span class="overflow-hidden text-ellipsis whitespace-nowrap text-xs text-muted"><code>{model_id}</code></span>
                    <span class="text-xs text-muted">
                        {status}" · "<time datetime=when.to_rfc3339()>{when.format("%d %b %H:%M UTC").to_string()}</time>
                    </span>
                </span>
            </button>
        </li>
    }
}
