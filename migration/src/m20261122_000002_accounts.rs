//! Accounts and security: TOTP two-factor authentication on `users`, locale settings on
//! `user_settings`, single-use mailed/mid-login tokens (`auth_tokens`) and 2FA recovery codes
//! (`recovery_codes`).
//!
//! Same conventions as `m20261121_000001_create_schema` (application-generated UUID ids,
//! `timestamp with time zone` everywhere, SQLite defaults written in the application's RFC 3339
//! format, named indexes, rows owned by a user cascade from it).
//!
//! SQLite can only apply one action per `ALTER TABLE` (sea-query even panics when asked for
//! several), so every added or dropped column is its own statement, on both backends alike.
//! `ALTER TABLE ... DROP COLUMN` (SQLite >= 3.35) works for these columns because none of them
//! is indexed, unique, a key or referenced by a constraint.

use crate::columns::*;
use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();

        for (table, column) in added_columns() {
            manager.alter_table(Table::alter().table(table).add_column(column).take()).await?;
        }
        manager.create_table(create_auth_tokens(backend)).await?;
        manager.create_table(create_recovery_codes(backend)).await?;
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
        for table in [RecoveryCodes::Table.into_iden(), AuthTokens::Table.into_iden()] {
            manager.drop_table(Table::drop().table(table).if_exists().to_owned()).await?;
        }
        for (table, column) in added_columns().into_iter().rev() {
            manager.alter_table(Table::alter().table(table).drop_column(column.get_column_name()).take()).await?;
        }
        Ok(())
    }

    /// All of it or nothing, on both backends (SQLite has transactional DDL too).
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}

// ---------------------------------------------------------------------------------------------
// Columns added to existing tables, in order; `down` drops them in reverse.
// ---------------------------------------------------------------------------------------------

/// Added columns are nullable or have a constant default, as `ADD COLUMN` requires on SQLite
/// (and so existing rows get a value on both backends).
fn added_columns() -> Vec<(DynIden, ColumnDef)> {
    vec![
        // Base32 TOTP secret: set while enrolling and while 2FA is enabled.
        (Users::Table.into_iden(), text_null(Users::TotpSecret)),
        // 2FA is on when set.
        (Users::Table.into_iden(), timestamp_opt(Users::TotpEnabledAt)),
        // The last accepted TOTP time step: a code of this step or an older one is refused.
        (Users::Table.into_iden(), big_integer_null(Users::TotpLastStep)),
        // IANA time zone name.
        (UserSettings::Table.into_iden(), text(UserSettings::Timezone).default("UTC").take()),
        // BCP 47 language tag.
        (UserSettings::Table.into_iden(), text(UserSettings::Language).default("en").take()),
    ]
}

// ---------------------------------------------------------------------------------------------
// Tables, in creation order
// ---------------------------------------------------------------------------------------------

/// `token_hash` is unique through the named unique index `idx_auth_tokens_token_hash` (see
/// [`indexes`]). `purpose` is left unconstrained (like `generation_queue.status`) so that a new
/// purpose needs no migration; the entity lists the known values.
fn create_auth_tokens(b: DbBackend) -> TableCreateStatement {
    Table::create()
        .table(AuthTokens::Table)
        .col(pk_uuid(AuthTokens::Id))
        .col(uuid(AuthTokens::UserId))
        // "verify_email", "reset_password", "change_email" or "login_2fa".
        .col(text(AuthTokens::Purpose))
        // SHA-256 hex of the token; the raw token is never stored.
        .col(text(AuthTokens::TokenHash))
        // The address being confirmed, for "change_email".
        .col(text_null(AuthTokens::NewEmail))
        .col(timestamp_with_time_zone(AuthTokens::ExpiresAt))
        .col(timestamp_opt(AuthTokens::UsedAt))
        .col(timestamp_now(b, AuthTokens::CreatedAt))
        .foreign_key(&mut fk(
            "fk_auth_tokens_user_id",
            AuthTokens::Table,
            AuthTokens::UserId,
            Users::Table,
            Users::Id,
            ForeignKeyAction::Cascade,
        ))
        .take()
}

/// Unique per `(user_id, code_hash)` through `idx_recovery_codes_user_id_code_hash`.
fn create_recovery_codes(b: DbBackend) -> TableCreateStatement {
    Table::create()
        .table(RecoveryCodes::Table)
        .col(pk_uuid(RecoveryCodes::Id))
        .col(uuid(RecoveryCodes::UserId))
        // SHA-256 hex of the code.
        .col(text(RecoveryCodes::CodeHash))
        .col(timestamp_opt(RecoveryCodes::UsedAt))
        .col(timestamp_now(b, RecoveryCodes::CreatedAt))
        .foreign_key(&mut fk(
            "fk_recovery_codes_user_id",
            RecoveryCodes::Table,
            RecoveryCodes::UserId,
            Users::Table,
            Users::Id,
            ForeignKeyAction::Cascade,
        ))
        .take()
}

// ---------------------------------------------------------------------------------------------
// Indexes (both backends); `down` drops them by name in reverse order.
// ---------------------------------------------------------------------------------------------

fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        Index::create()
            .name("idx_auth_tokens_token_hash")
            .table(AuthTokens::Table)
            .col(AuthTokens::TokenHash)
            .unique()
            .take(),
        // A user's pending tokens of one kind (also serves the cascade from `users`).
        Index::create()
            .name("idx_auth_tokens_user_id_purpose")
            .table(AuthTokens::Table)
            .col(AuthTokens::UserId)
            .col(AuthTokens::Purpose)
            .take(),
        // A code is stored once per user; also serves "codes of a user" and the cascade.
        Index::create()
            .name("idx_recovery_codes_user_id_code_hash")
            .table(RecoveryCodes::Table)
            .col(RecoveryCodes::UserId)
            .col(RecoveryCodes::CodeHash)
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
    TotpSecret,
    TotpEnabledAt,
    TotpLastStep,
}

#[derive(DeriveIden)]
enum UserSettings {
    Table,
    Timezone,
    Language,
}

#[derive(DeriveIden)]
enum AuthTokens {
    Table,
    Id,
    UserId,
    Purpose,
    TokenHash,
    NewEmail,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RecoveryCodes {
    Table,
    Id,
    UserId,
    CodeHash,
    UsedAt,
    CreatedAt,
}
