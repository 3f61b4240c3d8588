//! One of the signed-in user's images: read it with where it came from and what was made from it,
//! mark it a favourite, and iterate on it (variations, upscale, background removal).

use crate::types::{ApiError, ImageDetail, ImageView, Iteration, Job};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use uuid::Uuid;

/// The image, its parent (while still in the library) and its children, oldest first.
#[server]
pub async fn get_image(id: Uuid) -> Result<ImageDetail, ApiError> {
    use ssr::*;
    let (state, user) = caller()?;
    Ok(images::detail(&state.db, user, id).await?)
}

#[server]
pub async fn set_image_favourite(id: Uuid, favourite: bool) -> Result<ImageView, ApiError> {
    use ssr::*;
    let (state, user) = caller()?;
    Ok(images::set_favourite(&state.db, user, id, favourite).await?)
}

/// Queues `iteration` of the image, with the image as the parent of what it makes; returns the job.
#[server(input = Json)]
pub async fn iterate_image(id: Uuid, iteration: Iteration) -> Result<Job, ApiError> {
    use ssr::*;
    let session = require_user()?;
    let state = AppState::current();
    let job = images::iterate(&state, &session.user, id, iteration).await?;
    Ok(jobs::job_view(job))
}

#[cfg(feature = "ssr")]
mod ssr {
    pub use crate::api::ssr::caller;
    pub use crate::server::auth::require_user;
    pub use crate::server::state::AppState;
    pub use crate::server::{images, jobs};
}
