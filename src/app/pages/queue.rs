//! `/queue`: the user's queue. Waiting jobs can be dragged into a new order (or moved with buttons,
//! by keyboard), paused, resumed and cancelled; failed ones retried; the whole queue paused.

use crate::api::queue::{ActOnJob, SetQueuePaused, get_my_queue};
use crate::app::components::form::{Alert, AlertKind};
use crate::app::components::queue_list::{JobRows, PauseQueueButton, QueueParts, WaitingJobs};
use crate::app::live;
use crate::types::{Job, StudioEvent};
use leptos::prelude::*;
use leptos_meta::Title;

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
                    {move || queue.get().and_then(Result::ok).map(|queue| view! { <PauseQueueButton paused=queue.paused pause /> })}
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
    let QueueParts { running, waiting, mut finished } = QueueParts::split(jobs);
    finished.truncate(FINISHED_SHOWN);
    let nothing = waiting.is_empty() && running.is_empty() && finished.is_empty();
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
                <JobRows jobs=running act />
            </section>
        })}
        {(!waiting.is_empty()).then(|| view! {
            <section aria-labelledby="waiting-heading" class="flex flex-col gap-2">
                <h2 id="waiting-heading" class="text-lg font-bold">{format!("Waiting ({waiting_count})")}</h2>
                <WaitingJobs jobs=waiting act />
            </section>
        })}
        {(!finished.is_empty()).then(|| view! {
            <section aria-labelledby="finished-heading" class="flex flex-col gap-2">
                <h2 id="finished-heading" class="text-lg font-bold">"Finished"</h2>
                <JobRows jobs=finished act />
            </section>
        })}
    }
}
