//! Starting a generation: the request is checked against its model's parameters, its credits are
//! held, and it joins the user's queue. It returns at once; progress arrives on `/api/events`.

use crate::types::{ApiError, GenerationRequest, Job};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(input = Json)]
pub async fn submit_generation(request: GenerationRequest) -> Result<Job, ApiError> {
    use crate::server::auth::require_user;
    use crate::server::jobs;
    use crate::server::state::AppState;
    let session = require_user()?;
    let state = AppState::current();
    let job = jobs::submit(&state, &session.user, request).await?;
    Ok(jobs::job_view(job))
}
