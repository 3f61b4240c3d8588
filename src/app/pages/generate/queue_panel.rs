//! The queue panel: the user's running and waiting jobs beside the results, with the `/queue` page's
//! controls (drag and drop, moves, pause and resume, cancel, retry, the whole-queue pause).

use super::feed::Feed;
use super::panels::open_on_wide_screens;
use crate::api::queue::{ActOnJob, SetQueuePaused};
use crate::app::components::queue_list::{JobRows, PauseQueueButton, QueueParts, WaitingJobs};
use crate::types::{JobStatus, MyQueue};
use leptos::prelude::*;

/// How many recently failed or cancelled jobs the panel offers to retry.
const STOPPED_SHOWN: usize = 3;

#[component]
pub fn QueuePanel() -> impl IntoView {
    let Feed { queue, act, pause, .. } = expect_context::<Feed>();
    let panel = NodeRef::<leptos::html::Details>::new();
    open_on_wide_screens(panel);
    let summary = move || {
        let queue = queue.get().and_then(Result::ok)?;
        let count = |wanted: fn(JobStatus) -> bool| queue.jobs.iter().filter(|job| wanted(job.status)).count();
        let running = count(|status| status == JobStatus::Running);
        let waiting = count(|status| matches!(status, JobStatus::Pending | JobStatus::Paused));
        let mut parts = Vec::new();
        if queue.paused {
            parts.push("paused".to_owned());
        }
        if running > 0 {
            parts.push(format!("{running} running"));
        }
        parts.push(format!("{waiting} waiting"));
        Some(parts.join(" · "))
    };
    let error = move || {
        let act_error = act.value().get().and_then(Result::err);
        act_error.or_else(|| pause.value().get().and_then(Result::err)).map(|e| e.message)
    };
    view! {
        <details class="card studio-panel" data-testid="queue-panel" node_ref=panel>
            <summary class="studio-panel-summary">
                <span>"Queue"</span>
                <Transition fallback=|| ()>
                    <span class="text-xs font-normal text-muted" data-testid="queue-summary">{summary}</span>
                </Transition>
            </summary>
            <div class="flex flex-col gap-3 px-3 pb-3">
                {move || error().map(|message| view! { <p class="text-sm text-error">{message}</p> })}
                <Transition fallback=|| view! { <p class="skeleton h-24" aria-busy="true">"Loading your queue…"</p> }>
                    {move || queue.get().map(|result| match result {
                        Err(e) => view! { <p class="alert alert-error" role="alert">{e.message}</p> }.into_any(),
                        Ok(queue) => view! { <QueuePanelLists queue act pause /> }.into_any(),
                    })}
                </Transition>
                <a href="/queue" class="link-quiet text-sm">"Open the full queue"</a>
            </div>
        </details>
    }
}

#[component]
fn QueuePanelLists(queue: MyQueue, act: ServerAction<ActOnJob>, pause: ServerAction<SetQueuePaused>) -> impl IntoView {
    let paused = queue.paused;
    let QueueParts { running, waiting, finished } = QueueParts::split(queue.jobs);
    let stopped: Vec<_> = finished
        .into_iter()
        .take(10)
        .filter(|job| matches!(job.status, JobStatus::Failed | JobStatus::Cancelled))
        .take(STOPPED_SHOWN)
        .collect();
    let idle = running.is_empty() && waiting.is_empty();
    let waiting_count = waiting.len();
    view! {
        <div class="flex flex-wrap items-center gap-2">
            <PauseQueueButton paused pause compact=true />
        </div>
        {paused.then(|| view! {
            <p class="text-sm text-muted">"Your queue is paused: running jobs finish, waiting ones stay until you resume."</p>
        })}
        {idle.then(|| view! { <p class="text-sm text-muted" data-testid="queue-panel-idle">"Nothing is waiting or running."</p> })}
        {(!running.is_empty()).then(|| view! {
            <h3 class="text-sm font-bold">"Running"</h3>
            <JobRows jobs=running act />
        })}
        {(!waiting.is_empty()).then(|| view! {
            <h3 class="text-sm font-bold">{format!("Waiting ({waiting_count})")}</h3>
            <WaitingJobs jobs=waiting act />
        })}
        {(!stopped.is_empty()).then(|| view! {
            <h3 class="text-sm font-bold">"Stopped recently"</h3>
            <JobRows jobs=stopped act />
        })}
    }
}
