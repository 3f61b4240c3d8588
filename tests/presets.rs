//! Generation presets through the real router (server functions and REST routes): a user saves the
//! generate page's settings under a name, overwrites them by saving under the same name, renames
//! and deletes them; the checks refuse what cannot be kept; nobody reaches another user's presets.
//! The migration that adds `generation_presets` is tested with the others in `tests/migrations.rs`.
#![cfg(feature = "ssr")]

mod support;

use atelier::api::account::DeleteAccount;
use atelier::api::presets::{DeletePreset, ListPresets, RenamePreset, SavePreset};
use atelier::server::db::entity::presets;
use atelier::server::presets::{MAX_PRESETS, PresetDraft, save};
use atelier::types::{ApiError, Preset};
use axum::http::StatusCode;
use leptos::server_fn::ServerFn;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};
use support::client::{Client, TEST_PASSWORD, signed_up};
use support::studio::{TestResponse, TestStudio};
use uuid::Uuid;

const MODEL: &str = "atelier/sketch";
const OTHER_MODEL: &str = "fal-ai/flux/schnell";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn preset_body(name: &str, model_id: &str, prompt: &str, parameters: Value) -> Value {
    json!({"name": name, "model_id": model_id, "prompt": prompt, "negative_prompt": null, "parameters": parameters})
}

async fn save_preset(client: &Client<'_>, body: &Value) -> TestResponse {
    client.post_json(SavePreset::PATH, body).await
}

async fn saved(client: &Client<'_>, name: &str, prompt: &str) -> Preset {
    ok(&save_preset(client, &preset_body(name, MODEL, prompt, json!({}))).await, StatusCode::OK)
}

async fn list(client: &Client<'_>) -> Vec<Preset> {
    ok(&client.call(ListPresets::PATH, &[]).await, StatusCode::OK)
}

fn names(presets: &[Preset]) -> Vec<&str> {
    presets.iter().map(|preset| preset.name.as_str()).collect()
}

async fn rename(client: &Client<'_>, id: Uuid, name: &str) -> TestResponse {
    client.call(RenamePreset::PATH, &[("id", &id.to_string()), ("name", name)]).await
}

async fn delete(client: &Client<'_>, id: Uuid) -> TestResponse {
    client.call(DeletePreset::PATH, &[("id", &id.to_string())]).await
}

fn ok<T: serde::de::DeserializeOwned>(response: &TestResponse, status: StatusCode) -> T {
    assert_eq!(response.status, status, "{}", response.body);
    response.json()
}

/// The refusal's error, after checking its status and the field it names.
fn refused(response: &TestResponse, status: StatusCode, field: Option<&str>) -> ApiError {
    assert_eq!(response.status, status, "{}", response.body);
    let error = response.api_error();
    assert_eq!(error.field.as_deref(), field, "{}", response.body);
    error
}

async fn postgres_studio() -> TestStudio {
    let url = support::postgres::fresh_database().await;
    TestStudio::start(&[("DATABASE_URL", &url)]).await
}

fn draft(name: &str) -> PresetDraft {
    PresetDraft {
        name: name.into(),
        model_id: MODEL.into(),
        prompt: "a lighthouse at dusk".into(),
        negative_prompt: None,
        parameters: serde_json::Map::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Saving, listing, overwriting, renaming, deleting
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_user_saves_overwrites_by_name_renames_and_deletes_presets_on_sqlite() {
    preset_lifecycle(TestStudio::start(&[]).await).await;
}

#[tokio::test]
async fn a_user_saves_overwrites_by_name_renames_and_deletes_presets_on_postgres() {
    preset_lifecycle(postgres_studio().await).await;
}

async fn preset_lifecycle(studio: TestStudio) {
    let ada = signed_up(&studio, "ada@example.com").await;
    assert!(list(&ada).await.is_empty());

    // Saved as sent, the name trimmed and the prompts kept out of the parameters.
    let body = json!({
        "name": "  Foggy harbour ",
        "model_id": MODEL,
        "prompt": "a harbour in the fog",
        "negative_prompt": "people",
        "parameters": {"seed": 7, "image_size": {"width": 512, "height": 384}, "prompt": "stray", "negative_prompt": "stray"},
    });
    let harbour: Preset = ok(&save_preset(&ada, &body).await, StatusCode::OK);
    assert_eq!(harbour.name, "Foggy harbour");
    assert_eq!((harbour.model_id.as_str(), harbour.prompt.as_str()), (MODEL, "a harbour in the fog"));
    assert_eq!(harbour.negative_prompt.as_deref(), Some("people"));
    assert_eq!(
        Value::Object(harbour.parameters.clone()),
        json!({"seed": 7, "image_size": {"width": 512, "height": 384}})
    );
    assert_eq!(list(&ada).await, std::slice::from_ref(&harbour));

    // Listed by name, whatever the case.
    saved(&ada, "alpine lake", "a lake").await;
    saved(&ada, "Zebra", "stripes").await;
    assert_eq!(names(&list(&ada).await), ["alpine lake", "Foggy harbour", "Zebra"]);

    // The same name again replaces the settings in place: same id, newer `updated_at`.
    let body = json!({"name": "Foggy harbour", "model_id": OTHER_MODEL, "prompt": "a harbour at night",
        "negative_prompt": "", "parameters": {"num_images": 2}});
    let overwritten: Preset = ok(&save_preset(&ada, &body).await, StatusCode::OK);
    assert_eq!(overwritten.id, harbour.id);
    assert!(overwritten.updated_at > harbour.updated_at, "{} > {}", overwritten.updated_at, harbour.updated_at);
    assert_eq!((overwritten.model_id.as_str(), overwritten.prompt.as_str()), (OTHER_MODEL, "a harbour at night"));
    assert_eq!(overwritten.negative_prompt, None, "an empty negative prompt is none");
    assert_eq!(Value::Object(overwritten.parameters.clone()), json!({"num_images": 2}));
    let all = list(&ada).await;
    assert_eq!(names(&all), ["alpine lake", "Foggy harbour", "Zebra"]);
    assert!(all.contains(&overwritten));

    // Renamed, keeping its settings; its own name again is no clash.
    let renamed: Preset = ok(&rename(&ada, harbour.id, " Night harbour ").await, StatusCode::OK);
    assert_eq!(renamed, Preset { name: "Night harbour".into(), updated_at: renamed.updated_at, ..overwritten.clone() });
    assert!(renamed.updated_at >= overwritten.updated_at);
    let same: Preset = ok(&rename(&ada, harbour.id, "Night harbour").await, StatusCode::OK);
    let clash = rename(&ada, harbour.id, "Zebra").await;
    assert_eq!(clash.status, StatusCode::CONFLICT, "{}", clash.body);
    assert_eq!(same.name, "Night harbour");
    assert_eq!(names(&list(&ada).await), ["alpine lake", "Night harbour", "Zebra"]);

    // Deleted, once.
    let response = delete(&ada, harbour.id).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(names(&list(&ada).await), ["alpine lake", "Zebra"]);
    refused(&delete(&ada, harbour.id).await, StatusCode::NOT_FOUND, None);
    refused(&rename(&ada, harbour.id, "Back").await, StatusCode::NOT_FOUND, None);
}

// ---------------------------------------------------------------------------------------------
// Refusals
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn names_must_be_one_to_sixty_characters_and_models_must_be_in_the_catalogue() {
    let studio = TestStudio::start(&[]).await;
    let ada = signed_up(&studio, "ada@example.com").await;

    for name in ["", "   ", "two\nlines"] {
        let response = save_preset(&ada, &preset_body(name, MODEL, "a fox", json!({}))).await;
        refused(&response, StatusCode::UNPROCESSABLE_ENTITY, Some("name"));
    }
    // Characters, not bytes: 60 two-byte letters are fine, 61 are not.
    let sixty = "é".repeat(60);
    let longest: Preset = ok(&save_preset(&ada, &preset_body(&sixty, MODEL, "a fox", json!({}))).await, StatusCode::OK);
    let too_long = "é".repeat(61);
    let error = refused(
        &save_preset(&ada, &preset_body(&too_long, MODEL, "a fox", json!({}))).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("name"),
    );
    assert!(error.message.contains("60"), "{}", error.message);
    refused(&rename(&ada, longest.id, &too_long).await, StatusCode::UNPROCESSABLE_ENTITY, Some("name"));
    refused(&rename(&ada, longest.id, " ").await, StatusCode::UNPROCESSABLE_ENTITY, Some("name"));

    let response = save_preset(&ada, &preset_body("Nope", "fal-ai/not-a-model", "a fox", json!({}))).await;
    refused(&response, StatusCode::UNPROCESSABLE_ENTITY, Some("model_id"));

    // Parameters are not checked against the model (a half-filled form may be kept)...
    let half_done = json!({"seed": "not yet", "image_size": null, "unknown": [1, 2, 3]});
    let kept: Preset =
        ok(&save_preset(&ada, &preset_body("Half done", MODEL, "", half_done.clone())).await, StatusCode::OK);
    assert_eq!(Value::Object(kept.parameters), half_done);
    // ...but they are at most 16 KB, once the prompts they should not hold are dropped.
    let large = json!({"notes": "x".repeat(17 * 1024)});
    let response = save_preset(&ada, &preset_body("Large", MODEL, "a fox", large)).await;
    let error = refused(&response, StatusCode::UNPROCESSABLE_ENTITY, Some("parameters"));
    assert!(error.message.contains("16 KB"), "{}", error.message);
    let only_a_long_prompt = json!({"prompt": "x".repeat(17 * 1024), "seed": 3});
    let fits: Preset =
        ok(&save_preset(&ada, &preset_body("Fits", MODEL, "a fox", only_a_long_prompt)).await, StatusCode::OK);
    assert_eq!(Value::Object(fits.parameters), json!({"seed": 3}));

    // Nothing was written by the refusals.
    assert_eq!(names(&list(&ada).await), ["Fits", "Half done", sixty.as_str()]);
}

#[tokio::test]
async fn renaming_to_a_name_another_preset_has_is_refused() {
    let studio = TestStudio::start(&[]).await;
    let ada = signed_up(&studio, "ada@example.com").await;
    let first = saved(&ada, "First", "one").await;
    let second = saved(&ada, "Second", "two").await;

    let response = rename(&ada, second.id, "  First ").await;
    assert_eq!(response.status, StatusCode::CONFLICT, "{}", response.body);
    assert!(response.api_error().message.contains("First"), "{}", response.body);
    // Names are exact: another case is another name.
    let lower: Preset = ok(&rename(&ada, second.id, "first").await, StatusCode::OK);
    assert_eq!(lower.name, "first");
    let mut kept = list(&ada).await;
    kept.sort_by_key(|preset| preset.id);
    assert_eq!(kept, [first, lower]);
}

#[tokio::test]
async fn a_user_keeps_at_most_a_hundred_presets_but_may_still_overwrite_one() {
    let studio = TestStudio::start(&[]).await;
    let ada = signed_up(&studio, "ada@example.com").await;
    let mut first = None;
    for n in 0..MAX_PRESETS {
        let preset = saved(&ada, &format!("Preset {n:03}"), "a fox").await;
        first.get_or_insert(preset);
    }
    assert_eq!(list(&ada).await.len(), 100);

    let response = save_preset(&ada, &preset_body("One more", MODEL, "a fox", json!({}))).await;
    let error = refused(&response, StatusCode::UNPROCESSABLE_ENTITY, Some("name"));
    assert!(error.message.contains("delete some"), "{}", error.message);
    assert_eq!(list(&ada).await.len(), 100);

    // Overwriting adds nothing, so it is still allowed; deleting one makes room.
    let overwritten = saved(&ada, "Preset 000", "a wolf").await;
    assert_eq!(overwritten.id, first.expect("a first preset").id);
    assert_eq!(delete(&ada, overwritten.id).await.status, StatusCode::OK);
    saved(&ada, "One more", "a fox").await;
    assert_eq!(list(&ada).await.len(), 100);
}

#[tokio::test]
async fn concurrent_saves_never_take_a_user_past_a_hundred_presets_on_postgres() {
    let db = support::queue::postgres().await;
    let owner = support::queue::account(&db, 0).await;
    for n in 0..95 {
        save(&db, owner, draft(&format!("Preset {n:02}"))).await.unwrap();
    }

    let attempts = (0..12).map(|n| {
        let db = db.clone();
        tokio::spawn(async move { save(&db, owner, draft(&format!("Racing {n:02}"))).await })
    });
    let results: Vec<_> = futures_util::future::join_all(attempts).await;
    let refusals: Vec<String> = results
        .into_iter()
        .filter_map(|result| result.expect("the task ran").err())
        .map(|refusal| refusal.to_string())
        .collect();
    assert_eq!(refusals.len(), 7, "{refusals:?}");
    assert!(refusals.iter().all(|refusal| refusal.contains("delete some")), "{refusals:?}");
    let stored = presets::Entity::find().count(&db).await.unwrap();
    assert_eq!(stored, MAX_PRESETS);
}

// ---------------------------------------------------------------------------------------------
// Isolation
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn nobody_sees_renames_or_deletes_another_users_presets() {
    let studio = TestStudio::start(&[]).await;
    let ada = signed_up(&studio, "ada@example.com").await;
    let grace = signed_up(&studio, "grace@example.com").await;
    let adas = saved(&ada, "Harbour", "a harbour").await;

    assert!(list(&grace).await.is_empty());
    refused(&rename(&grace, adas.id, "Mine now").await, StatusCode::NOT_FOUND, None);
    refused(&delete(&grace, adas.id).await, StatusCode::NOT_FOUND, None);
    refused(&rename(&grace, Uuid::now_v7(), "Unknown").await, StatusCode::NOT_FOUND, None);
    let path = format!("/api/presets/{}", adas.id);
    refused(&grace.json_request("PATCH", &path, &json!({"name": "Mine now"})).await, StatusCode::NOT_FOUND, None);
    refused(&grace.json_request("DELETE", &path, &json!({})).await, StatusCode::NOT_FOUND, None);

    // Names are per user: Grace's "Harbour" is her own, and Ada's is untouched.
    let graces = saved(&grace, "Harbour", "her harbour").await;
    assert_ne!(graces.id, adas.id);
    assert_eq!(list(&ada).await, [adas]);
    assert_eq!(list(&grace).await, [graces]);

    let visitor = Client::new(&studio);
    assert_eq!(visitor.call(ListPresets::PATH, &[]).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(visitor.get("/api/presets").await.status, StatusCode::UNAUTHORIZED);
    let body = preset_body("Anonymous", MODEL, "a fox", json!({}));
    assert_eq!(save_preset(&visitor, &body).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(visitor.post_json("/api/presets", &body).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn deleting_an_account_deletes_its_presets() {
    let studio = TestStudio::start(&[]).await;
    let ada = signed_up(&studio, "ada@example.com").await;
    let grace = signed_up(&studio, "grace@example.com").await;
    saved(&ada, "Harbour", "a harbour").await;
    let graces = saved(&grace, "Harbour", "her harbour").await;

    let deleted = ada.call(DeleteAccount::PATH, &[("current_password", TEST_PASSWORD)]).await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    let left: Vec<Uuid> =
        presets::Entity::find().all(&studio.state.db).await.unwrap().into_iter().map(|p| p.id).collect();
    assert_eq!(left, [graces.id]);
}

// ---------------------------------------------------------------------------------------------
// REST
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_rest_routes_list_save_rename_and_delete_with_the_same_checks() {
    let studio = TestStudio::start(&[]).await;
    let ada = signed_up(&studio, "ada@example.com").await;

    let empty: Vec<Preset> = ok(&ada.get("/api/presets").await, StatusCode::OK);
    assert!(empty.is_empty());

    // `negative_prompt` and `parameters` may be left out.
    let body = json!({"name": "Script", "model_id": MODEL, "prompt": "a lighthouse"});
    let created: Preset = ok(&ada.post_json("/api/presets", &body).await, StatusCode::CREATED);
    assert_eq!((created.name.as_str(), created.negative_prompt.as_deref()), ("Script", None));
    assert!(created.parameters.is_empty());
    let body = json!({"name": "Script", "model_id": MODEL, "prompt": "a lighthouse", "parameters": {"seed": 1}});
    let again: Preset = ok(&ada.post_json("/api/presets", &body).await, StatusCode::CREATED);
    assert_eq!(again.id, created.id);
    let listed: Vec<Preset> = ok(&ada.get("/api/presets").await, StatusCode::OK);
    assert_eq!(listed, std::slice::from_ref(&again));
    // The server functions see the same presets.
    assert_eq!(list(&ada).await, std::slice::from_ref(&again));

    let path = format!("/api/presets/{}", created.id);
    let renamed: Preset = ok(&ada.json_request("PATCH", &path, &json!({"name": "Scripted"})).await, StatusCode::OK);
    assert_eq!((renamed.id, renamed.name.as_str()), (created.id, "Scripted"));

    let response = ada.post_json("/api/presets", &json!({"name": "", "model_id": MODEL, "prompt": "x"})).await;
    refused(&response, StatusCode::UNPROCESSABLE_ENTITY, Some("name"));
    let response = ada.post_json("/api/presets", &json!({"name": "No model", "prompt": "x"})).await;
    refused(&response, StatusCode::UNPROCESSABLE_ENTITY, Some("body"));
    let response = ada.post_json("/api/presets", &json!({"name": "Bad", "model_id": "nope", "prompt": "x"})).await;
    refused(&response, StatusCode::UNPROCESSABLE_ENTITY, Some("model_id"));
    saved(&ada, "Other", "x").await;
    let response = ada.json_request("PATCH", &path, &json!({"name": "Other"})).await;
    assert_eq!(response.status, StatusCode::CONFLICT, "{}", response.body);

    let response = ada.json_request("DELETE", &path, &json!({})).await;
    assert_eq!(response.status, StatusCode::NO_CONTENT, "{}", response.body);
    assert!(response.body.is_empty());
    let listed: Vec<Preset> = ok(&ada.get("/api/presets").await, StatusCode::OK);
    assert_eq!(names(&listed), ["Other"]);
    refused(&ada.json_request("DELETE", &path, &json!({})).await, StatusCode::NOT_FOUND, None);
}
