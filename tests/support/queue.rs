//! Fixtures for the queue's tests: databases, accounts with credits, and a job to enqueue.

use atelier::server::db::connect_and_migrate;
use atelier::server::db::entity::generation_queue::KIND_TEXT_TO_IMAGE;
use atelier::server::db::entity::{user_settings, users};
use atelier::server::jobs::NewJob;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};
use serde_json::json;
use tempfile::TempDir;
use uuid::Uuid;

pub async fn sqlite() -> (DatabaseConnection, TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("atelier.db").display());
    (connect_and_migrate(&url).await.unwrap(), dir)
}

pub async fn postgres() -> DatabaseConnection {
    connect_and_migrate(&super::postgres::fresh_database().await).await.unwrap()
}

/// A new account with `credits` and its settings row; returns its id.
pub async fn account(db: &DatabaseConnection, credits: i32) -> Uuid {
    let id = Uuid::now_v7();
    let now = Utc::now();
    users::ActiveModel {
        id: Set(id),
        email: Set(format!("{id}@example.com")),
        password_hash: Set("not a hash".into()),
        name: Set("Queue Tester".into()),
        avatar_url: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        last_login: Set(None),
        email_verified: Set(true),
        preferences: Set(json!({})),
        credits_balance: Set(credits),
        subscription_tier: Set("free".into()),
        is_active: Set(true),
        role: Set(users::ROLE_USER.into()),
        totp_secret: Set(None),
        totp_enabled_at: Set(None),
        totp_last_step: Set(None),
    }
    .insert(db)
    .await
    .unwrap();
    user_settings::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(id),
        default_model_id: Set(None),
        default_parameters: Set(json!({})),
        theme: Set("system".into()),
        gallery_view_mode: Set("grid".into()),
        notifications_enabled: Set(true),
        settings: Set(json!({})),
        created_at: Set(now),
        updated_at: Set(now),
        timezone: Set("UTC".into()),
        language: Set("en".into()),
        queue_paused: Set(false),
    }
    .insert(db)
    .await
    .unwrap();
    id
}

pub fn new_job(user_id: Uuid, credits: u32) -> NewJob {
    NewJob {
        user_id,
        project_id: None,
        model_id: "atelier/sketch".into(),
        kind: KIND_TEXT_TO_IMAGE,
        prompt: "a lighthouse in the fog".into(),
        negative_prompt: None,
        parameters: serde_json::Map::new(),
        priority: 0,
        batch_id: None,
        parent_image_id: None,
        credits,
    }
}
