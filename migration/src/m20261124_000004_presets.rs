//! Generation presets: a user's named settings for the generate page (model, prompts and
//! parameters), in `generation_presets`.
//!
//! Same conventions as the earlier migrations (application-generated UUID ids, `timestamp with
//! time zone` everywhere, SQLite defaults written in the application's RFC 3339 format, JSON as
//! jsonb on PostgreSQL, named indexes, owned rows cascade from their user).
//!
//! A name is unique per user through the named unique index `idx_generation_presets_user_id_name`.
//! Its leading column also serves "the presets of a user" and the cascade from `users`, so there
//! is no separate index on `user_id` (as with `idx_recovery_codes_user_id_code_hash`).

use crate::columns::*;
use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(create_generation_presets(manager.get_database_backend())).await?;
        for index in indexes() {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for index in indexes().iter().rev() {
            let name = index.get_index_spec().get_name().expect("every index of this migration is named").to_owned();
            manager.drop_index(Index::drop().name(name).if_exists().to_owned()).await?;
        }
        manager.drop_table(Table::drop().table(GenerationPresets::Table).if_exists().to_owned()).await?;
        Ok(())
    }

    /// All of it or nothing, on both backends (SQLite has transactional DDL too).
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}

fn create_generation_presets(b: DbBackend) -> TableCreateStatement {
    Table::create()
        .table(GenerationPresets::Table)
        .col(pk_uuid(GenerationPresets::Id))
        .col(uuid(GenerationPresets::UserId))
        .col(text(GenerationPresets::Name))
        // A catalogue model id (`models.toml`), not a foreign key: a preset outlives a model
        // leaving the catalogue, and the page says so when it is applied.
        .col(text(GenerationPresets::ModelId))
        .col(text(GenerationPresets::Prompt))
        .col(text_null(GenerationPresets::NegativePrompt))
        // The model's other parameters, by name (never `prompt` or `negative_prompt`).
        .col(json_object(GenerationPresets::Parameters))
        .col(timestamp_now(b, GenerationPresets::CreatedAt))
        .col(timestamp_now(b, GenerationPresets::UpdatedAt))
        .foreign_key(&mut fk(
            "fk_generation_presets_user_id",
            GenerationPresets::Table,
            GenerationPresets::UserId,
            Users::Table,
            Users::Id,
            ForeignKeyAction::Cascade,
        ))
        .take()
}

/// Created by `up`, dropped by name in reverse order by `down`.
fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        // One preset per name and user; also serves "a user's presets" and the cascade.
        Index::create()
            .name("idx_generation_presets_user_id_name")
            .table(GenerationPresets::Table)
            .col(GenerationPresets::UserId)
            .col(GenerationPresets::Name)
            .unique()
            .take(),
    ]
}

// ---------------------------------------------------------------------------------------------
// Identifiers (`Table` is the snake_case enum name, every other variant its snake_case column)
// ---------------------------------------------------------------------------------------------

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum GenerationPresets {
    Table,
    Id,
    UserId,
    Name,
    ModelId,
    Prompt,
    NegativePrompt,
    Parameters,
    CreatedAt,
    UpdatedAt,
}
