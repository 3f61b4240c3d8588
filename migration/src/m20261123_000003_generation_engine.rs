//! The generation engine: a durable, leased job queue on `generation_queue`, credits held per job,
//! the results pipeline's columns, a per-user queue pause on `user_settings`, and `job_events`,
//! the log the live-progress stream (SSE) reads and resumes from (`Last-Event-ID`).
//!
//! Same conventions as the earlier migrations (application-generated UUID ids, `timestamp with
//! time zone` everywhere, SQLite defaults written in the application's RFC 3339 format, named
//! indexes, owned rows cascade from their user). As in `m20261122_000002_accounts`, every
//! `ALTER TABLE` does one thing, because SQLite can do no more.
//!
//! - `retry_count` becomes `attempts` (`RENAME COLUMN`, SQLite >= 3.25): the engine counts every
//!   attempt, and the column keeps its values.
//! - The status `processing` becomes `running`; `down` turns `running` back into `processing`.
//!   The new statuses `cancelled` and `paused` are left as they are by `down` (the column is
//!   unconstrained text, and neither should be picked up by the older worker).
//! - `parent_image_id` (the source image of image-to-image, inpaint, upscale, ... jobs) is NOT a
//!   foreign key: SQLite cannot add one to an existing table. The engine checks that the image
//!   exists and is the user's when it accepts the job, and tolerates it being deleted later.
//! - The two indexes of the initial schema that served the old worker and the queue page are
//!   replaced by wider ones with the same purpose (`down` restores them).
//!
//! `ALTER TABLE ... DROP COLUMN` (SQLite >= 3.35) in `down` works because the added columns' indexes
//! are dropped first, and no added column is a key or referenced by a constraint.

use crate::columns::*;
use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The status the initial schema's worker gave a job sent to fal.ai.
const STATUS_PROCESSING: &str = "processing";
/// Its name from this migration on.
const STATUS_RUNNING: &str = "running";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();

        manager.alter_table(rename_queue_column(GenerationQueue::RetryCount, GenerationQueue::Attempts)).await?;
        manager.execute(rename_status(STATUS_PROCESSING, STATUS_RUNNING)).await?;
        for (table, column) in added_columns() {
            manager.alter_table(Table::alter().table(table).add_column(column).take()).await?;
        }
        manager.create_table(create_job_events(backend)).await?;
        for index in replaced_indexes() {
            manager.drop_index(drop_statement(&index)).await?;
        }
        for index in indexes() {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for index in indexes().iter().rev() {
            manager.drop_index(drop_statement(index)).await?;
        }
        for index in replaced_indexes() {
            manager.create_index(index).await?;
        }
        manager.drop_table(Table::drop().table(JobEvents::Table).if_exists().to_owned()).await?;
        for (table, column) in added_columns().into_iter().rev() {
            manager.alter_table(Table::alter().table(table).drop_column(column.get_column_name()).take()).await?;
        }
        manager.execute(rename_status(STATUS_RUNNING, STATUS_PROCESSING)).await?;
        manager.alter_table(rename_queue_column(GenerationQueue::Attempts, GenerationQueue::RetryCount)).await?;
        Ok(())
    }

    /// All of it or nothing, on both backends (SQLite has transactional DDL too).
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}

fn rename_queue_column(from: GenerationQueue, to: GenerationQueue) -> TableAlterStatement {
    Table::alter().table(GenerationQueue::Table).rename_column(from, to).take()
}

/// `UPDATE generation_queue SET status = <to> WHERE status = <from>`.
fn rename_status(from: &str, to: &str) -> UpdateStatement {
    Query::update()
        .table(GenerationQueue::Table)
        .value(GenerationQueue::Status, to)
        .and_where(Expr::col(GenerationQueue::Status).eq(from))
        .take()
}

fn drop_statement(index: &IndexCreateStatement) -> IndexDropStatement {
    let name = index.get_index_spec().get_name().expect("every index of this migration is named");
    Index::drop().name(name).if_exists().to_owned()
}

// ---------------------------------------------------------------------------------------------
// Columns added to existing tables, in order; `down` drops them in reverse.
// ---------------------------------------------------------------------------------------------

/// Added columns are nullable or have a constant default, as `ADD COLUMN` requires on SQLite
/// (and so existing rows get a value on both backends).
fn added_columns() -> Vec<(DynIden, ColumnDef)> {
    let queue = || GenerationQueue::Table.into_iden();
    vec![
        // "text-to-image", "image-to-image", "inpaint", "upscale", "remove-background" or
        // "variation"; unconstrained, like `status`, so a new kind needs no migration.
        (queue(), text(GenerationQueue::Kind).default("text-to-image").take()),
        // Fractional ordering key within a user's queue (lower runs first): moving a job puts it
        // between its new neighbours without renumbering the others.
        (queue(), double(GenerationQueue::Position).default(0.0).take()),
        // A failed attempt's retry is not claimed before this time.
        (queue(), timestamp_opt(GenerationQueue::NextAttemptAt)),
        // The lease of the worker running the job: past it, another worker may take the job over.
        (queue(), timestamp_opt(GenerationQueue::LeaseExpiresAt)),
        (queue(), text_null(GenerationQueue::WorkerId)),
        // The provider's request id and its status/response/cancel URLs, stored before waiting,
        // so a restarted worker polls the same request instead of paying for a second one.
        (queue(), json_binary_null(GenerationQueue::ProviderHandle)),
        // 0..=1.
        (queue(), double(GenerationQueue::Progress).default(0.0).take()),
        // The class of the last error (with `error_message`, the sentence a person can act on).
        (queue(), text_null(GenerationQueue::ErrorType)),
        // Jobs submitted together (several prompts or variations at once).
        (queue(), uuid_null(GenerationQueue::BatchId)),
        // The ids of the images the job produced, in order.
        (queue(), json_array(GenerationQueue::ResultImageIds)),
        // Credits reserved from the balance when the job was accepted...
        (queue(), int_zero(GenerationQueue::CreditsHeld)),
        // ...and the part of them actually charged once it ended (the rest is released).
        (queue(), int_zero(GenerationQueue::CreditsCharged)),
        // No foreign key: see the module documentation.
        (queue(), uuid_null(GenerationQueue::ParentImageId)),
        // Set by the user; the worker running the job cancels it at the provider and stops.
        (queue(), bool_default(GenerationQueue::CancelRequested, false)),
        // The user's whole queue is paused: none of their jobs is claimed.
        (UserSettings::Table.into_iden(), bool_default(UserSettings::QueuePaused, false)),
    ]
}

// ---------------------------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------------------------

/// One row per event of a user's jobs, read by the live stream after a given id.
///
/// `id` is an auto-increment `bigint` (an identity on PostgreSQL, `INTEGER PRIMARY KEY
/// AUTOINCREMENT` on SQLite, which never reuses the id of a deleted newest row), so ids only grow
/// and serve as the SSE event id. `job_id` is not a foreign key: an event outlives its job (the
/// user deletes a finished job, the stream still replays its completion). Old events are pruned
/// by `created_at`.
fn create_job_events(b: DbBackend) -> TableCreateStatement {
    Table::create()
        .table(JobEvents::Table)
        .col(big_pk_auto(JobEvents::Id))
        .col(uuid(JobEvents::UserId))
        .col(uuid_null(JobEvents::JobId))
        // The SSE event name ("progress", "completed", ...).
        .col(text(JobEvents::Kind))
        .col(json_object(JobEvents::Payload))
        .col(timestamp_now(b, JobEvents::CreatedAt))
        .foreign_key(&mut fk(
            "fk_job_events_user_id",
            JobEvents::Table,
            JobEvents::UserId,
            Users::Table,
            Users::Id,
            ForeignKeyAction::Cascade,
        ))
        .take()
}

// ---------------------------------------------------------------------------------------------
// Indexes (both backends)
// ---------------------------------------------------------------------------------------------

/// Created by `up`, dropped by name in reverse order by `down`.
fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        // The worker's claim: due pending jobs (never tried ones have no `next_attempt_at`),
        // highest priority first, then the user's order.
        Index::create()
            .name("idx_generation_queue_claim")
            .table(GenerationQueue::Table)
            .col(GenerationQueue::Status)
            .col(GenerationQueue::NextAttemptAt)
            .col((GenerationQueue::Priority, IndexOrder::Desc))
            .col(GenerationQueue::Position)
            .take(),
        // A user's queue page, in their order (also serves the cascade from `users`).
        Index::create()
            .name("idx_generation_queue_user_status")
            .table(GenerationQueue::Table)
            .col(GenerationQueue::UserId)
            .col(GenerationQueue::Status)
            .col(GenerationQueue::Position)
            .take(),
        Index::create()
            .name("idx_generation_queue_batch")
            .table(GenerationQueue::Table)
            .col(GenerationQueue::BatchId)
            .take(),
        // Running jobs whose worker's lease ran out, to be taken over.
        Index::create()
            .name("idx_generation_queue_lease")
            .table(GenerationQueue::Table)
            .col(GenerationQueue::Status)
            .col(GenerationQueue::LeaseExpiresAt)
            .take(),
        // The stream: a user's events after the last one the browser saw.
        Index::create()
            .name("idx_job_events_user_id_id")
            .table(JobEvents::Table)
            .col(JobEvents::UserId)
            .col(JobEvents::Id)
            .take(),
        // Pruning old events.
        Index::create().name("idx_job_events_created_at").table(JobEvents::Table).col(JobEvents::CreatedAt).take(),
    ]
}

/// Indexes of `m20261121_000001_create_schema` that [`indexes`] supersedes, exactly as that
/// migration created them: `up` drops them, `down` creates them again.
fn replaced_indexes() -> Vec<IndexCreateStatement> {
    vec![
        // Superseded by `idx_generation_queue_user_status` (same leading columns).
        Index::create()
            .name("idx_generation_queue_user_id_status")
            .table(GenerationQueue::Table)
            .col(GenerationQueue::UserId)
            .col(GenerationQueue::Status)
            .take(),
        // The old worker's pick, superseded by `idx_generation_queue_claim`.
        Index::create()
            .name("idx_generation_queue_status_priority_created_at")
            .table(GenerationQueue::Table)
            .col(GenerationQueue::Status)
            .col((GenerationQueue::Priority, IndexOrder::Desc))
            .col(GenerationQueue::CreatedAt)
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
enum UserSettings {
    Table,
    QueuePaused,
}

#[derive(DeriveIden)]
enum GenerationQueue {
    Table,
    UserId,
    Status,
    Priority,
    RetryCount,
    CreatedAt,
    Attempts,
    Kind,
    Position,
    NextAttemptAt,
    LeaseExpiresAt,
    WorkerId,
    ProviderHandle,
    Progress,
    ErrorType,
    BatchId,
    ResultImageIds,
    CreditsHeld,
    CreditsCharged,
    ParentImageId,
    CancelRequested,
}

#[derive(DeriveIden)]
enum JobEvents {
    Table,
    Id,
    UserId,
    JobId,
    Kind,
    Payload,
    CreatedAt,
}
