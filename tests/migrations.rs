//! The schema migration and the SeaORM entities, on SQLite and on a throwaway PostgreSQL.
#![cfg(feature = "ssr")]

mod support;

use atelier::server::db::entity::{
    auth_tokens, collection_images, collections, generation_queue, image_comments, images, job_events, models, presets,
    projects, prompts, recovery_codes, sessions, shared_images, shared_projects, usage_logs, user_settings, users,
};
use atelier::server::db::{connect, connect_and_migrate};
use chrono::{DateTime, Duration, TimeZone, Utc};
use migration::{Migrator, MigratorTrait};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    IntoActiveModel, JoinType, ModelTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, RelationTrait,
    Statement,
};
use serde_json::json;
use tempfile::TempDir;
use uuid::Uuid;

/// Every table of the schema, sorted.
const TABLES: [&str; 18] = [
    "auth_tokens",
    "collection_images",
    "collections",
    "generation_presets",
    "generation_queue",
    "image_comments",
    "images",
    "job_events",
    "models",
    "projects",
    "prompts",
    "recovery_codes",
    "sessions",
    "shared_images",
    "shared_projects",
    "usage_logs",
    "user_settings",
    "users",
];

/// The named indexes both backends get.
const INDEXES: [&str; 22] = [
    "idx_auth_tokens_token_hash",
    "idx_auth_tokens_user_id_purpose",
    "idx_collection_images_collection_id_image_id",
    "idx_collection_images_image_id",
    "idx_collections_user_id",
    "idx_generation_presets_user_id_name",
    "idx_generation_queue_batch",
    "idx_generation_queue_claim_order",
    "idx_generation_queue_user_status",
    "idx_image_comments_image_id_created_at",
    "idx_images_is_favorite_created_at",
    "idx_images_project_id",
    "idx_images_user_id_created_at",
    "idx_job_events_created_at",
    "idx_job_events_user_id_id",
    "idx_projects_user_id",
    "idx_prompts_user_id_is_favorite",
    "idx_recovery_codes_user_id_code_hash",
    "idx_sessions_user_id",
    "idx_shared_images_share_token",
    "idx_shared_projects_share_token",
    "idx_usage_logs_user_id_created_at",
];

/// What a migration changes in the schema the older ones left.
struct Changes {
    name: &'static str,
    tables: &'static [&'static str],
    indexes: &'static [&'static str],
    /// Older indexes it drops (its `down` creates them again).
    replaced_indexes: &'static [&'static str],
    /// `(table, old name, new name)` of the older columns it renames.
    renamed_columns: &'static [(&'static str, &'static str, &'static str)],
    /// `(table, columns)`: the columns it adds to older tables, in order.
    added_columns: &'static [(&'static str, &'static [&'static str])],
    /// `(table, column, value, older value)`: a value it renames in existing rows (its `down`
    /// turns it back into the older one).
    renamed_values: &'static [(&'static str, &'static str, &'static str, &'static str)],
}

const INITIAL: Changes = Changes {
    name: "m20261121_000001_create_schema",
    tables: &[],
    indexes: &[],
    replaced_indexes: &[],
    renamed_columns: &[],
    added_columns: &[],
    renamed_values: &[],
};

const ACCOUNTS: Changes = Changes {
    name: "m20261122_000002_accounts",
    tables: &["auth_tokens", "recovery_codes"],
    indexes: &["idx_auth_tokens_token_hash", "idx_auth_tokens_user_id_purpose", "idx_recovery_codes_user_id_code_hash"],
    replaced_indexes: &[],
    renamed_columns: &[],
    added_columns: &[
        ("users", &["totp_secret", "totp_enabled_at", "totp_last_step"]),
        ("user_settings", &["timezone", "language"]),
    ],
    renamed_values: &[],
};

const ENGINE: Changes = Changes {
    name: "m20261123_000003_generation_engine",
    tables: &["job_events"],
    indexes: &[
        "idx_generation_queue_claim",
        "idx_generation_queue_user_status",
        "idx_generation_queue_batch",
        "idx_generation_queue_lease",
        "idx_job_events_user_id_id",
        "idx_job_events_created_at",
    ],
    replaced_indexes: &["idx_generation_queue_user_id_status", "idx_generation_queue_status_priority_created_at"],
    renamed_columns: &[("generation_queue", "retry_count", "attempts")],
    added_columns: &[
        (
            "generation_queue",
            &[
                "kind",
                "position",
                "next_attempt_at",
                "lease_expires_at",
                "worker_id",
                "provider_handle",
                "progress",
                "error_type",
                "batch_id",
                "result_image_ids",
                "credits_held",
                "credits_charged",
                "parent_image_id",
                "cancel_requested",
            ],
        ),
        ("user_settings", &["queue_paused"]),
    ],
    renamed_values: &[("generation_queue", "status", "running", "processing")],
};

const PRESETS: Changes = Changes {
    name: "m20261124_000004_presets",
    tables: &["generation_presets"],
    indexes: &["idx_generation_presets_user_id_name"],
    replaced_indexes: &[],
    renamed_columns: &[],
    added_columns: &[],
    renamed_values: &[],
};

const CLAIM_ORDER: Changes = Changes {
    name: "m20261125_000005_claim_order",
    tables: &[],
    indexes: &["idx_generation_queue_claim_order"],
    replaced_indexes: &["idx_generation_queue_claim", "idx_generation_queue_lease"],
    renamed_columns: &[],
    added_columns: &[],
    renamed_values: &[],
};

/// Every migration, oldest first.
const MIGRATIONS: [&Changes; 5] = [&INITIAL, &ACCOUNTS, &ENGINE, &PRESETS, &CLAIM_ORDER];

const GIN_INDEX: &str = "idx_images_tags_gin";

/// A recovery code hash every fixture account shares: codes are unique per user only.
const RECOVERY_CODE_HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

// ---------------------------------------------------------------------------------------------
// Migrations
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn migrations_run_up_down_up_on_sqlite() {
    let (url, _dir) = sqlite_url();
    check_up_down_up(&url).await;
}

#[tokio::test]
async fn migrations_run_up_down_up_on_postgres() {
    check_up_down_up(&support::postgres::fresh_database().await).await;
}

#[tokio::test]
async fn migrate_status_lists_every_migration() {
    let (url, _dir) = sqlite_url();
    let db = connect(&url).await.unwrap();

    let names: Vec<String> = Migrator::migrations().iter().map(|migration| migration.name().to_owned()).collect();
    let expected: Vec<&str> = MIGRATIONS.iter().map(|migration| migration.name).collect();
    assert_eq!(names, expected);

    assert_eq!(statuses(&db).await, expected_statuses(0));
    Migrator::up(&db, Some(1)).await.unwrap();
    assert_eq!(statuses(&db).await, expected_statuses(1));
    Migrator::up(&db, None).await.unwrap();
    assert_eq!(statuses(&db).await, expected_statuses(MIGRATIONS.len()));
    assert!(Migrator::get_pending_migrations(&db).await.unwrap().is_empty());
    Migrator::down(&db, Some(1)).await.unwrap();
    assert_eq!(statuses(&db).await, expected_statuses(MIGRATIONS.len() - 1));
    Migrator::down(&db, None).await.unwrap();
    assert_eq!(statuses(&db).await, expected_statuses(0));
}

#[tokio::test]
async fn migrating_down_one_step_restores_only_the_old_claim_index_on_sqlite() {
    let (url, _dir) = sqlite_url();
    check_down_steps(&url, 1).await;
}

#[tokio::test]
async fn migrating_down_one_step_restores_only_the_old_claim_index_on_postgres() {
    check_down_steps(&support::postgres::fresh_database().await, 1).await;
}

#[tokio::test]
async fn migrating_down_two_steps_removes_the_presets_too_on_sqlite() {
    let (url, _dir) = sqlite_url();
    check_down_steps(&url, 2).await;
}

#[tokio::test]
async fn migrating_down_two_steps_removes_the_presets_too_on_postgres() {
    check_down_steps(&support::postgres::fresh_database().await, 2).await;
}

#[tokio::test]
async fn migrating_down_three_steps_removes_the_generation_engine_changes_too_on_sqlite() {
    let (url, _dir) = sqlite_url();
    check_down_steps(&url, 3).await;
}

#[tokio::test]
async fn migrating_down_three_steps_removes_the_generation_engine_changes_too_on_postgres() {
    check_down_steps(&support::postgres::fresh_database().await, 3).await;
}

#[tokio::test]
async fn migrating_down_four_steps_removes_the_accounts_changes_too_on_sqlite() {
    let (url, _dir) = sqlite_url();
    check_down_steps(&url, 4).await;
}

#[tokio::test]
async fn migrating_down_four_steps_removes_the_accounts_changes_too_on_postgres() {
    check_down_steps(&support::postgres::fresh_database().await, 4).await;
}

#[tokio::test]
async fn processing_jobs_become_running_and_turn_back_when_migrating_down_on_sqlite() {
    let (url, _dir) = sqlite_url();
    check_status_rename(&url).await;
}

#[tokio::test]
async fn processing_jobs_become_running_and_turn_back_when_migrating_down_on_postgres() {
    check_status_rename(&support::postgres::fresh_database().await).await;
}

#[tokio::test]
async fn connect_and_migrate_is_idempotent() {
    let (url, _dir) = sqlite_url();
    let db = connect_and_migrate(&url).await.unwrap();
    drop(db);
    let db = connect_and_migrate(&url).await.unwrap();
    assert_eq!(tables(&db).await, TABLES);
    assert_eq!(statuses(&db).await, expected_statuses(MIGRATIONS.len()));
}

#[tokio::test]
async fn postgres_schema_has_gin_index_on_image_tags() {
    let db = postgres().await;
    let definition = query_strings(
        &db,
        &format!(
            "SELECT indexdef::text AS value FROM pg_indexes \
             WHERE schemaname = 'public' AND tablename = 'images' AND indexname = '{GIN_INDEX}'"
        ),
    )
    .await;
    assert_eq!(definition.len(), 1, "no {GIN_INDEX} on images: {definition:?}");
    assert!(definition[0].contains("USING gin (tags)"), "unexpected definition: {}", definition[0]);

    // `tags` is jsonb, so containment queries (which the GIN index serves) work.
    let fixture = seed_account(&db, "gin").await;
    let hits = query_strings(&db, r#"SELECT id::text AS value FROM images WHERE tags @> '["neon"]'::jsonb"#).await;
    assert_eq!(hits, [fixture.image.id.to_string()]);
    let misses = query_strings(&db, r#"SELECT id::text AS value FROM images WHERE tags @> '["absent"]'::jsonb"#).await;
    assert!(misses.is_empty());
}

#[tokio::test]
async fn sqlite_schema_has_no_gin_index_but_every_other_index() {
    let (url, _dir) = sqlite_url();
    let db = connect_and_migrate(&url).await.unwrap();
    let indexes = index_names(&db).await;
    assert_eq!(named(&indexes), INDEXES);
    assert!(!indexes.iter().any(|name| name == GIN_INDEX));
    let definitions =
        query_strings(&db, "SELECT sql AS value FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").await;
    assert!(definitions.iter().all(|sql| !sql.to_uppercase().contains("GIN")), "{definitions:?}");
}

#[tokio::test]
async fn postgres_columns_use_native_types() {
    let db = postgres().await;
    let column_type = |table: &'static str, column: &'static str| {
        let db = &db;
        async move {
            query_strings(
                db,
                &format!(
                    "SELECT data_type::text AS value FROM information_schema.columns \
                     WHERE table_schema = 'public' AND table_name = '{table}' \
                     AND column_name = '{column}'"
                ),
            )
            .await
            .pop()
            .unwrap_or_else(|| panic!("no column {table}.{column}"))
        }
    };
    assert_eq!(column_type("users", "id").await, "uuid");
    assert_eq!(column_type("users", "email").await, "text");
    assert_eq!(column_type("users", "preferences").await, "jsonb");
    assert_eq!(column_type("users", "created_at").await, "timestamp with time zone");
    assert_eq!(column_type("images", "tags").await, "jsonb");
    assert_eq!(column_type("images", "file_size").await, "bigint");
    assert_eq!(column_type("images", "rating").await, "smallint");
    assert_eq!(column_type("images", "generation_time").await, "double precision");
    assert_eq!(column_type("images", "deleted_at").await, "timestamp with time zone");
    assert_eq!(column_type("sessions", "last_seen_at").await, "timestamp with time zone");
    assert_eq!(column_type("collection_images", "position").await, "text");
    // m20261122_000002_accounts
    assert_eq!(column_type("users", "totp_secret").await, "text");
    assert_eq!(column_type("users", "totp_enabled_at").await, "timestamp with time zone");
    assert_eq!(column_type("users", "totp_last_step").await, "bigint");
    assert_eq!(column_type("user_settings", "timezone").await, "text");
    assert_eq!(column_type("user_settings", "language").await, "text");
    assert_eq!(column_type("auth_tokens", "id").await, "uuid");
    assert_eq!(column_type("auth_tokens", "user_id").await, "uuid");
    assert_eq!(column_type("auth_tokens", "token_hash").await, "text");
    assert_eq!(column_type("auth_tokens", "expires_at").await, "timestamp with time zone");
    assert_eq!(column_type("auth_tokens", "used_at").await, "timestamp with time zone");
    assert_eq!(column_type("auth_tokens", "created_at").await, "timestamp with time zone");
    assert_eq!(column_type("recovery_codes", "id").await, "uuid");
    assert_eq!(column_type("recovery_codes", "used_at").await, "timestamp with time zone");
    assert_eq!(column_type("recovery_codes", "created_at").await, "timestamp with time zone");
    // m20261123_000003_generation_engine
    for (column, expected) in [
        ("attempts", "integer"),
        ("kind", "text"),
        ("position", "double precision"),
        ("next_attempt_at", "timestamp with time zone"),
        ("lease_expires_at", "timestamp with time zone"),
        ("worker_id", "text"),
        ("provider_handle", "jsonb"),
        ("progress", "double precision"),
        ("error_type", "text"),
        ("batch_id", "uuid"),
        ("result_image_ids", "jsonb"),
        ("credits_held", "integer"),
        ("credits_charged", "integer"),
        ("parent_image_id", "uuid"),
        ("cancel_requested", "boolean"),
    ] {
        assert_eq!(column_type("generation_queue", column).await, expected, "generation_queue.{column}");
    }
    assert_eq!(column_type("user_settings", "queue_paused").await, "boolean");
    assert_eq!(column_type("job_events", "id").await, "bigint");
    assert_eq!(column_type("job_events", "user_id").await, "uuid");
    assert_eq!(column_type("job_events", "job_id").await, "uuid");
    assert_eq!(column_type("job_events", "kind").await, "text");
    assert_eq!(column_type("job_events", "payload").await, "jsonb");
    assert_eq!(column_type("job_events", "created_at").await, "timestamp with time zone");
    // m20261124_000004_presets
    let presets = query_strings(
        &db,
        "SELECT column_name::text || ' ' || data_type::text || ' ' || is_nullable::text AS value \
         FROM information_schema.columns WHERE table_name = 'generation_presets' ORDER BY ordinal_position",
    )
    .await;
    assert_eq!(
        presets,
        [
            "id uuid NO",
            "user_id uuid NO",
            "name text NO",
            "model_id text NO",
            "prompt text NO",
            "negative_prompt text YES",
            "parameters jsonb NO",
            "created_at timestamp with time zone NO",
            "updated_at timestamp with time zone NO",
        ]
    );
}

#[tokio::test]
async fn sqlite_connections_enforce_foreign_keys() {
    let (url, _dir) = sqlite_url();
    let db = connect_and_migrate(&url).await.unwrap();
    let row =
        db.query_one_raw(Statement::from_string(DbBackend::Sqlite, "PRAGMA foreign_keys")).await.unwrap().unwrap();
    assert_eq!(row.try_get_by_index::<i32>(0).unwrap(), 1);

    // And the cycle's back edge is a real foreign key on SQLite too.
    let references = query_strings(
        &db,
        "SELECT \"table\" || '.' || \"to\" || ' ' || on_delete AS value \
         FROM pragma_foreign_key_list('projects') WHERE \"from\" = 'cover_image_id'",
    )
    .await;
    assert_eq!(references, ["images.id SET NULL"]);

    // The accounts tables, the job events and the presets cascade from their user.
    for table in ACCOUNTS.tables.iter().chain(ENGINE.tables).chain(PRESETS.tables) {
        let references = query_strings(
            &db,
            &format!(
                "SELECT \"table\" || '.' || \"to\" || ' ' || on_delete AS value \
                 FROM pragma_foreign_key_list('{table}') WHERE \"from\" = 'user_id'"
            ),
        )
        .await;
        assert_eq!(references, ["users.id CASCADE"], "{table}");
    }
    // An event outlives its job, and the engine's source image is no foreign key (SQLite cannot
    // add one to an existing table).
    let references = |table: &'static str| {
        let db = &db;
        async move {
            query_strings(
                db,
                &format!("SELECT \"from\" AS value FROM pragma_foreign_key_list('{table}') ORDER BY \"from\""),
            )
            .await
        }
    };
    assert_eq!(references("job_events").await, ["user_id"]);
    assert_eq!(references("generation_queue").await, ["project_id", "user_id"]);
}

#[tokio::test]
async fn generation_engine_indexes_have_the_columns_their_queries_need_on_sqlite() {
    let (url, _dir) = sqlite_url();
    check_engine_indexes(&connect_and_migrate(&url).await.unwrap()).await;
}

#[tokio::test]
async fn generation_engine_indexes_have_the_columns_their_queries_need_on_postgres() {
    check_engine_indexes(&postgres().await).await;
}

// ---------------------------------------------------------------------------------------------
// Entities against the schema
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn schema_round_trips_a_row_through_every_entity_on_sqlite() {
    let (url, _dir) = sqlite_url();
    let db = connect_and_migrate(&url).await.unwrap();
    check_round_trip(&db).await;
}

#[tokio::test]
async fn schema_round_trips_a_row_through_every_entity_on_postgres() {
    check_round_trip(&postgres().await).await;
}

#[tokio::test]
async fn deleting_a_user_cascades_to_owned_rows_on_sqlite() {
    let (url, _dir) = sqlite_url();
    let db = connect_and_migrate(&url).await.unwrap();
    check_user_cascade(&db).await;
}

#[tokio::test]
async fn deleting_a_user_cascades_to_owned_rows_on_postgres() {
    check_user_cascade(&postgres().await).await;
}

#[tokio::test]
async fn deleting_an_image_or_project_nulls_optional_references_on_sqlite() {
    let (url, _dir) = sqlite_url();
    let db = connect_and_migrate(&url).await.unwrap();
    check_set_null(&db).await;
}

#[tokio::test]
async fn deleting_an_image_or_project_nulls_optional_references_on_postgres() {
    check_set_null(&postgres().await).await;
}

#[tokio::test]
async fn accounts_tables_round_trip_and_enforce_their_constraints_on_sqlite() {
    let (url, _dir) = sqlite_url();
    let db = connect_and_migrate(&url).await.unwrap();
    check_accounts(&db).await;
}

#[tokio::test]
async fn accounts_tables_round_trip_and_enforce_their_constraints_on_postgres() {
    check_accounts(&postgres().await).await;
}

#[tokio::test]
async fn job_event_ids_only_grow_and_events_go_with_their_user_on_sqlite() {
    let (url, _dir) = sqlite_url();
    let db = connect_and_migrate(&url).await.unwrap();
    check_job_events(&db).await;
}

#[tokio::test]
async fn job_event_ids_only_grow_and_events_go_with_their_user_on_postgres() {
    check_job_events(&postgres().await).await;
}

#[tokio::test]
async fn omitted_columns_take_their_defaults_on_sqlite() {
    let (url, _dir) = sqlite_url();
    let db = connect_and_migrate(&url).await.unwrap();
    check_defaults(&db).await;

    // SQLite keeps timestamps as text: the default must be written like the application's
    // RFC 3339 values, so that ordering by time also holds across both kinds of rows.
    for table in ["users", "auth_tokens", "recovery_codes", "job_events"] {
        let stored = query_strings(&db, &format!("SELECT created_at AS value FROM {table}")).await;
        assert_eq!(stored.len(), 1, "{table}");
        assert!(
            DateTime::parse_from_rfc3339(&stored[0]).is_ok() && stored[0].ends_with("+00:00"),
            "default timestamp of {table} is not RFC 3339 UTC: {}",
            stored[0]
        );
    }
}

#[tokio::test]
async fn omitted_columns_take_their_defaults_on_postgres() {
    check_defaults(&postgres().await).await;
}

#[tokio::test]
async fn constraints_reject_duplicates_and_out_of_range_values_on_sqlite() {
    let (url, _dir) = sqlite_url();
    let db = connect_and_migrate(&url).await.unwrap();
    check_constraints(&db).await;
}

#[tokio::test]
async fn constraints_reject_duplicates_and_out_of_range_values_on_postgres() {
    check_constraints(&postgres().await).await;
}

// ---------------------------------------------------------------------------------------------
// Scenarios shared by both backends
// ---------------------------------------------------------------------------------------------

async fn check_up_down_up(url: &str) {
    let db = connect(url).await.unwrap();
    let postgres = db.get_database_backend() == DbBackend::Postgres;

    Migrator::up(&db, None).await.unwrap();
    let db = reopen(db, url).await;
    assert_eq!(tables(&db).await, TABLES);
    let first_indexes = index_names(&db).await;
    assert_eq!(named(&first_indexes), expected_indexes(&db));
    if postgres {
        assert_eq!(cover_image_constraints(&db).await, 1);
    }
    // Rolling back must also work with rows in every table (and the projects <-> images cycle).
    seed_account(&db, "before").await;

    Migrator::down(&db, None).await.unwrap();
    let db = reopen(db, url).await;
    assert!(tables(&db).await.is_empty(), "left: {:?}", tables(&db).await);
    assert!(index_names(&db).await.is_empty());
    if postgres {
        assert_eq!(cover_image_constraints(&db).await, 0);
    }
    assert_eq!(Migrator::get_pending_migrations(&db).await.unwrap().len(), Migrator::migrations().len());

    Migrator::up(&db, None).await.unwrap();
    let db = reopen(db, url).await;
    assert_eq!(tables(&db).await, TABLES);
    assert_eq!(index_names(&db).await, first_indexes);
    // The schema is usable after the round trip.
    let fixture = seed_account(&db, "again").await;
    assert_eq!(users::Entity::find_by_id(fixture.user.id).one(&db).await.unwrap().as_ref(), Some(&fixture.user));
}

/// `down(Some(steps))` undoes the newest `steps` migrations alone: the schema is exactly the one
/// the older migrations leave, with every row of it intact (values an undone migration renamed
/// get their older names back), and the undone migrations apply again on top.
async fn check_down_steps(url: &str, steps: usize) {
    let db = connect(url).await.unwrap();
    let kept = MIGRATIONS.len() - steps;
    let undone = &MIGRATIONS[kept..];
    let undoes = |migration: &Changes| undone.iter().any(|undone| undone.name == migration.name);

    // The schema the older migrations leave.
    Migrator::up(&db, Some(kept as u32)).await.unwrap();
    let db = reopen(db, url).await;
    assert_eq!(statuses(&db).await, expected_statuses(kept));
    let older_tables = tables(&db).await;
    let expected: Vec<&str> =
        TABLES.into_iter().filter(|table| !undone.iter().any(|migration| migration.tables.contains(table))).collect();
    assert_eq!(older_tables, expected);
    let older_indexes = index_names(&db).await;
    for migration in undone {
        assert!(!older_indexes.iter().any(|name| migration.indexes.contains(&name.as_str())), "{older_indexes:?}");
        // An index both created and replaced by undone migrations is gone from the older schema.
        let created_by_undone = |index: &&str| undone.iter().any(|migration| migration.indexes.contains(index));
        for replaced in migration.replaced_indexes.iter().filter(|index| !created_by_undone(index)) {
            assert!(older_indexes.iter().any(|name| name == replaced), "no {replaced} in {older_indexes:?}");
        }
    }
    let mut older_columns = Vec::new();
    for table in &older_tables {
        older_columns.push(columns(&db, table).await);
    }

    // Every migration: renamed columns keep their place, added ones come after the older ones.
    Migrator::up(&db, None).await.unwrap();
    let db = reopen(db, url).await;
    assert_eq!(tables(&db).await, TABLES);
    let full_indexes = index_names(&db).await;
    assert_eq!(named(&full_indexes), expected_indexes(&db));
    for (table, table_columns) in older_tables.iter().zip(&older_columns) {
        assert_eq!(columns(&db, table).await, columns_after(undone, table, table_columns), "columns of {table}");
    }

    // Rows everywhere, new tables and columns included; then a snapshot of the older schema's
    // data (its own columns only), as the undone migrations will leave it.
    let account = seed_account(&db, "steps").await;
    let mut snapshot = Vec::new();
    for (table, table_columns) in older_tables.iter().zip(&older_columns) {
        let values: Vec<String> = table_columns.iter().map(|column| value_after_down(undone, table, column)).collect();
        let rows = dump(&db, table, &values).await;
        assert!(!rows.is_empty(), "the fixture left {table} empty");
        snapshot.push(rows);
    }

    Migrator::down(&db, Some(steps as u32)).await.unwrap();
    let db = reopen(db, url).await;
    assert_eq!(statuses(&db).await, expected_statuses(kept));
    assert_eq!(tables(&db).await, older_tables);
    assert_eq!(index_names(&db).await, older_indexes);
    for ((table, table_columns), rows) in older_tables.iter().zip(&older_columns).zip(&snapshot) {
        assert_eq!(&columns(&db, table).await, table_columns, "columns of {table}");
        let values: Vec<String> = table_columns.iter().map(|column| quoted(column)).collect();
        assert_eq!(&dump(&db, table, &values).await, rows, "rows of {table}");
    }

    // And up again: existing rows get the added columns' defaults, the new tables start empty.
    Migrator::up(&db, None).await.unwrap();
    let db = reopen(db, url).await;
    assert_eq!(statuses(&db).await, expected_statuses(MIGRATIONS.len()));
    assert_eq!(tables(&db).await, TABLES);
    assert_eq!(index_names(&db).await, full_indexes);
    let (mut user, mut settings, mut job) = (account.user.clone(), account.settings.clone(), account.job.clone());
    if undoes(&ACCOUNTS) {
        user = users::Model { totp_secret: None, totp_enabled_at: None, totp_last_step: None, ..user };
        settings = user_settings::Model { timezone: "UTC".into(), language: "en".into(), ..settings };
    }
    if undoes(&ENGINE) {
        settings = user_settings::Model { queue_paused: false, ..settings };
        job = as_queued_before_the_engine(job);
    }
    assert_eq!(find(&db, users::Entity::find_by_id(user.id)).await, user);
    assert_eq!(find(&db, user_settings::Entity::find_by_id(settings.id)).await, settings);
    assert_eq!(find(&db, generation_queue::Entity::find_by_id(job.id)).await, job);
    for table in undone.iter().flat_map(|migration| migration.tables) {
        assert_eq!(query_strings(&db, &format!("SELECT CAST(COUNT(*) AS TEXT) AS value FROM {table}")).await, ["0"]);
    }
    if undoes(&ACCOUNTS) {
        insert(&db, account.auth_token).await;
        insert(&db, account.recovery_code).await;
    }
    if undoes(&ENGINE) {
        insert(&db, account.event).await;
    }
    if undoes(&PRESETS) {
        insert(&db, account.preset).await;
    }
}

/// `job` as the generation engine's migration leaves a job queued before it: every engine column
/// at its default.
fn as_queued_before_the_engine(job: generation_queue::Model) -> generation_queue::Model {
    generation_queue::Model {
        kind: generation_queue::KIND_TEXT_TO_IMAGE.into(),
        position: 0.0,
        next_attempt_at: None,
        lease_expires_at: None,
        worker_id: None,
        provider_handle: None,
        progress: 0.0,
        error_type: None,
        batch_id: None,
        result_image_ids: json!([]),
        credits_held: 0,
        credits_charged: 0,
        parent_image_id: None,
        cancel_requested: false,
        ..job
    }
}

/// `m20261123_000003_generation_engine` renames the status `processing` to `running` (and
/// `retry_count` to `attempts`, values kept); its `down` renames both back and leaves the
/// statuses it introduced alone.
async fn check_status_rename(url: &str) {
    let db = connect(url).await.unwrap();
    Migrator::up(&db, Some(2)).await.unwrap();
    let db = reopen(db, url).await;
    let user = insert(&db, user_row("legacy")).await;
    // Jobs as the older schema stores them (the entity already has the engine's columns).
    for (retry_count, status) in (0..).zip(["processing", "pending", "completed", "failed", "pending"]) {
        let job = Query::insert()
            .into_table("generation_queue")
            .columns(["id", "user_id", "prompt", "model_id", "status", "retry_count"])
            .values_panic([
                Uuid::now_v7().into(),
                user.id.into(),
                "a fox".into(),
                "fal-ai/flux/dev".into(),
                status.into(),
                retry_count.into(),
            ])
            .to_owned();
        db.execute(&job).await.unwrap();
    }

    Migrator::up(&db, None).await.unwrap();
    let db = reopen(db, url).await;
    let jobs = generation_queue::Entity::find().order_by_asc(generation_queue::Column::Id).all(&db).await.unwrap();
    let states: Vec<(&str, i32)> = jobs.iter().map(|job| (job.status.as_str(), job.attempts)).collect();
    assert_eq!(
        states,
        [
            (generation_queue::STATUS_RUNNING, 0),
            (generation_queue::STATUS_PENDING, 1),
            (generation_queue::STATUS_COMPLETED, 2),
            (generation_queue::STATUS_FAILED, 3),
            (generation_queue::STATUS_PENDING, 4),
        ]
    );

    for (job, status) in [(&jobs[1], generation_queue::STATUS_PAUSED), (&jobs[4], generation_queue::STATUS_CANCELLED)] {
        generation_queue::ActiveModel { status: Set(status.into()), ..job.clone().into_active_model() }
            .update(&db)
            .await
            .unwrap();
    }
    // Back to the schema before the engine: its migration and the newer ones undone.
    Migrator::down(&db, Some((MIGRATIONS.len() - 2) as u32)).await.unwrap();
    let db = reopen(db, url).await;
    let rows = query_strings(
        &db,
        "SELECT status || ':' || CAST(retry_count AS TEXT) AS value FROM generation_queue ORDER BY id",
    )
    .await;
    assert_eq!(rows, ["processing:0", "paused:1", "completed:2", "failed:3", "cancelled:4"]);
}

async fn check_round_trip(db: &DatabaseConnection) {
    let fixture = seed_account(db, "round").await;

    // Whole rows come back exactly as written.
    assert_eq!(find(db, users::Entity::find_by_id(fixture.user.id)).await, fixture.user);
    assert_eq!(find(db, user_settings::Entity::find_by_id(fixture.settings.id)).await, fixture.settings);
    assert_eq!(find(db, sessions::Entity::find_by_id(fixture.session.id)).await, fixture.session);
    assert_eq!(find(db, models::Entity::find_by_id(fixture.model.id)).await, fixture.model);
    assert_eq!(find(db, projects::Entity::find_by_id(fixture.project.id)).await, fixture.project);
    assert_eq!(find(db, images::Entity::find_by_id(fixture.image.id)).await, fixture.image);
    assert_eq!(find(db, collections::Entity::find_by_id(fixture.collection.id)).await, fixture.collection);
    assert_eq!(
        find(db, collection_images::Entity::find_by_id(fixture.collection_image.id)).await,
        fixture.collection_image
    );
    assert_eq!(find(db, prompts::Entity::find_by_id(fixture.prompt.id)).await, fixture.prompt);
    assert_eq!(find(db, generation_queue::Entity::find_by_id(fixture.job.id)).await, fixture.job);
    assert_eq!(find(db, usage_logs::Entity::find_by_id(fixture.usage.id)).await, fixture.usage);
    assert_eq!(find(db, shared_projects::Entity::find_by_id(fixture.shared_project.id)).await, fixture.shared_project);
    assert_eq!(find(db, shared_images::Entity::find_by_id(fixture.shared_image.id)).await, fixture.shared_image);
    assert_eq!(find(db, image_comments::Entity::find_by_id(fixture.comment.id)).await, fixture.comment);
    assert_eq!(find(db, auth_tokens::Entity::find_by_id(fixture.auth_token.id)).await, fixture.auth_token);
    assert_eq!(find(db, recovery_codes::Entity::find_by_id(fixture.recovery_code.id)).await, fixture.recovery_code);
    assert_eq!(find(db, job_events::Entity::find_by_id(fixture.event.id)).await, fixture.event);
    assert_eq!(find(db, presets::Entity::find_by_id(fixture.preset.id)).await, fixture.preset);

    // Spot checks of decoded values, independent of the fixture's own construction.
    let image = find(db, images::Entity::find_by_id(fixture.image.id)).await;
    assert_eq!(image.tags, json!(["cat", "neon"]));
    assert_eq!(image.parameters["steps"], json!(28));
    assert_eq!(image.parameters["guidance_scale"], json!(3.5));
    assert_eq!(image.file_size, 5_000_000_000);
    assert_eq!(image.rating, Some(4));
    assert_eq!(image.generation_time, Some(12.25));
    assert_eq!(image.created_at, at(1));
    assert_eq!(image.deleted_at, None);
    let user = find(db, users::Entity::find_by_id(fixture.user.id)).await;
    assert_eq!(user.preferences["theme"], json!("dark"));
    assert_eq!(user.role, users::ROLE_ADMIN);
    assert_eq!(user.totp_secret.as_deref(), Some("JBSWY3DPEHPK3PXP"));
    assert_eq!(user.totp_enabled_at, Some(at(25)));
    assert_eq!(user.totp_last_step, Some(i64::from(i32::MAX) + 1));
    let settings = find(db, user_settings::Entity::find_by_id(fixture.settings.id)).await;
    assert_eq!((settings.timezone.as_str(), settings.language.as_str()), ("Europe/Paris", "fr-CA"));
    let token = find(db, auth_tokens::Entity::find_by_id(fixture.auth_token.id)).await;
    assert_eq!(token.purpose, auth_tokens::PURPOSE_CHANGE_EMAIL);
    assert_eq!(token.new_email.as_deref(), Some("round.new@example.com"));
    assert_eq!((token.expires_at, token.used_at, token.created_at), (at(3_600), Some(at(60)), at(17)));
    assert!(settings.queue_paused);
    let job = find(db, generation_queue::Entity::find_by_id(fixture.job.id)).await;
    assert_eq!((job.status.as_str(), job.kind.as_str()), (generation_queue::STATUS_RUNNING, "image-to-image"));
    assert_eq!((job.position, job.progress), (1.0 / 3.0, 0.25));
    assert_eq!((job.attempts, job.credits_held, job.credits_charged), (2, 6, 3));
    assert_eq!((job.next_attempt_at, job.lease_expires_at), (Some(at(40)), Some(at(70))));
    assert_eq!(job.worker_id.as_deref(), Some("worker-round"));
    assert_eq!(job.provider_handle.as_ref().map(|handle| &handle["request_id"]), Some(&json!("req-123")));
    assert_eq!((job.error_type.as_deref(), job.cancel_requested), (Some("timeout"), true));
    assert_eq!(job.result_image_ids, json!([fixture.image.id.to_string()]));
    assert_eq!((job.parent_image_id, job.batch_id.is_some()), (Some(fixture.image.id), true));
    let event = find(db, job_events::Entity::find_by_id(fixture.event.id)).await;
    assert_eq!((event.job_id, event.kind.as_str()), (Some(job.id), "progress"));
    assert_eq!((event.payload["progress"].clone(), event.created_at), (json!(0.25), at(19)));

    // Relations resolve through the declared foreign keys.
    let user_images = user.find_related(images::Entity).all(db).await.unwrap();
    assert_eq!(user_images, std::slice::from_ref(&fixture.image));
    let project_images = fixture.project.find_related(images::Entity).all(db).await.unwrap();
    assert_eq!(project_images, std::slice::from_ref(&fixture.image));
    let in_collection = fixture.collection.find_related(images::Entity).all(db).await.unwrap();
    assert_eq!(in_collection, std::slice::from_ref(&fixture.image));
    let settings = user.find_related(user_settings::Entity).one(db).await.unwrap();
    assert_eq!(settings, Some(fixture.settings.clone()));
    assert_eq!(cover_of(db, &fixture.project).await, Some(fixture.image.clone()));
    let tokens = user.find_related(auth_tokens::Entity).all(db).await.unwrap();
    assert_eq!(tokens, std::slice::from_ref(&fixture.auth_token));
    let codes = user.find_related(recovery_codes::Entity).all(db).await.unwrap();
    assert_eq!(codes, std::slice::from_ref(&fixture.recovery_code));
    assert_eq!(fixture.auth_token.find_related(users::Entity).one(db).await.unwrap(), Some(user.clone()));
    assert_eq!(fixture.recovery_code.find_related(users::Entity).one(db).await.unwrap(), Some(user.clone()));
    assert_eq!(fixture.event.find_related(users::Entity).one(db).await.unwrap(), Some(user.clone()));
}

async fn check_user_cascade(db: &DatabaseConnection) {
    let alice = seed_account(db, "alice").await;
    let bob = seed_account(db, "bob").await;
    // Cross-account rows: Bob comments on Alice's image, Alice on Bob's.
    let bob_on_alice = comment(db, alice.image.id, bob.user.id).await;
    let alice_on_bob = comment(db, bob.image.id, alice.user.id).await;

    let deleted = users::Entity::delete_by_id(alice.user.id).exec(db).await.unwrap();
    assert_eq!(deleted.rows_affected, 1);

    // Every row Alice owned, or that hung off her rows, is gone...
    assert_eq!(users::Entity::find().all(db).await.unwrap(), std::slice::from_ref(&bob.user));
    assert_eq!(user_settings::Entity::find().all(db).await.unwrap(), std::slice::from_ref(&bob.settings));
    assert_eq!(sessions::Entity::find().all(db).await.unwrap(), std::slice::from_ref(&bob.session));
    assert_eq!(projects::Entity::find().all(db).await.unwrap(), std::slice::from_ref(&bob.project));
    assert_eq!(images::Entity::find().all(db).await.unwrap(), std::slice::from_ref(&bob.image));
    assert_eq!(collections::Entity::find().all(db).await.unwrap(), std::slice::from_ref(&bob.collection));
    assert_eq!(collection_images::Entity::find().all(db).await.unwrap(), std::slice::from_ref(&bob.collection_image));
    assert_eq!(prompts::Entity::find().all(db).await.unwrap(), std::slice::from_ref(&bob.prompt));
    assert_eq!(generation_queue::Entity::find().all(db).await.unwrap(), std::slice::from_ref(&bob.job));
    assert_eq!(usage_logs::Entity::find().all(db).await.unwrap(), std::slice::from_ref(&bob.usage));
    assert_eq!(shared_projects::Entity::find().all(db).await.unwrap(), std::slice::from_ref(&bob.shared_project));
    assert_eq!(shared_images::Entity::find().all(db).await.unwrap(), std::slice::from_ref(&bob.shared_image));
    assert_eq!(auth_tokens::Entity::find().all(db).await.unwrap(), std::slice::from_ref(&bob.auth_token));
    // (Both accounts had a recovery code with the same hash: only Alice's went.)
    assert_eq!(recovery_codes::Entity::find().all(db).await.unwrap(), std::slice::from_ref(&bob.recovery_code));
    assert_eq!(job_events::Entity::find().all(db).await.unwrap(), std::slice::from_ref(&bob.event));
    assert_eq!(presets::Entity::find().all(db).await.unwrap(), std::slice::from_ref(&bob.preset));
    // ...including Bob's comment on her image and hers on his image.
    let comments = image_comments::Entity::find().all(db).await.unwrap();
    assert_eq!(comments, std::slice::from_ref(&bob.comment));
    assert!(!comments.contains(&bob_on_alice) && !comments.contains(&alice_on_bob));
    // The model catalogue belongs to nobody.
    assert_eq!(models::Entity::find().count(db).await.unwrap(), 2);
}

async fn check_set_null(db: &DatabaseConnection) {
    let account = seed_account(db, "nulls").await;
    let child = insert(
        db,
        images::Model {
            id: Uuid::now_v7(),
            parent_image_id: Some(account.image.id),
            file_path: "images/child.png".into(),
            ..account.image.clone()
        },
    )
    .await;

    images::Entity::delete_by_id(account.image.id).exec(db).await.unwrap();

    // Optional references are cleared...
    let project = find(db, projects::Entity::find_by_id(account.project.id)).await;
    assert_eq!(project.cover_image_id, None);
    assert_eq!(project.name, account.project.name);
    let collection = find(db, collections::Entity::find_by_id(account.collection.id)).await;
    assert_eq!(collection.cover_image_id, None);
    let child = find(db, images::Entity::find_by_id(child.id)).await;
    assert_eq!(child.parent_image_id, None);
    let usage = find(db, usage_logs::Entity::find_by_id(account.usage.id)).await;
    assert_eq!(usage.image_id, None);
    // (A job's source image is no foreign key: the job keeps pointing at it.)
    let job = find(db, generation_queue::Entity::find_by_id(account.job.id)).await;
    assert_eq!(job.parent_image_id, Some(account.image.id));
    assert_eq!(usage.credits_used, account.usage.credits_used);
    // ...while rows that only exist for the image go with it.
    assert_eq!(collection_images::Entity::find().count(db).await.unwrap(), 0);
    assert_eq!(shared_images::Entity::find().count(db).await.unwrap(), 0);
    assert_eq!(image_comments::Entity::find().count(db).await.unwrap(), 0);

    projects::Entity::delete_by_id(account.project.id).exec(db).await.unwrap();
    let child = find(db, images::Entity::find_by_id(child.id)).await;
    assert_eq!(child.project_id, None);
    let job = find(db, generation_queue::Entity::find_by_id(account.job.id)).await;
    assert_eq!(job.project_id, None);
    assert_eq!(shared_projects::Entity::find().count(db).await.unwrap(), 0);
    // The owner is untouched.
    assert_eq!(find(db, users::Entity::find_by_id(account.user.id)).await, account.user);
}

async fn check_defaults(db: &DatabaseConnection) {
    let before = Utc::now() - Duration::seconds(5);
    let user = users::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set("defaults@example.com".into()),
        password_hash: Set("hash".into()),
        name: Set("Defaults".into()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    let after = Utc::now() + Duration::seconds(5);
    assert_eq!(user.role, "user");
    assert_eq!(user.credits_balance, 0);
    assert!(!user.email_verified);
    assert!(user.is_active);
    assert_eq!(user.subscription_tier, "free");
    assert_eq!(user.preferences, json!({}));
    assert_eq!(user.last_login, None);
    assert_eq!((user.totp_secret.as_deref(), user.totp_enabled_at, user.totp_last_step), (None, None, None));
    assert!(
        before <= user.created_at && user.created_at <= after,
        "created_at {} not within [{before}, {after}]",
        user.created_at
    );
    assert!(before <= user.updated_at && user.updated_at <= after);
    // What the insert returned is what a read sees.
    assert_eq!(find(db, users::Entity::find_by_id(user.id)).await, user);

    let settings = user_settings::ActiveModel { id: Set(Uuid::now_v7()), user_id: Set(user.id), ..Default::default() }
        .insert(db)
        .await
        .unwrap();
    assert_eq!(settings.theme, "system");
    assert_eq!(settings.gallery_view_mode, "grid");
    assert!(settings.notifications_enabled);
    assert_eq!(settings.default_parameters, json!({}));
    assert_eq!(settings.settings, json!({}));
    assert_eq!(settings.default_model_id, None);
    assert_eq!(settings.timezone, "UTC");
    assert_eq!(settings.language, "en");
    assert!(!settings.queue_paused);

    let image = images::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user.id),
        file_path: Set("images/x.png".into()),
        file_url: Set("/media/images/x.png".into()),
        width: Set(64),
        height: Set(32),
        file_size: Set(1234),
        format: Set("png".into()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    assert_eq!(image.tags, json!([]));
    assert_eq!(image.parameters, json!({}));
    assert_eq!(image.metadata, json!({}));
    assert_eq!(image.prompt, "");
    assert_eq!(image.cost_credits, 0);
    assert!(!image.is_favorite);
    assert_eq!(image.rating, None);
    assert_eq!(image.project_id, None);
    assert_eq!(image.deleted_at, None);

    let job = generation_queue::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user.id),
        prompt: Set("a fox".into()),
        model_id: Set("fal-ai/flux/dev".into()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    assert_eq!(job.status, generation_queue::STATUS_PENDING);
    assert_eq!(job.priority, 0);
    assert_eq!(job.attempts, 0);
    assert_eq!(job.parameters, json!({}));
    assert_eq!(job.started_at, None);
    assert!(before <= job.updated_at && job.updated_at <= after);
    // Every engine column, as for a job queued before the engine existed.
    assert_eq!(job, as_queued_before_the_engine(job.clone()));
    assert_eq!(job.kind, generation_queue::KIND_TEXT_TO_IMAGE);
    assert_eq!(job.result_image_ids, json!([]));

    let event = job_events::ActiveModel { user_id: Set(user.id), kind: Set("queued".into()), ..Default::default() }
        .insert(db)
        .await
        .unwrap();
    assert!(event.id > 0);
    assert_eq!((event.job_id, event.payload.clone()), (None, json!({})));
    assert!(before <= event.created_at && event.created_at <= after, "job_events.created_at {}", event.created_at);
    assert_eq!(find(db, job_events::Entity::find_by_id(event.id)).await, event);

    let project = projects::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user.id),
        name: Set("P".into()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    assert_eq!(project.tags, json!([]));
    assert_eq!(project.settings, json!({}));
    assert!(!project.is_archived && !project.is_public);

    let prompt = prompts::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user.id),
        title: Set("T".into()),
        prompt_text: Set("a fox".into()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    assert_eq!(prompt.usage_count, 0);
    assert_eq!(prompt.tags, json!([]));
    assert!(!prompt.is_favorite && !prompt.is_public);

    let model = models::ActiveModel {
        id: Set(Uuid::now_v7()),
        fal_model_id: Set("fal-ai/defaults".into()),
        name: Set("defaults".into()),
        display_name: Set("Defaults".into()),
        category: Set("text-to-image".into()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    assert_eq!(model.cost_per_generation, 0);
    assert!(model.is_active && !model.is_featured);
    assert_eq!(model.capabilities, json!({}));

    let share = shared_images::ActiveModel {
        id: Set(Uuid::now_v7()),
        image_id: Set(image.id),
        share_token: Set("defaults-token".into()),
        created_by: Set(user.id),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    assert_eq!(share.view_count, 0);
    assert_eq!(share.expires_at, None);

    let usage = usage_logs::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user.id),
        action: Set("generate".into()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    assert_eq!(usage.credits_used, 0);
    assert!(!usage.success);

    let token = auth_tokens::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user.id),
        purpose: Set(auth_tokens::PURPOSE_VERIFY_EMAIL.into()),
        token_hash: Set("defaults-token-hash".into()),
        expires_at: Set(at(3_600)),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    assert_eq!((token.new_email, token.used_at), (None, None));
    assert!(before <= token.created_at && token.created_at <= after, "auth_tokens.created_at {}", token.created_at);

    let code = recovery_codes::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user.id),
        code_hash: Set("defaults-code-hash".into()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    assert_eq!(code.used_at, None);
    assert!(before <= code.created_at && code.created_at <= after, "recovery_codes.created_at {}", code.created_at);
    assert_eq!(find(db, recovery_codes::Entity::find_by_id(code.id)).await, code);
}

async fn check_constraints(db: &DatabaseConnection) {
    let account = seed_account(db, "strict").await;

    let same_email = users::Model { id: Uuid::now_v7(), ..account.user.clone() };
    assert_rejected(db, same_email, "a second user with the same email").await;

    let admin_typo = users::Model {
        id: Uuid::now_v7(),
        email: "root@example.com".into(),
        role: "root".into(),
        ..account.user.clone()
    };
    assert_rejected(db, admin_typo, "a role other than user/admin").await;

    let second_settings = user_settings::Model { id: Uuid::now_v7(), ..account.settings.clone() };
    assert_rejected(db, second_settings, "a second settings row for a user").await;

    let same_token = sessions::Model { id: Uuid::now_v7(), ..account.session.clone() };
    assert_rejected(db, same_token, "a second session with the same token").await;

    let same_model = models::Model { id: Uuid::now_v7(), ..account.model.clone() };
    assert_rejected(db, same_model, "a second model with the same fal id").await;

    let twice_in_collection =
        collection_images::Model { id: Uuid::now_v7(), position: "b".into(), ..account.collection_image.clone() };
    assert_rejected(db, twice_in_collection, "an image twice in a collection").await;

    let same_project_token = shared_projects::Model { id: Uuid::now_v7(), ..account.shared_project.clone() };
    assert_rejected(db, same_project_token, "a reused project share token").await;

    let same_image_token = shared_images::Model { id: Uuid::now_v7(), ..account.shared_image.clone() };
    assert_rejected(db, same_image_token, "a reused image share token").await;

    for rating in [0, 6] {
        let out_of_range = images::Model { id: Uuid::now_v7(), rating: Some(rating), ..account.image.clone() };
        assert_rejected(db, out_of_range, "a rating outside 1..=5").await;
    }

    let orphan = prompts::Model { id: Uuid::now_v7(), user_id: Uuid::now_v7(), ..account.prompt.clone() };
    assert_rejected(db, orphan, "a prompt of a missing user").await;

    let same_token_hash = auth_tokens::Model {
        id: Uuid::now_v7(),
        purpose: auth_tokens::PURPOSE_RESET_PASSWORD.into(),
        new_email: None,
        ..account.auth_token.clone()
    };
    assert_rejected(db, same_token_hash, "a second auth token with the same hash").await;

    let same_code = recovery_codes::Model { id: Uuid::now_v7(), ..account.recovery_code.clone() };
    assert_rejected(db, same_code, "a recovery code stored twice for a user").await;

    // Nothing above slipped in.
    assert_eq!(users::Entity::find().count(db).await.unwrap(), 1);
    assert_eq!(images::Entity::find().count(db).await.unwrap(), 1);
    assert_eq!(prompts::Entity::find().count(db).await.unwrap(), 1);
    assert_eq!(auth_tokens::Entity::find().count(db).await.unwrap(), 1);
    assert_eq!(recovery_codes::Entity::find().count(db).await.unwrap(), 1);
}

/// The accounts tables and columns beyond the fixture's single rows: every purpose, lookups,
/// redeeming, uniqueness, the TOTP lifecycle, and the cascade from the user.
async fn check_accounts(db: &DatabaseConnection) {
    let alice = seed_account(db, "alice").await;
    let bob = seed_account(db, "bob").await;
    let token = |user_id: Uuid, purpose: &str, hash: &str| auth_tokens::Model {
        id: Uuid::now_v7(),
        user_id,
        purpose: purpose.into(),
        token_hash: format!("{hash:0>64}"),
        new_email: None,
        expires_at: at(900),
        used_at: None,
        created_at: at(30),
    };

    // Several tokens per user, one of every purpose.
    let verify = insert(db, token(alice.user.id, auth_tokens::PURPOSE_VERIFY_EMAIL, "a1")).await;
    let reset = insert(db, token(alice.user.id, auth_tokens::PURPOSE_RESET_PASSWORD, "a2")).await;
    let login = insert(db, token(alice.user.id, auth_tokens::PURPOSE_LOGIN_2FA, "a3")).await;
    let bob_reset = insert(db, token(bob.user.id, auth_tokens::PURPOSE_RESET_PASSWORD, "b1")).await;

    // The lookups the application makes: by hash, and a user's tokens of one purpose.
    let by_hash =
        auth_tokens::Entity::find().filter(auth_tokens::Column::TokenHash.eq(login.token_hash.clone())).all(db).await;
    assert_eq!(by_hash.unwrap(), std::slice::from_ref(&login));
    let resets = auth_tokens::Entity::find()
        .filter(auth_tokens::Column::UserId.eq(alice.user.id))
        .filter(auth_tokens::Column::Purpose.eq(auth_tokens::PURPOSE_RESET_PASSWORD))
        .all(db)
        .await
        .unwrap();
    assert_eq!(resets, std::slice::from_ref(&reset));

    // Redeeming a token stamps `used_at`.
    let used = auth_tokens::ActiveModel { used_at: Set(Some(at(120))), ..verify.clone().into_active_model() }
        .update(db)
        .await
        .unwrap();
    assert_eq!(used, auth_tokens::Model { used_at: Some(at(120)), ..verify });
    assert_eq!(find(db, auth_tokens::Entity::find_by_id(used.id)).await, used);
    let mut alice_tokens = alice.user.find_related(auth_tokens::Entity).all(db).await.unwrap();
    alice_tokens.sort_by_key(|token| token.id);
    let mut expected = vec![alice.auth_token.clone(), used, reset, login.clone()];
    expected.sort_by_key(|token| token.id);
    assert_eq!(alice_tokens, expected);

    // A token hash is unique across users and purposes; a token needs an existing user.
    let reused_by_bob = auth_tokens::Model { id: Uuid::now_v7(), user_id: bob.user.id, ..login.clone() };
    assert_rejected(db, reused_by_bob, "a token hash reused by another user").await;
    let other_purpose =
        auth_tokens::Model { id: Uuid::now_v7(), purpose: auth_tokens::PURPOSE_VERIFY_EMAIL.into(), ..login.clone() };
    assert_rejected(db, other_purpose, "a token hash reused for another purpose").await;
    let orphan = token(Uuid::now_v7(), auth_tokens::PURPOSE_VERIFY_EMAIL, "c1");
    assert_rejected(db, orphan, "an auth token of a missing user").await;

    // Recovery codes: unique per user (both fixture accounts share one hash), any number each.
    let second_code = insert(
        db,
        recovery_codes::Model {
            id: Uuid::now_v7(),
            user_id: alice.user.id,
            code_hash: format!("{:0>64}", "c2"),
            used_at: Some(at(200)),
            created_at: at(18),
        },
    )
    .await;
    let twice = recovery_codes::Model { id: Uuid::now_v7(), used_at: None, ..second_code.clone() };
    assert_rejected(db, twice, "a recovery code stored twice for a user").await;
    let orphan_code = recovery_codes::Model { id: Uuid::now_v7(), user_id: Uuid::now_v7(), ..second_code.clone() };
    assert_rejected(db, orphan_code, "a recovery code of a missing user").await;
    let mut alice_codes = alice.user.find_related(recovery_codes::Entity).all(db).await.unwrap();
    alice_codes.sort_by_key(|code| code.id);
    let mut expected = vec![alice.recovery_code.clone(), second_code];
    expected.sort_by_key(|code| code.id);
    assert_eq!(alice_codes, expected);

    // The TOTP lifecycle on `users`: disabled, enrolling, enabled (the step advances), disabled.
    let update_user =
        |totp_secret: Option<&'static str>, totp_enabled_at: Option<DateTime<Utc>>, totp_last_step: Option<i64>| {
            let user = bob.user.clone();
            async move {
                let updated = users::ActiveModel {
                    totp_secret: Set(totp_secret.map(str::to_owned)),
                    totp_enabled_at: Set(totp_enabled_at),
                    totp_last_step: Set(totp_last_step),
                    ..user.into_active_model()
                }
                .update(db)
                .await
                .unwrap();
                assert_eq!(find(db, users::Entity::find_by_id(updated.id)).await, updated);
                assert_eq!(
                    (updated.totp_secret.as_deref(), updated.totp_enabled_at, updated.totp_last_step),
                    (totp_secret, totp_enabled_at, totp_last_step)
                );
            }
        };
    update_user(None, None, None).await;
    update_user(Some("GEZDGNBVGY3TQOJQ"), None, None).await;
    update_user(Some("GEZDGNBVGY3TQOJQ"), Some(at(40)), Some(59_026_515)).await;
    update_user(Some("GEZDGNBVGY3TQOJQ"), Some(at(40)), Some(59_026_516)).await;
    update_user(None, None, None).await;

    // Locale settings.
    let settings = user_settings::ActiveModel {
        timezone: Set("America/Toronto".into()),
        language: Set("en-CA".into()),
        ..bob.settings.clone().into_active_model()
    }
    .update(db)
    .await
    .unwrap();
    assert_eq!((settings.timezone.as_str(), settings.language.as_str()), ("America/Toronto", "en-CA"));
    assert_eq!(find(db, user_settings::Entity::find_by_id(settings.id)).await, settings);

    // Deleting Alice takes all her tokens and codes, and nothing of Bob's.
    users::Entity::delete_by_id(alice.user.id).exec(db).await.unwrap();
    let mut left = auth_tokens::Entity::find().all(db).await.unwrap();
    left.sort_by_key(|token| token.id);
    let mut expected = vec![bob.auth_token.clone(), bob_reset];
    expected.sort_by_key(|token| token.id);
    assert_eq!(left, expected);
    assert_eq!(recovery_codes::Entity::find().all(db).await.unwrap(), std::slice::from_ref(&bob.recovery_code));
}

/// The log the live stream reads: ids only grow, even past a deleted newest event; a user's events
/// after a given id come back in order; events outlive their job, are pruned by age, and go with
/// their user.
async fn check_job_events(db: &DatabaseConnection) {
    let alice = seed_account(db, "alice").await;
    let bob = seed_account(db, "bob").await;
    let event = |user_id: Uuid, job_id: Option<Uuid>, kind: &str, seconds: i64| {
        job_events::ActiveModel {
            user_id: Set(user_id),
            job_id: Set(job_id),
            kind: Set(kind.into()),
            payload: Set(json!({"at": seconds})),
            created_at: Set(at(seconds)),
            ..Default::default()
        }
        .insert(db)
    };

    let alice_progress = event(alice.user.id, Some(alice.job.id), "progress", 100).await.unwrap();
    let bob_progress = event(bob.user.id, Some(bob.job.id), "progress", 200).await.unwrap();
    let alice_queue = event(alice.user.id, None, "queue", 300).await.unwrap();
    let ids = [alice.event.id, bob.event.id, alice_progress.id, bob_progress.id, alice_queue.id];
    assert!(ids.windows(2).all(|pair| pair[0] < pair[1]), "ids not in insertion order: {ids:?}");

    // What a browser resuming after a given event is sent: its user's later events, in order.
    assert_eq!(events_after(db, alice.user.id, alice.event.id).await, [alice_progress.clone(), alice_queue.clone()]);
    assert_eq!(events_after(db, alice.user.id, alice_progress.id).await, std::slice::from_ref(&alice_queue));
    assert_eq!(events_after(db, bob.user.id, bob.event.id).await, std::slice::from_ref(&bob_progress));
    assert!(events_after(db, bob.user.id, bob_progress.id).await.is_empty());

    // A browser may still hold the id of a deleted newest event: it is never handed out again.
    job_events::Entity::delete_by_id(alice_queue.id).exec(db).await.unwrap();
    let alice_paused = event(alice.user.id, None, "queue", 400).await.unwrap();
    assert!(alice_paused.id > alice_queue.id, "id {} reused after {}", alice_paused.id, alice_queue.id);

    // Events outlive their job, but not their user's existence.
    generation_queue::Entity::delete_by_id(alice.job.id).exec(db).await.unwrap();
    assert_eq!(find(db, job_events::Entity::find_by_id(alice_progress.id)).await, alice_progress);
    let orphan = job_events::Model { id: alice_paused.id + 1_000, user_id: Uuid::now_v7(), ..alice_paused.clone() };
    assert_rejected(db, orphan, "an event of a missing user").await;

    // Pruning by age (the fixture's events are the oldest).
    let pruned = job_events::Entity::delete_many().filter(job_events::Column::CreatedAt.lt(at(150))).exec(db).await;
    assert_eq!(pruned.unwrap().rows_affected, 3);
    let left = job_events::Entity::find().order_by_asc(job_events::Column::Id).all(db).await.unwrap();
    assert_eq!(left, [bob_progress.clone(), alice_paused]);

    users::Entity::delete_by_id(alice.user.id).exec(db).await.unwrap();
    assert_eq!(job_events::Entity::find().all(db).await.unwrap(), [bob_progress]);
}

/// A user's events after `last_seen`, oldest first: what the stream sends a resuming browser.
async fn events_after(db: &DatabaseConnection, user_id: Uuid, last_seen: i64) -> Vec<job_events::Model> {
    job_events::Entity::find()
        .filter(job_events::Column::UserId.eq(user_id))
        .filter(job_events::Column::Id.gt(last_seen))
        .order_by_asc(job_events::Column::Id)
        .all(db)
        .await
        .unwrap()
}

/// The engine's indexes, column by column, on either backend.
async fn check_engine_indexes(db: &DatabaseConnection) {
    for (index, expected) in [
        ("idx_generation_queue_claim_order", "generation_queue(status, priority DESC, position, id)"),
        ("idx_generation_queue_user_status", "generation_queue(user_id, status, position)"),
        ("idx_generation_queue_batch", "generation_queue(batch_id)"),
        ("idx_job_events_user_id_id", "job_events(user_id, id)"),
        ("idx_job_events_created_at", "job_events(created_at)"),
    ] {
        assert_eq!(index_definition(db, index).await, expected);
    }

    if db.get_database_backend() == DbBackend::Sqlite {
        // The claim reads pending jobs in its order from the index: no sort step.
        let claim = "EXPLAIN QUERY PLAN SELECT id FROM generation_queue \
                     WHERE status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= '2026-11-25') \
                     ORDER BY priority DESC, position, id LIMIT 1";
        let plan: Vec<String> = db
            .query_all_raw(Statement::from_string(DbBackend::Sqlite, claim))
            .await
            .unwrap()
            .iter()
            .map(|step| step.try_get::<String>("", "detail").unwrap())
            .collect();
        assert!(plan.iter().any(|step| step.contains("idx_generation_queue_claim_order")), "{plan:?}");
        assert!(!plan.iter().any(|step| step.contains("TEMP B-TREE")), "{plan:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Fixture: one row in every table for one account
// ---------------------------------------------------------------------------------------------

struct Account {
    user: users::Model,
    settings: user_settings::Model,
    session: sessions::Model,
    model: models::Model,
    project: projects::Model,
    image: images::Model,
    collection: collections::Model,
    collection_image: collection_images::Model,
    prompt: prompts::Model,
    job: generation_queue::Model,
    usage: usage_logs::Model,
    shared_project: shared_projects::Model,
    shared_image: shared_images::Model,
    comment: image_comments::Model,
    auth_token: auth_tokens::Model,
    recovery_code: recovery_codes::Model,
    event: job_events::Model,
    preset: presets::Model,
}

/// A fixed instant with microseconds (PostgreSQL's precision), `seconds` after a base.
fn at(seconds: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 12, 30, 0).unwrap()
        + Duration::seconds(seconds)
        + Duration::microseconds(123_456)
}

/// The user of the account named `label`, every column set.
fn user_row(label: &str) -> users::Model {
    users::Model {
        id: Uuid::now_v7(),
        email: format!("{label}@example.com"),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        name: format!("{label} the tester"),
        avatar_url: Some(format!("/media/avatars/{label}.png")),
        created_at: at(0),
        updated_at: at(10),
        last_login: Some(at(20)),
        email_verified: true,
        preferences: json!({"theme": "dark", "defaults": {"width": 1024, "height": 768}}),
        credits_balance: 250,
        subscription_tier: "pro".into(),
        is_active: true,
        role: users::ROLE_ADMIN.into(),
        totp_secret: Some("JBSWY3DPEHPK3PXP".into()),
        totp_enabled_at: Some(at(25)),
        // Beyond i32: the column is a bigint.
        totp_last_step: Some(i64::from(i32::MAX) + 1),
    }
}

/// Inserts one row in every table for a new account named `label` (and a model of its own).
async fn seed_account(db: &DatabaseConnection, label: &str) -> Account {
    let user = insert(db, user_row(label)).await;
    let model = insert(
        db,
        models::Model {
            id: Uuid::now_v7(),
            fal_model_id: format!("fal-ai/flux/{label}"),
            name: "flux-dev".into(),
            display_name: "FLUX.1 [dev]".into(),
            description: Some("12B text-to-image".into()),
            category: "text-to-image".into(),
            version: Some("1.0".into()),
            capabilities: json!({"image_to_image": false, "max_images": 4}),
            default_parameters: json!({"steps": 28}),
            cost_per_generation: 3,
            is_active: true,
            is_featured: true,
            created_at: at(0),
            updated_at: at(1),
        },
    )
    .await;
    let settings = insert(
        db,
        user_settings::Model {
            id: Uuid::now_v7(),
            user_id: user.id,
            default_model_id: Some(model.fal_model_id.clone()),
            default_parameters: json!({"num_images": 2}),
            theme: "dark".into(),
            gallery_view_mode: "masonry".into(),
            notifications_enabled: false,
            settings: json!({"autosave": true}),
            created_at: at(0),
            updated_at: at(2),
            timezone: "Europe/Paris".into(),
            language: "fr-CA".into(),
            queue_paused: true,
        },
    )
    .await;
    let session = insert(
        db,
        sessions::Model {
            id: Uuid::now_v7(),
            user_id: user.id,
            token: format!("{:0>64}", format!("{label}ab12")),
            expires_at: at(86_400),
            created_at: at(0),
            ip_address: Some("203.0.113.7".into()),
            user_agent: Some("Mozilla/5.0".into()),
            last_seen_at: at(30),
        },
    )
    .await;
    // The cover is set once the image exists (projects <-> images cycle).
    let mut project = insert(
        db,
        projects::Model {
            id: Uuid::now_v7(),
            user_id: user.id,
            name: format!("{label}'s posters"),
            description: Some("Neon cats".into()),
            cover_image_id: None,
            settings: json!({"aspect_ratio": "3:4"}),
            tags: json!(["posters", "2026"]),
            is_archived: false,
            is_public: true,
            created_at: at(0),
            updated_at: at(3),
        },
    )
    .await;
    let image = insert(
        db,
        images::Model {
            id: Uuid::now_v7(),
            user_id: user.id,
            project_id: Some(project.id),
            file_path: format!("images/{label}/cat.png"),
            file_url: format!("/media/images/{label}/cat.png"),
            thumbnail_url: Some(format!("/media/thumbs/{label}/cat.webp")),
            width: 1024,
            height: 768,
            file_size: 5_000_000_000,
            format: "png".into(),
            prompt: "a neon cat, synthwave".into(),
            negative_prompt: Some("blurry".into()),
            model_id: Some(model.fal_model_id.clone()),
            model_version: Some("1.0".into()),
            parameters: json!({"steps": 28, "guidance_scale": 3.5, "seed": 42}),
            generation_time: Some(12.25),
            cost_credits: 3,
            parent_image_id: None,
            is_favorite: true,
            rating: Some(4),
            tags: json!(["cat", "neon"]),
            metadata: json!({"exif": {"software": "atelier"}}),
            created_at: at(1),
            updated_at: at(4),
            deleted_at: None,
        },
    )
    .await;
    project = projects::ActiveModel { cover_image_id: Set(Some(image.id)), ..project.into_active_model() }
        .update(db)
        .await
        .unwrap();
    assert_eq!(project.cover_image_id, Some(image.id));
    let collection = insert(
        db,
        collections::Model {
            id: Uuid::now_v7(),
            user_id: user.id,
            name: "Favourites".into(),
            description: None,
            cover_image_id: Some(image.id),
            is_public: false,
            created_at: at(5),
            updated_at: at(6),
        },
    )
    .await;
    let collection_image = insert(
        db,
        collection_images::Model {
            id: Uuid::now_v7(),
            collection_id: collection.id,
            image_id: image.id,
            position: "a0".into(),
            added_at: at(7),
        },
    )
    .await;
    let prompt = insert(
        db,
        prompts::Model {
            id: Uuid::now_v7(),
            user_id: user.id,
            title: "Neon cat".into(),
            prompt_text: "a neon cat, synthwave".into(),
            negative_prompt: Some("blurry".into()),
            category: Some("animals".into()),
            tags: json!(["cat"]),
            is_favorite: true,
            is_public: false,
            usage_count: 7,
            created_at: at(8),
            updated_at: at(9),
        },
    )
    .await;
    let job = insert(
        db,
        generation_queue::Model {
            id: Uuid::now_v7(),
            user_id: user.id,
            project_id: Some(project.id),
            prompt: "a neon dog".into(),
            negative_prompt: None,
            model_id: model.fal_model_id.clone(),
            parameters: json!({"num_images": 2}),
            status: generation_queue::STATUS_RUNNING.into(),
            priority: 5,
            fal_request_id: Some("req-123".into()),
            error_message: Some("fal.ai did not answer in time; the job will be tried again.".into()),
            attempts: 2,
            created_at: at(10),
            started_at: Some(at(11)),
            completed_at: None,
            updated_at: at(11),
            kind: generation_queue::KIND_IMAGE_TO_IMAGE.into(),
            // Not a short decimal: stored exactly all the same.
            position: 1.0 / 3.0,
            next_attempt_at: Some(at(40)),
            lease_expires_at: Some(at(70)),
            worker_id: Some(format!("worker-{label}")),
            provider_handle: Some(json!({
                "request_id": "req-123",
                "status_url": "https://queue.fal.run/fal-ai/flux/requests/req-123/status",
                "response_url": "https://queue.fal.run/fal-ai/flux/requests/req-123",
                "cancel_url": "https://queue.fal.run/fal-ai/flux/requests/req-123/cancel",
            })),
            progress: 0.25,
            error_type: Some("timeout".into()),
            batch_id: Some(Uuid::now_v7()),
            // The first of its two images is in.
            result_image_ids: json!([image.id.to_string()]),
            credits_held: 6,
            credits_charged: 3,
            parent_image_id: Some(image.id),
            cancel_requested: true,
        },
    )
    .await;
    let usage = insert(
        db,
        usage_logs::Model {
            id: Uuid::now_v7(),
            user_id: user.id,
            image_id: Some(image.id),
            action: "generate".into(),
            model_id: Some(model.fal_model_id.clone()),
            credits_used: 3,
            generation_time: Some(12.25),
            success: true,
            error_message: None,
            created_at: at(12),
        },
    )
    .await;
    let shared_project = insert(
        db,
        shared_projects::Model {
            id: Uuid::now_v7(),
            project_id: project.id,
            share_token: format!("{label}-project-token"),
            created_by: user.id,
            expires_at: Some(at(604_800)),
            view_count: 12,
            password_hash: Some("$argon2id$share".into()),
            created_at: at(13),
        },
    )
    .await;
    let shared_image = insert(
        db,
        shared_images::Model {
            id: Uuid::now_v7(),
            image_id: image.id,
            share_token: format!("{label}-image-token"),
            created_by: user.id,
            expires_at: None,
            view_count: 3,
            created_at: at(14),
        },
    )
    .await;
    let comment = comment(db, image.id, user.id).await;
    let auth_token = insert(
        db,
        auth_tokens::Model {
            id: Uuid::now_v7(),
            user_id: user.id,
            purpose: auth_tokens::PURPOSE_CHANGE_EMAIL.into(),
            token_hash: format!("{:0>64}", format!("{label}cd34")),
            new_email: Some(format!("{label}.new@example.com")),
            expires_at: at(3_600),
            used_at: Some(at(60)),
            created_at: at(17),
        },
    )
    .await;
    let recovery_code = insert(
        db,
        recovery_codes::Model {
            id: Uuid::now_v7(),
            user_id: user.id,
            code_hash: RECOVERY_CODE_HASH.into(),
            used_at: None,
            created_at: at(18),
        },
    )
    .await;
    // The database assigns the id.
    let event = job_events::ActiveModel {
        user_id: Set(user.id),
        job_id: Set(Some(job.id)),
        kind: Set("progress".into()),
        payload: Set(json!({"progress": 0.25})),
        created_at: Set(at(19)),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    let preset = insert(
        db,
        presets::Model {
            id: Uuid::now_v7(),
            user_id: user.id,
            name: "Poster look".into(),
            model_id: model.fal_model_id.clone(),
            prompt: "a neon cat".into(),
            negative_prompt: Some("blurry".into()),
            parameters: json!({"guidance_scale": 3.5, "num_images": 2}),
            created_at: at(20),
            updated_at: at(21),
        },
    )
    .await;

    Account {
        user,
        settings,
        session,
        model,
        project,
        image,
        collection,
        collection_image,
        prompt,
        job,
        usage,
        shared_project,
        shared_image,
        comment,
        auth_token,
        recovery_code,
        event,
        preset,
    }
}

async fn comment(db: &DatabaseConnection, image_id: Uuid, user_id: Uuid) -> image_comments::Model {
    insert(
        db,
        image_comments::Model {
            id: Uuid::now_v7(),
            image_id,
            user_id,
            comment_text: "Love the colours!".into(),
            created_at: at(15),
            updated_at: at(16),
        },
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Inserts every column of `model` and returns the row the database sent back, after checking
/// that it is `model` itself.
async fn insert<M, E>(db: &DatabaseConnection, model: M) -> M
where
    M: ModelTrait<Entity = E> + IntoActiveModel<E::ActiveModel> + PartialEq,
    E: EntityTrait<Model = M>,
    E::ActiveModel: Send,
{
    let stored = model
        .clone()
        .into_active_model()
        .reset_all()
        .insert(db)
        .await
        .unwrap_or_else(|err| panic!("insert {model:?}: {err}"));
    assert_eq!(stored, model);
    stored
}

/// Asserts that inserting `model` fails (a constraint rejects it).
async fn assert_rejected<M, E>(db: &DatabaseConnection, model: M, what: &str)
where
    M: ModelTrait<Entity = E> + IntoActiveModel<E::ActiveModel>,
    E: EntityTrait<Model = M>,
    E::ActiveModel: Send,
{
    let result = model.into_active_model().reset_all().insert(db).await;
    assert!(result.is_err(), "the schema accepted {what}");
}

async fn find<E: EntityTrait>(db: &DatabaseConnection, select: sea_orm::Select<E>) -> E::Model {
    select.one(db).await.unwrap().expect("the row exists")
}

/// The cover image of a project, through `projects::Relation::CoverImage`.
async fn cover_of(db: &DatabaseConnection, project: &projects::Model) -> Option<images::Model> {
    images::Entity::find()
        .join_rev(JoinType::InnerJoin, projects::Relation::CoverImage.def())
        .filter(projects::Column::Id.eq(project.id))
        .one(db)
        .await
        .unwrap()
}

/// A new connection to `url` in place of `db`, as `connect_and_migrate` makes after migrating: a
/// pooled SQLite connection may keep statements prepared against the schema before a change
/// (a renamed column then reads as NULL).
async fn reopen(db: DatabaseConnection, url: &str) -> DatabaseConnection {
    db.close().await.unwrap();
    connect(url).await.unwrap()
}

/// The named indexes of the whole schema on `db`'s backend.
fn expected_indexes(db: &DatabaseConnection) -> Vec<&'static str> {
    let mut expected = INDEXES.to_vec();
    if db.get_database_backend() == DbBackend::Postgres {
        expected.push(GIN_INDEX);
        expected.sort();
    }
    expected
}

async fn postgres() -> DatabaseConnection {
    connect_and_migrate(&support::postgres::fresh_database().await).await.unwrap()
}

/// A new SQLite file in a temp dir (kept alive by the returned guard).
fn sqlite_url() -> (String, TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("atelier.db").display());
    (url, dir)
}

/// `(name, status)` of every migration, oldest first, when the first `applied` ones are applied.
fn expected_statuses(applied: usize) -> Vec<(String, String)> {
    MIGRATIONS
        .iter()
        .enumerate()
        .map(|(at, migration)| (migration.name.to_owned(), if at < applied { "Applied" } else { "Pending" }.to_owned()))
        .collect()
}

/// The columns of an older `table` once the `undone` migrations apply on top of `older` ones.
fn columns_after(undone: &[&Changes], table: &str, older: &[String]) -> Vec<String> {
    let mut columns = older.to_vec();
    for migration in undone {
        for (renamed_in, from, to) in migration.renamed_columns {
            if *renamed_in == table {
                columns.iter_mut().filter(|column| column == from).for_each(|column| *column = to.to_string());
            }
        }
        for (added_to, added) in migration.added_columns {
            if *added_to == table {
                columns.extend(added.iter().map(|column| column.to_string()));
            }
        }
    }
    columns
}

/// An SQL expression over the current schema that reads the value the older `column` of `table`
/// will hold once the `undone` migrations' `down` ran (under its current name, with the values
/// they renamed given back their older names).
fn value_after_down(undone: &[&Changes], table: &str, column: &str) -> String {
    let mut name = column.to_owned();
    for (renamed_in, from, to) in undone.iter().flat_map(|migration| migration.renamed_columns) {
        if *renamed_in == table && name == *from {
            name = to.to_string();
        }
    }
    let mut value = quoted(&name);
    for (renamed_in, renamed_column, newer, older) in undone.iter().rev().flat_map(|migration| migration.renamed_values)
    {
        if *renamed_in == table && *renamed_column == column {
            value = format!("CASE WHEN {value} = '{newer}' THEN '{older}' ELSE {value} END");
        }
    }
    value
}

fn quoted(column: &str) -> String {
    format!("\"{column}\"")
}

async fn statuses(db: &DatabaseConnection) -> Vec<(String, String)> {
    Migrator::get_migration_with_status(db)
        .await
        .unwrap()
        .iter()
        .map(|migration| (migration.name().to_owned(), migration.status().to_string()))
        .collect()
}

/// The application's tables (not the migration bookkeeping), sorted.
async fn tables(db: &DatabaseConnection) -> Vec<String> {
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => {
            "SELECT table_name::text AS value FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE' \
             AND table_name <> 'seaql_migrations' ORDER BY 1"
        }
        _ => {
            "SELECT name AS value FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name <> 'seaql_migrations' ORDER BY 1"
        }
    };
    query_strings(db, sql).await
}

/// Every index on the application's tables, implicit ones (primary keys, unique columns)
/// included, sorted.
async fn index_names(db: &DatabaseConnection) -> Vec<String> {
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => {
            "SELECT indexname::text AS value FROM pg_indexes WHERE schemaname = 'public' \
             AND tablename <> 'seaql_migrations' ORDER BY 1"
        }
        _ => {
            "SELECT name AS value FROM sqlite_master WHERE type = 'index' \
             AND tbl_name <> 'seaql_migrations' ORDER BY 1"
        }
    };
    query_strings(db, sql).await
}

/// The columns of `table`, in table order.
async fn columns(db: &DatabaseConnection, table: &str) -> Vec<String> {
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => format!(
            "SELECT column_name::text AS value FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name = '{table}' ORDER BY ordinal_position"
        ),
        _ => format!("SELECT name AS value FROM pragma_table_info('{table}') ORDER BY cid"),
    };
    query_strings(db, &sql).await
}

/// Every row of `table` as text (the given SQL expressions, such as quoted column names), ordered
/// by id. SQLite's `quote` also renders the UUID blobs (as `X'...'`), which a cast to text would
/// garble.
async fn dump(db: &DatabaseConnection, table: &str, values: &[String]) -> Vec<String> {
    let field = |value: &String| match db.get_database_backend() {
        DbBackend::Postgres => format!("COALESCE(CAST({value} AS TEXT), '<null>')"),
        _ => format!("quote({value})"),
    };
    let fields: Vec<String> = values.iter().map(field).collect();
    query_strings(db, &format!("SELECT {} AS value FROM \"{table}\" ORDER BY id", fields.join(" || '|' || "))).await
}

/// The explicitly named indexes among `indexes` (`idx_*`).
fn named(indexes: &[String]) -> Vec<&str> {
    indexes.iter().map(String::as_str).filter(|name| name.starts_with("idx_")).collect()
}

/// `table(column, column DESC, ...)`: the table and key columns of the index `name`.
async fn index_definition(db: &DatabaseConnection, name: &str) -> String {
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => format!(
            "SELECT t.relname::text || '(' || string_agg(replace(pg_get_indexdef(i.indexrelid, k.n, true), '\"', '') \
             || CASE WHEN i.indoption[k.n - 1] & 1 = 1 THEN ' DESC' ELSE '' END, ', ' ORDER BY k.n) || ')' AS value \
             FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid \
             CROSS JOIN generate_series(1, i.indnkeyatts) AS k(n) \
             WHERE c.relname = '{name}' GROUP BY t.relname"
        ),
        _ => format!(
            "SELECT m.tbl_name || '(' || ( \
               SELECT group_concat(column_name, ', ') FROM ( \
                 SELECT x.name || CASE WHEN x.\"desc\" THEN ' DESC' ELSE '' END AS column_name \
                 FROM pragma_index_xinfo('{name}') AS x WHERE x.key = 1 ORDER BY x.seqno)) || ')' AS value \
             FROM sqlite_master AS m WHERE m.type = 'index' AND m.name = '{name}'"
        ),
    };
    query_strings(db, &sql).await.pop().unwrap_or_else(|| panic!("no index {name}"))
}

async fn cover_image_constraints(db: &DatabaseConnection) -> usize {
    query_strings(
        db,
        "SELECT constraint_name::text AS value FROM information_schema.table_constraints \
         WHERE table_name = 'projects' AND constraint_name = 'fk_projects_cover_image_id'",
    )
    .await
    .len()
}

/// Runs `sql` and returns its `value` column.
async fn query_strings(db: &DatabaseConnection, sql: &str) -> Vec<String> {
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap_or_else(|err| panic!("{sql}: {err}"))
        .iter()
        .map(|row| row.try_get::<String>("", "value").unwrap())
        .collect()
}
