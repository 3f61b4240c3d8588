use crate::types::{ApiError, StudioStatus};
use leptos::prelude::*;

/// What the studio runs on: image engine, storage and database kind.
#[server]
pub async fn get_studio_status() -> Result<StudioStatus, ApiError> {
    use crate::server::state::AppState;
    use crate::types::ProviderMode;

    let state = AppState::current();
    let database = match state.db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => "PostgreSQL",
        _ => "SQLite",
    };
    Ok(StudioStatus {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        provider: if state.config.uses_fal() { ProviderMode::Fal } else { ProviderMode::Offline },
        storage: match state.storage.kind() {
            "s3" => "S3-compatible bucket".to_owned(),
            _ => "Local disk".to_owned(),
        },
        database: database.to_owned(),
    })
}
