//! Generation presets of the signed-in user: list, save (overwriting by name), rename, delete.

use crate::types::{ApiError, Preset};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde_json::{Map, Value};
use uuid::Uuid;

/// The user's presets, by name (case-insensitive).
#[server]
pub async fn list_presets() -> Result<Vec<Preset>, ApiError> {
    use ssr::*;
    let (state, user) = caller()?;
    Ok(presets::list(&state.db, user).await?.into_iter().map(presets::view).collect())
}

/// Saves the generate page's settings under `name` (trimmed, 1 to 60 characters). A preset of the
/// same name is overwritten and keeps its id. `parameters` are kept as they are (they may be a
/// half-filled form) apart from `prompt` and `negative_prompt`, which have their own fields.
#[server(input = Json)]
pub async fn save_preset(
    name: String,
    model_id: String,
    prompt: String,
    negative_prompt: Option<String>,
    parameters: Map<String, Value>,
) -> Result<Preset, ApiError> {
    use ssr::*;
    let (state, user) = caller()?;
    let draft = presets::PresetDraft { name, model_id, prompt, negative_prompt, parameters };
    Ok(presets::view(presets::save(&state.db, user, draft).await?))
}

/// Renames one of the user's presets; refused when another of them already has the name.
#[server]
pub async fn rename_preset(id: Uuid, name: String) -> Result<Preset, ApiError> {
    use ssr::*;
    let (state, user) = caller()?;
    Ok(presets::view(presets::rename(&state.db, user, id, &name).await?))
}

#[server]
pub async fn delete_preset(id: Uuid) -> Result<(), ApiError> {
    use ssr::*;
    let (state, user) = caller()?;
    Ok(presets::delete(&state.db, user, id).await?)
}

#[cfg(feature = "ssr")]
mod ssr {
    pub use crate::api::ssr::caller;
    pub use crate::server::presets;
}
