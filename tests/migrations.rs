//! The schema migration and the SeaORM entities, on SQLite and on a throwaway PostgreSQL.
#![cfg(feature = "ssr")]

mod support;

use atelier::server::db::entity::{
    collection_images, collections, generation_queue, image_comments, images, models, projects, prompts, sessions,
    shared_images, shared_projects, usage_logs, user_settings, users,
};
use atelier::server::db::{connect, connect_and_migrate};
use chrono::{DateTime, Duration, TimeZone, Utc};
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    IntoActiveModel, JoinType, ModelTrait, PaginatorTrait, QueryFilter, QuerySelect, RelationTrait, Statement,
};
use serde_json::json;
use tempfile::TempDir;
use uuid::Uuid;

/// Every table of the schema, sorted.
const TABLES: [&str; 14] = [
    "collection_images",
    "collections",
    "generation_queue",
    "image_comments",
    "images",
    "models",
    "projects",
    "prompts",
    "sessions",
    "shared_images",
    "shared_projects",
    "usage_logs",
    "user_settings",
    "users",
];

/// The named indexes both backends get.
const INDEXES: [&str; 15] = [
    "idx_collection_images_collection_id_image_id",
    "idx_collection_images_image_id",
    "idx_collections_user_id",
    "idx_generation_queue_status_priority_created_at",
    "idx_generation_queue_user_id_status",
    "idx_image_comments_image_id_created_at",
    "idx_images_is_favorite_created_at",
    "idx_images_project_id",
    "idx_images_user_id_created_at",
    "idx_projects_user_id",
    "idx_prompts_user_id_is_favorite",
    "idx_sessions_user_id",
    "idx_shared_images_share_token",
    "idx_shared_projects_share_token",
    "idx_usage_logs_user_id_created_at",
];

const GIN_INDEX: &str = "idx_images_tags_gin";
const MIGRATION_NAME: &str = "m20261121_000001_create_schema";

// ---------------------------------------------------------------------------------------------
// Migrations
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn migrations_run_up_down_up_on_sqlite() {
    let (url, _dir) = sqlite_url();
    let db = connect(&url).await.unwrap();
    check_up_down_up(&db).await;
}

#[tokio::test]
async fn migrations_run_up_down_up_on_postgres() {
    let db = connect(&support::postgres::fresh_database().await).await.unwrap();
    check_up_down_up(&db).await;
}

#[tokio::test]
async fn migrate_status_lists_every_migration() {
    let (url, _dir) = sqlite_url();
    let db = connect(&url).await.unwrap();

    let names: Vec<String> = Migrator::migrations().iter().map(|migration| migration.name().to_owned()).collect();
    assert_eq!(names, [MIGRATION_NAME]);

    assert_eq!(statuses(&db).await, [(MIGRATION_NAME.to_owned(), "Pending".to_owned())]);
    Migrator::up(&db, None).await.unwrap();
    assert_eq!(statuses(&db).await, [(MIGRATION_NAME.to_owned(), "Applied".to_owned())]);
    assert!(Migrator::get_pending_migrations(&db).await.unwrap().is_empty());
    Migrator::down(&db, None).await.unwrap();
    assert_eq!(statuses(&db).await, [(MIGRATION_NAME.to_owned(), "Pending".to_owned())]);
}

#[tokio::test]
async fn connect_and_migrate_is_idempotent() {
    let (url, _dir) = sqlite_url();
    let db = connect_and_migrate(&url).await.unwrap();
    drop(db);
    let db = connect_and_migrate(&url).await.unwrap();
    assert_eq!(tables(&db).await, TABLES);
    assert_eq!(statuses(&db).await, [(MIGRATION_NAME.to_owned(), "Applied".to_owned())]);
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
async fn omitted_columns_take_their_defaults_on_sqlite() {
    let (url, _dir) = sqlite_url();
    let db = connect_and_migrate(&url).await.unwrap();
    check_defaults(&db).await;

    // SQLite keeps timestamps as text: the default must be written like the application's
    // RFC 3339 values, so that ordering by time also holds across both kinds of rows.
    let stored = query_strings(&db, "SELECT created_at AS value FROM users").await;
    assert_eq!(stored.len(), 1);
    assert!(
        DateTime::parse_from_rfc3339(&stored[0]).is_ok() && stored[0].ends_with("+00:00"),
        "default timestamp is not RFC 3339 UTC: {}",
        stored[0]
    );
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

async fn check_up_down_up(db: &DatabaseConnection) {
    let postgres = db.get_database_backend() == DbBackend::Postgres;
    let mut expected_indexes: Vec<&str> = INDEXES.to_vec();
    if postgres {
        expected_indexes.push(GIN_INDEX);
        expected_indexes.sort();
    }

    Migrator::up(db, None).await.unwrap();
    assert_eq!(tables(db).await, TABLES);
    let first_indexes = index_names(db).await;
    assert_eq!(named(&first_indexes), expected_indexes);
    if postgres {
        assert_eq!(cover_image_constraints(db).await, 1);
    }
    // Rolling back must also work with rows in every table (and the projects <-> images cycle).
    seed_account(db, "before").await;

    Migrator::down(db, None).await.unwrap();
    assert!(tables(db).await.is_empty(), "left: {:?}", tables(db).await);
    assert!(index_names(db).await.is_empty());
    if postgres {
        assert_eq!(cover_image_constraints(db).await, 0);
    }
    assert_eq!(Migrator::get_pending_migrations(db).await.unwrap().len(), Migrator::migrations().len());

    Migrator::up(db, None).await.unwrap();
    assert_eq!(tables(db).await, TABLES);
    assert_eq!(index_names(db).await, first_indexes);
    // The schema is usable after the round trip.
    let fixture = seed_account(db, "again").await;
    assert_eq!(users::Entity::find_by_id(fixture.user.id).one(db).await.unwrap().as_ref(), Some(&fixture.user));
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
    assert_eq!(job.retry_count, 0);
    assert_eq!(job.parameters, json!({}));
    assert_eq!(job.started_at, None);
    assert!(before <= job.updated_at && job.updated_at <= after);

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

    // Nothing above slipped in.
    assert_eq!(users::Entity::find().count(db).await.unwrap(), 1);
    assert_eq!(images::Entity::find().count(db).await.unwrap(), 1);
    assert_eq!(prompts::Entity::find().count(db).await.unwrap(), 1);
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
}

/// A fixed instant with microseconds (PostgreSQL's precision), `seconds` after a base.
fn at(seconds: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 12, 30, 0).unwrap()
        + Duration::seconds(seconds)
        + Duration::microseconds(123_456)
}

/// Inserts one row in every table for a new account named `label` (and a model of its own).
async fn seed_account(db: &DatabaseConnection, label: &str) -> Account {
    let user = insert(
        db,
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
        },
    )
    .await;
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
            parameters: json!({"num_images": 1}),
            status: generation_queue::STATUS_PROCESSING.into(),
            priority: 5,
            fal_request_id: Some("req-123".into()),
            error_message: None,
            retry_count: 1,
            created_at: at(10),
            started_at: Some(at(11)),
            completed_at: None,
            updated_at: at(11),
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

async fn postgres() -> DatabaseConnection {
    connect_and_migrate(&support::postgres::fresh_database().await).await.unwrap()
}

/// A new SQLite file in a temp dir (kept alive by the returned guard).
fn sqlite_url() -> (String, TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("atelier.db").display());
    (url, dir)
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

/// The explicitly named indexes among `indexes` (`idx_*`).
fn named(indexes: &[String]) -> Vec<&str> {
    indexes.iter().map(String::as_str).filter(|name| name.starts_with("idx_")).collect()
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
