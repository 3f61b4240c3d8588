//! Generation presets: a user's named settings of the generate page (model, prompts, parameters),
//! saved (overwritten when the name is taken), listed, renamed and deleted. Every query names the
//! owner; another user's preset reads as unknown.
//!
//! Parameters are stored as sent, not checked against the model: a preset may hold a half-filled
//! form, and the page validates it with the catalogue when it is applied. Only the model must exist.

use crate::server::db::entity::presets;
use crate::server::error::AppError;
use crate::server::jobs::begin_write;
use crate::types::Preset;
use atelier_catalogue::Catalogue;
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, Set, SqlErr, Statement,
};
use serde::Deserialize;
use serde_json::{Map, Value};
use uuid::Uuid;

/// The longest a preset's name may be, in characters (after trimming).
pub const MAX_NAME_CHARS: usize = 60;
/// How many presets one user may keep.
pub const MAX_PRESETS: u64 = 100;
/// The most a preset's parameters may take, as JSON text.
pub const MAX_PARAMETERS_BYTES: usize = 16 * 1024;
/// The longest a preset's prompt or negative prompt may be, in characters. Models take at most
/// 2,000; this only keeps a preset from becoming a store for arbitrary text.
pub const MAX_PROMPT_CHARS: usize = 10_000;

/// Parameters that have their own fields, dropped from `parameters` when saving.
const PROMPT_KEYS: [&str; 2] = ["prompt", "negative_prompt"];

/// Class of the PostgreSQL advisory locks (two-key form) that serialise writes to one user's
/// presets; the second key comes from the user's id. ("PRST")
const PRESETS_LOCK_CLASS: i32 = 0x5052_5354;

/// The settings to save under a name (the body of `POST /api/presets`).
#[derive(Debug, Clone, Deserialize)]
pub struct PresetDraft {
    pub name: String,
    pub model_id: String,
    pub prompt: String,
    #[serde(default)]
    pub negative_prompt: Option<String>,
    #[serde(default)]
    pub parameters: Map<String, Value>,
}

/// The owner's presets, by name (case-insensitive).
pub async fn list(db: &impl ConnectionTrait, owner: Uuid) -> Result<Vec<presets::Model>, AppError> {
    let mut found = presets::Entity::find().filter(presets::Column::UserId.eq(owner)).all(db).await?;
    found.sort_by_cached_key(|preset| (preset.name.to_lowercase(), preset.name.clone()));
    Ok(found)
}

/// Saves `draft` for `owner`. A preset of the same name is overwritten (its id kept, `updated_at`
/// bumped); a new name counts towards [`MAX_PRESETS`]. Nothing is written when a check fails.
pub async fn save(db: &DatabaseConnection, owner: Uuid, draft: PresetDraft) -> Result<presets::Model, AppError> {
    let name = checked_name(&draft.name)?;
    if Catalogue::embedded().get(&draft.model_id).is_none() {
        return Err(AppError::invalid("model_id", "That model is not in the catalogue: pick another one."));
    }
    let prompt = checked_prompt("prompt", draft.prompt)?;
    let negative_prompt = match draft.negative_prompt.filter(|text| !text.trim().is_empty()) {
        Some(text) => Some(checked_prompt("negative_prompt", text)?),
        None => None,
    };
    let parameters = checked_parameters(draft.parameters)?;

    let txn = begin_write(db).await?;
    lock_presets_of(&txn, owner).await?;
    let now = Utc::now();
    let saved = match find_by_name(&txn, owner, &name).await? {
        Some(existing) => {
            let mut preset = existing.into_active_model();
            preset.model_id = Set(draft.model_id);
            preset.prompt = Set(prompt);
            preset.negative_prompt = Set(negative_prompt);
            preset.parameters = Set(parameters);
            preset.updated_at = Set(now);
            preset.update(&txn).await?
        }
        None => {
            let count = presets::Entity::find().filter(presets::Column::UserId.eq(owner)).count(&txn).await?;
            if count >= MAX_PRESETS {
                return Err(AppError::invalid(
                    "name",
                    format!(
                        "You already have {MAX_PRESETS} presets, the most you can keep: delete some to save new ones."
                    ),
                ));
            }
            presets::ActiveModel {
                id: Set(Uuid::now_v7()),
                user_id: Set(owner),
                name: Set(name.clone()),
                model_id: Set(draft.model_id),
                prompt: Set(prompt),
                negative_prompt: Set(negative_prompt),
                parameters: Set(parameters),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&txn)
            .await
            .map_err(|err| name_taken_or(err, &name))?
        }
    };
    txn.commit().await?;
    Ok(saved)
}

/// Gives one of the owner's presets a new name, refused when another of their presets has it.
pub async fn rename(db: &DatabaseConnection, owner: Uuid, id: Uuid, name: &str) -> Result<presets::Model, AppError> {
    let name = checked_name(name)?;
    let txn = begin_write(db).await?;
    let renamed = presets::Entity::update_many()
        .col_expr(presets::Column::Name, Expr::value(name.clone()))
        .col_expr(presets::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(presets::Column::Id.eq(id))
        .filter(presets::Column::UserId.eq(owner))
        .exec(&txn)
        .await
        .map_err(|err| name_taken_or(err, &name))?;
    if renamed.rows_affected == 0 {
        return Err(AppError::NotFound("preset"));
    }
    let preset = presets::Entity::find_by_id(id)
        .filter(presets::Column::UserId.eq(owner))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound("preset"))?;
    txn.commit().await?;
    Ok(preset)
}

/// Deletes one of the owner's presets.
pub async fn delete(db: &impl ConnectionTrait, owner: Uuid, id: Uuid) -> Result<(), AppError> {
    let deleted = presets::Entity::delete_many()
        .filter(presets::Column::Id.eq(id))
        .filter(presets::Column::UserId.eq(owner))
        .exec(db)
        .await?;
    if deleted.rows_affected == 0 { Err(AppError::NotFound("preset")) } else { Ok(()) }
}

/// The shared view of a stored preset.
pub fn view(preset: presets::Model) -> Preset {
    let parameters = match preset.parameters {
        Value::Object(parameters) => parameters,
        _ => Map::new(),
    };
    Preset {
        id: preset.id,
        name: preset.name,
        model_id: preset.model_id,
        prompt: preset.prompt,
        negative_prompt: preset.negative_prompt,
        parameters,
        updated_at: preset.updated_at,
    }
}

/// The name trimmed, if it is one a person can pick from a list.
fn checked_name(name: &str) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::invalid("name", "Give the preset a name."));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(AppError::invalid(
            "name",
            format!("A preset's name can be at most {MAX_NAME_CHARS} characters long."),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(AppError::invalid("name", "A preset's name cannot contain line breaks or control characters."));
    }
    Ok(name.to_owned())
}

fn checked_prompt(field: &str, text: String) -> Result<String, AppError> {
    if text.chars().count() > MAX_PROMPT_CHARS {
        return Err(AppError::invalid(
            field,
            format!("A preset's prompts can be at most {MAX_PROMPT_CHARS} characters long."),
        ));
    }
    Ok(text)
}

/// The parameters without the prompts (they have their own fields), if they fit.
fn checked_parameters(mut parameters: Map<String, Value>) -> Result<Value, AppError> {
    for key in PROMPT_KEYS {
        parameters.remove(key);
    }
    let parameters = Value::Object(parameters);
    let size = serde_json::to_string(&parameters).map_err(AppError::internal)?.len();
    if size > MAX_PARAMETERS_BYTES {
        return Err(AppError::invalid(
            "parameters",
            format!("These settings are too large to keep as a preset (at most {} KB).", MAX_PARAMETERS_BYTES / 1024),
        ));
    }
    Ok(parameters)
}

async fn find_by_name(db: &impl ConnectionTrait, owner: Uuid, name: &str) -> Result<Option<presets::Model>, AppError> {
    Ok(presets::Entity::find()
        .filter(presets::Column::UserId.eq(owner))
        .filter(presets::Column::Name.eq(name))
        .one(db)
        .await?)
}

/// On PostgreSQL, serialises writes to `owner`'s presets until `txn` ends, so two saves cannot
/// both count 99 presets and both add one. On SQLite `begin_write`'s `BEGIN IMMEDIATE` already
/// lets one writer in at a time.
async fn lock_presets_of(txn: &DatabaseTransaction, owner: Uuid) -> Result<(), AppError> {
    if txn.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    // The last bytes of a v7 id are random (the first ones are its creation time).
    let [.., a, b, c, d] = *owner.as_bytes();
    let user_key = i32::from_be_bytes([a, b, c, d]);
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT pg_advisory_xact_lock($1, $2)",
        [PRESETS_LOCK_CLASS.into(), user_key.into()],
    ))
    .await?;
    Ok(())
}

/// A unique-index violation is another preset of the user already having `name`.
fn name_taken_or(err: DbErr, name: &str) -> AppError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            AppError::Conflict(format!("You already have a preset called “{name}”."))
        }
        _ => err.into(),
    }
}
