//! The model catalogue through the real router: loaded into the `models` table at start-up, listed
//! by the server function and the REST routes, and switched on and off by administrators only.
#![cfg(feature = "ssr")]

mod support;

use atelier::api::models::{ListModels, SetModelEnabled};
use atelier::server::accounts::admin::create_or_promote;
use atelier::server::catalogue;
use atelier::server::db::entity::models;
use atelier::types::{ModelAvailability, ModelInfo};
use atelier_catalogue::{Catalogue, ProviderKind};
use axum::http::StatusCode;
use leptos::server_fn::ServerFn;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use support::client::{Client, TEST_PASSWORD, signed_in, signed_up};
use support::studio::TestStudio;

async fn admin<'a>(studio: &'a TestStudio, email: &str) -> Client<'a> {
    create_or_promote(&studio.state.db, email, Some("Root"), Some(TEST_PASSWORD.to_owned()), 10).await.unwrap();
    signed_in(Client::new(studio), email).await
}

async fn listed(client: &Client<'_>) -> Vec<ModelInfo> {
    let response = client.call(ListModels::PATH, &[]).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    response.json()
}

fn ids(models: &[ModelInfo]) -> Vec<&str> {
    models.iter().map(|model| model.spec.id.as_str()).collect()
}

#[tokio::test]
async fn start_up_loads_every_catalogue_model_into_the_models_table() {
    let studio = TestStudio::start(&[]).await;
    let rows = models::Entity::find().all(&studio.state.db).await.unwrap();
    let catalogue = Catalogue::embedded();
    assert_eq!(rows.len(), catalogue.models.len());
    let dev = rows.iter().find(|row| row.fal_model_id == "fal-ai/flux/dev").expect("FLUX dev is a row");
    let spec = catalogue.get("fal-ai/flux/dev").unwrap();
    assert_eq!(dev.display_name, spec.name);
    assert_eq!(dev.cost_per_generation, i32::try_from(spec.cost.credits).unwrap());
    assert!(dev.is_active);
    assert_eq!(dev.default_parameters["num_inference_steps"], json!(28));
}

#[tokio::test]
async fn everyone_can_list_the_models_and_fal_ones_need_a_key_on_an_offline_studio() {
    let studio = TestStudio::start(&[]).await;
    let visitor = Client::new(&studio);
    let models = listed(&visitor).await;
    assert_eq!(models.len(), Catalogue::embedded().models.len());
    for model in &models {
        let expected = match model.spec.provider {
            ProviderKind::Offline => ModelAvailability::Ready,
            ProviderKind::Fal => ModelAvailability::NeedsKey,
        };
        assert_eq!(model.availability, expected, "{}", model.spec.id);
    }
    assert!(ids(&models).contains(&"atelier/sketch"));

    let rest = visitor.get("/api/models").await;
    assert_eq!(rest.status, StatusCode::OK);
    assert_eq!(rest.json::<Vec<ModelInfo>>(), models);
    let one = visitor.get(&format!("/api/models/{}", models[0].key)).await;
    assert_eq!(one.json::<ModelInfo>(), models[0]);
}

#[tokio::test]
async fn with_a_fal_key_every_model_is_ready() {
    let studio = TestStudio::start(&[("FAL_KEY", "test-key")]).await;
    let models = listed(&Client::new(&studio)).await;
    assert!(models.iter().all(|model| model.availability == ModelAvailability::Ready));
}

#[tokio::test]
async fn only_administrators_switch_models_and_a_switched_off_model_disappears_for_users() {
    let studio = TestStudio::start(&[]).await;
    let root = admin(&studio, "root@example.com").await;
    let ada = signed_up(&studio, "ada@example.com").await;
    let schnell = listed(&ada).await.into_iter().find(|m| m.spec.id == "fal-ai/flux/schnell").unwrap();
    let key = schnell.key.to_string();

    let refused = ada.call(SetModelEnabled::PATH, &[("key", &key), ("enabled", "false")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let refused =
        Client::new(&studio).json_request("PUT", &format!("/api/admin/models/{key}/toggle"), &json!({})).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let refused = ada.json_request("PUT", &format!("/api/admin/models/{key}/toggle"), &json!({})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(ids(&listed(&ada).await).contains(&"fal-ai/flux/schnell"), "refused switches change nothing");

    let switched = root.call(SetModelEnabled::PATH, &[("key", &key), ("enabled", "false")]).await;
    assert_eq!(switched.status, StatusCode::OK, "{}", switched.body);
    assert!(!switched.json::<ModelInfo>().enabled);
    assert!(!ids(&listed(&ada).await).contains(&"fal-ai/flux/schnell"), "users no longer see it");
    let for_admin = listed(&root).await.into_iter().find(|m| m.spec.id == "fal-ai/flux/schnell").unwrap();
    assert!(!for_admin.enabled, "administrators still see it, marked off");
    let hidden = ada.get(&format!("/api/models/{key}")).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let refused = catalogue::enabled_spec(&studio.state.db, "fal-ai/flux/schnell").await.unwrap_err();
    assert!(refused.to_string().contains("switched off"), "{refused}");

    // The REST toggle without a body flips it back.
    let flipped = root.json_request("PUT", &format!("/api/admin/models/{key}/toggle"), &json!({})).await;
    assert_eq!(flipped.status, StatusCode::OK, "{}", flipped.body);
    assert!(flipped.json::<ModelInfo>().enabled);
    assert!(ids(&listed(&ada).await).contains(&"fal-ai/flux/schnell"));
}

#[tokio::test]
async fn a_restart_keeps_what_administrators_switched_off() {
    let studio = TestStudio::start(&[]).await;
    let db = &studio.state.db;
    let row = models::Entity::find().filter(models::Column::FalModelId.eq("fal-ai/aura-flow")).one(db).await.unwrap();
    catalogue::set_enabled(db, row.unwrap().id, false, false).await.unwrap();
    catalogue::sync(db, Catalogue::embedded()).await.unwrap();
    let row = models::Entity::find().filter(models::Column::FalModelId.eq("fal-ai/aura-flow")).one(db).await.unwrap();
    assert!(!row.unwrap().is_active);
}

#[tokio::test]
async fn unknown_model_keys_answer_404() {
    let studio = TestStudio::start(&[]).await;
    let root = admin(&studio, "root@example.com").await;
    let key = uuid::Uuid::now_v7();
    assert_eq!(root.get(&format!("/api/models/{key}")).await.status, StatusCode::NOT_FOUND);
    let response = root.call(SetModelEnabled::PATH, &[("key", &key.to_string()), ("enabled", "true")]).await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert_eq!(response.api_error().message, "That model does not exist.");
}

#[tokio::test]
async fn the_models_page_lists_the_catalogue_for_signed_in_users() {
    let studio = TestStudio::start(&[]).await;
    let ada = signed_up(&studio, "ada@example.com").await;
    let page = ada.page("/models").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Atelier Sketch"), "offline models are listed");
    assert!(page.body.contains("Offline preview · not AI"), "and labelled as not AI");
    assert!(page.body.contains("Needs a fal.ai key"), "fal models say what they need");
    let admin_page = ada.page("/admin/models").await;
    assert!(admin_page.body.contains("This page is for administrators."));
}

#[tokio::test]
async fn the_catalogue_loads_on_postgres_too() {
    let url = support::postgres::fresh_database().await;
    let studio = TestStudio::start(&[("DATABASE_URL", &url)]).await;
    let rows = models::Entity::find().all(&studio.state.db).await.unwrap();
    assert_eq!(rows.len(), Catalogue::embedded().models.len());
    let root = admin(&studio, "root@example.com").await;
    let key = rows[0].id.to_string();
    let switched = root.call(SetModelEnabled::PATH, &[("key", &key), ("enabled", "false")]).await;
    assert_eq!(switched.status, StatusCode::OK, "{}", switched.body);
}

#[tokio::test]
async fn offline_text_to_image_models_show_a_sample_made_by_the_renderer() {
    let studio = TestStudio::start(&[]).await;
    let visitor = Client::new(&studio);
    let models = listed(&visitor).await;
    let key_of = |id: &str| models.iter().find(|m| m.spec.id == id).unwrap().key;

    let sample = visitor.get_bytes(&format!("/api/models/{}/sample.png", key_of("atelier/sketch"))).await;
    assert_eq!(sample.status, StatusCode::OK);
    assert_eq!(sample.headers["content-type"], "image/png");
    let image = image::load_from_memory(&sample.body).expect("a real PNG");
    assert_eq!((image.width(), image.height()), (512, 512));
    let again = visitor.get_bytes(&format!("/api/models/{}/sample.png", key_of("atelier/sketch"))).await;
    assert_eq!(again.body, sample.body, "the same sample every time");

    for id in ["fal-ai/flux/dev", "atelier/sketch/upscale"] {
        let none = visitor.get_bytes(&format!("/api/models/{}/sample.png", key_of(id))).await;
        assert_eq!(none.status, StatusCode::NOT_FOUND, "{id} has no sample");
    }
}
