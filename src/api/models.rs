//! The model catalogue: what anyone can browse, and the switch administrators flip.

use crate::types::{ApiError, ModelInfo};
use leptos::prelude::*;
use uuid::Uuid;

/// Every model this studio offers. Administrators also see the models they switched off.
#[server]
pub async fn list_models() -> Result<Vec<ModelInfo>, ApiError> {
    use crate::server::auth::require_admin;
    use crate::server::catalogue;
    use crate::server::state::AppState;
    let state = AppState::current();
    let is_admin = require_admin().is_ok();
    Ok(catalogue::list(&state.db, state.config.uses_fal(), is_admin).await?)
}

/// Switches a model on or off for every user (administrators only).
#[server]
pub async fn set_model_enabled(key: Uuid, enabled: bool) -> Result<ModelInfo, ApiError> {
    use crate::server::auth::require_admin;
    use crate::server::catalogue;
    use crate::server::state::AppState;
    require_admin()?;
    let state = AppState::current();
    Ok(catalogue::set_enabled(&state.db, key, enabled, state.config.uses_fal()).await?)
}
