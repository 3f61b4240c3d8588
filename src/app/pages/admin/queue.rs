//! `/admin/queue`: every user's jobs, with the controls their owners have.

use crate::api::admin_queue::{ActOnAnyJob, get_whole_queue};
use crate::app::components::form::{Alert, AlertKind};
use crate::app::components::job_status::{JobStatusBadge, status_label};
use crate::app::session::use_current_user;
use crate::types::{JobAction, JobStatus, QueueEntry, QueueMove, Role};
use leptos::prelude::*;
use leptos_meta::Title;

const FILTERS: [JobStatus; 6] = [
    JobStatus::Pending,
    JobStatus::Running,
    JobStatus::Paused,
    JobStatus::Failed,
    JobStatus::Completed,
    JobStatus::Cancelled,
];

#[component]
pub fn AdminQueuePage() -> impl IntoView {
    let me = use_current_user();
    let act = ServerAction::<ActOnAnyJob>::new();
    let status = RwSignal::new(None::<JobStatus>);
    let refreshes = RwSignal::new(0_u32);
    let queue = Resource::new(
        move || (status.get(), act.version().get(), refreshes.get()),
        |(status, _, _)| get_whole_queue(status),
    );
    view! {
        <Title text="Admin · Queue" />
        <div class="mx-auto flex max-w-6xl flex-col gap-6">
            <header class="flex flex-wrap items-end justify-between gap-4">
                <div>
                    <h1 class="text-2xl font-bold sm:text-3xl">"Queue"</h1>
                    <p class="mt-1 text-muted">"Every user's jobs in the order workers take them. Owners see what you do here."</p>
                </div>
                <div class="flex items-end gap-2">
                    <label class="flex flex-col gap-1 text-sm font-semibold">
                        "Show"
                        <select
                            class="input"
                            on:change=move |event| status.set(JobStatus::parse(&event_target_value(&event)))
                        >
                            <option value="">"All jobs"</option>
                            {FILTERS.map(|filter| view! { <option value=filter.as_str()>{status_label(filter)}</option> })}
                        </select>
                    </label>
                    <button type="button" class="btn btn-secondary" on:click=move |_| refreshes.update(|n| *n += 1)>
                        "Refresh"
                    </button>
                </div>
            </header>
            {move || act.value().get().and_then(Result::err).map(|e| view! { <Alert kind=AlertKind::Error>{e.message}</Alert> })}
            <Transition fallback=|| view! { <p class="skeleton h-48" aria-busy="true">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let is_admin = matches!(me.await, Ok(Some(user)) if user.role == Role::Admin);
                    if !is_admin {
                        return view! { <Alert kind=AlertKind::Error>"This page is for administrators."</Alert> }.into_any();
                    }
                    match queue.await {
                        Ok(entries) if entries.is_empty() => view! {
                            <div class="card p-8 text-center text-muted">"No jobs here."</div>
                        }.into_any(),
                        Ok(entries) => view! { <QueueTable entries act /> }.into_any(),
                        Err(e) => view! { <Alert kind=AlertKind::Error>{e.message}</Alert> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn QueueTable(entries: Vec<QueueEntry>, act: ServerAction<ActOnAnyJob>) -> impl IntoView {
    view! {
        <div class="card overflow-x-auto">
            <table class="w-full text-left text-sm">
                <thead class="border-b border-border text-muted">
                    <tr>
                        <th scope="col" class="p-3">"Job"</th>
                        <th scope="col" class="p-3">"Owner"</th>
                        <th scope="col" class="p-3">"Status"</th>
                        <th scope="col" class="p-3">"Priority"</th>
                        <th scope="col" class="p-3"><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {entries.into_iter().map(|entry| view! { <QueueRow entry act /> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn QueueRow(entry: QueueEntry, act: ServerAction<ActOnAnyJob>) -> impl IntoView {
    let job = entry.job;
    let id = job.id;
    let waiting = matches!(job.status, JobStatus::Pending | JobStatus::Paused);
    let cancellable = waiting || (job.status == JobStatus::Running && !job.cancel_requested);
    let retryable = matches!(job.status, JobStatus::Failed | JobStatus::Cancelled);
    let confirming = RwSignal::new(false);
    let button = move |label: &'static str, action: JobAction, class: &'static str| {
        view! {
            <button
                type="button"
                class=format!("btn {class} px-2 py-1")
                data-action=label
                disabled=move || act.pending().get()
                on:click=move |_| {
                    confirming.set(false);
                    act.dispatch(ActOnAnyJob { id, action });
                }
            >
                {label}
            </button>
        }
    };
    view! {
        <tr class="border-b border-border align-top last:border-0" data-job=id.to_string()>
            <th scope="row" class="max-w-md p-3 font-normal">
                <span class="line-clamp-2 font-semibold">{job.prompt.clone()}</span>
                <code class="block text-xs text-muted">{job.model_id.clone()}</code>
                {job.error_message.clone().map(|message| view! { <span class="block text-xs text-error">{message}</span> })}
            </th>
            <td class="p-3">
                <span class="block">{entry.owner_name}</span>
                <span class="block text-xs text-muted">{entry.owner_email}</span>
            </td>
            <td class="p-3"><JobStatusBadge job=job.clone() /></td>
            <td class="p-3 tabular-nums">{job.priority}</td>
            <td class="p-3">
                <div class="flex flex-wrap justify-end gap-1">
                    {waiting.then(|| view! {
                        {button("Top", JobAction::Move { to: QueueMove::Top }, "btn-secondary")}
                        {button("Up", JobAction::Move { to: QueueMove::Up }, "btn-secondary")}
                        {button("Down", JobAction::Move { to: QueueMove::Down }, "btn-secondary")}
                        {button("Priority +1", JobAction::Prioritise { priority: job.priority + 1 }, "btn-secondary")}
                    })}
                    {(job.status == JobStatus::Pending).then(|| button("Pause", JobAction::Pause, "btn-secondary"))}
                    {(job.status == JobStatus::Paused).then(|| button("Resume", JobAction::Resume, "btn-secondary"))}
                    {retryable.then(|| button("Retry", JobAction::Retry, "btn-secondary"))}
                    {cancellable.then(|| view! {
                        <Show
                            when=move || confirming.get()
                            fallback=move || view! {
                                <button type="button" class="btn btn-secondary px-2 py-1" on:click=move |_| confirming.set(true)>
                                    "Cancel"
                                </button>
                            }
                        >
                            {button("Confirm cancel", JobAction::Cancel, "btn-danger")}
                            <button type="button" class="btn btn-secondary px-2 py-1" on:click=move |_| confirming.set(false)>
                                "Keep"
                            </button>
                        </Show>
                    })}
                </div>
            </td>
        </tr>
    }
}
