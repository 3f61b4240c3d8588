//! A job's status as a labelled badge, with its progress while it runs.

use crate::types::{Job, JobStatus};
use leptos::prelude::*;

pub fn status_label(status: JobStatus) -> &'static str {
    match status {
        JobStatus::Pending => "Waiting",
        JobStatus::Running => "Running",
        JobStatus::Completed => "Done",
        JobStatus::Failed => "Failed",
        JobStatus::Cancelled => "Cancelled",
        JobStatus::Paused => "Paused",
    }
}

#[component]
pub fn JobStatusBadge(job: Job) -> impl IntoView {
    let label = match job.status {
        JobStatus::Running if job.cancel_requested => "Cancelling".to_owned(),
        JobStatus::Running => format!("Running · {:.0}%", job.progress * 100.0),
        status => status_label(status).to_owned(),
    };
    view! { <span class="badge" data-status=job.status.as_str()>{label}</span> }
}
