//! The model catalogue at run time: `models.toml` (embedded) says what each model is, the `models` table
//! says whether an administrator has switched it off. Start-up copies the file into the table, keeping
//! every model's on/off switch.

use crate::server::db::entity::models;
use crate::server::error::AppError;
use crate::types::{ModelAvailability, ModelInfo};
use atelier_catalogue::{Catalogue, ModelSpec, ProviderKind};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};
use uuid::Uuid;

/// Inserts the models the table lacks and refreshes the description of the ones it has. Models that
/// left the file keep their row (history refers to them) but are no longer listed.
pub async fn sync(db: &DatabaseConnection, catalogue: &Catalogue) -> Result<(), DbErr> {
    let existing = models::Entity::find().all(db).await?;
    let now = Utc::now();
    for spec in &catalogue.models {
        match existing.iter().find(|row| row.fal_model_id == spec.id) {
            Some(row) => {
                let mut row: models::ActiveModel = row.clone().into();
                describe(&mut row, spec);
                if row.is_changed() {
                    row.updated_at = Set(now);
                    row.update(db).await?;
                }
            }
            None => {
                let mut row = models::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    fal_model_id: Set(spec.id.clone()),
                    version: Set(None),
                    is_active: Set(true),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                };
                describe(&mut row, spec);
                // Another replica starting at the same moment may have inserted it first.
                models::Entity::insert(row).on_conflict_do_nothing_on([models::Column::FalModelId]).exec(db).await?;
            }
        }
    }
    Ok(())
}

fn describe(row: &mut models::ActiveModel, spec: &ModelSpec) {
    let category = serde_json::to_value(spec.category).ok().and_then(|v| v.as_str().map(str::to_owned));
    row.name = Set(spec.id.rsplit('/').next().unwrap_or(&spec.id).to_owned());
    row.display_name = Set(spec.name.clone());
    row.description = Set(Some(spec.description.clone()));
    row.category = Set(category.unwrap_or_default());
    row.capabilities = Set(json!(spec.capabilities));
    row.default_parameters = Set(Value::Object(spec.defaults()));
    row.cost_per_generation = Set(i32::try_from(spec.cost.credits).unwrap_or(i32::MAX));
    row.is_featured = Set(spec.featured);
}

/// Every model of the catalogue with its switch. Disabled models are left out unless `include_disabled`.
pub async fn list(
    db: &DatabaseConnection,
    fal_ready: bool,
    include_disabled: bool,
) -> Result<Vec<ModelInfo>, AppError> {
    let rows = models::Entity::find().all(db).await.map_err(AppError::internal)?;
    Ok(Catalogue::embedded()
        .models
        .iter()
        .filter_map(|spec| {
            let row = rows.iter().find(|row| row.fal_model_id == spec.id)?;
            (include_disabled || row.is_active).then(|| info(spec, row, fal_ready))
        })
        .collect())
}

/// Switches a model on or off for everyone.
pub async fn set_enabled(
    db: &DatabaseConnection,
    key: Uuid,
    enabled: bool,
    fal_ready: bool,
) -> Result<ModelInfo, AppError> {
    let row = models::Entity::find_by_id(key).one(db).await.map_err(AppError::internal)?;
    let row = row.ok_or(AppError::NotFound("model"))?;
    let spec = Catalogue::embedded().get(&row.fal_model_id).ok_or(AppError::NotFound("model"))?;
    let mut active: models::ActiveModel = row.into();
    active.is_active = Set(enabled);
    active.updated_at = Set(Utc::now());
    let row = active.update(db).await.map_err(AppError::internal)?;
    tracing::info!(model = %spec.id, enabled, "model switched");
    Ok(info(spec, &row, fal_ready))
}

/// The spec of an enabled model, for a generation request.
pub async fn enabled_spec(db: &DatabaseConnection, model_id: &str) -> Result<&'static ModelSpec, AppError> {
    let spec = Catalogue::embedded().get(model_id).ok_or(AppError::NotFound("model"))?;
    let enabled = models::Entity::find()
        .filter(models::Column::FalModelId.eq(model_id))
        .filter(models::Column::IsActive.eq(true))
        .one(db)
        .await
        .map_err(AppError::internal)?
        .is_some();
    if enabled {
        Ok(spec)
    } else {
        Err(AppError::invalid("model", format!("{} is switched off on this studio.", spec.name)))
    }
}

fn info(spec: &ModelSpec, row: &models::Model, fal_ready: bool) -> ModelInfo {
    let availability = match spec.provider {
        ProviderKind::Offline => ModelAvailability::Ready,
        ProviderKind::Fal if fal_ready => ModelAvailability::Ready,
        ProviderKind::Fal => ModelAvailability::NeedsKey,
    };
    ModelInfo { key: row.id, spec: spec.clone(), enabled: row.is_active, availability }
}
