//! Starting a generation through the `submit_generation` server function: the checks a person can act
//! on, and a queued job that the engine turns into images.
#![cfg(feature = "ssr")]

mod support;

use atelier::api::generate::SubmitGeneration;
use atelier::api::shares::{ListImageShares, RevokeImageShare, ShareImage};
use atelier::server::db::entity::{generation_queue, images, shared_images, users};
use atelier::server::jobs::engine::{Engine, EngineSettings};
use atelier::types::{ImageShare, Job, JobStatus};
use axum::http::StatusCode;
use chrono::Utc;
use leptos::server_fn::ServerFn;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use support::client::{Client, signed_up};
use support::studio::{TestResponse, TestStudio};

async fn submit(client: &Client<'_>, request: Value) -> TestResponse {
    client.post_json(SubmitGeneration::PATH, &json!({ "request": request })).await
}

fn sketch(prompt: &str) -> Value {
    json!({
        "model_id": "atelier/sketch",
        "prompt": prompt,
        "parameters": { "image_size": { "width": 64, "height": 64 }, "num_images": 2, "seed": 7 },
    })
}

async fn jobs_in_queue(studio: &TestStudio) -> u64 {
    generation_queue::Entity::find().count(&studio.state.db).await.unwrap()
}

#[tokio::test]
async fn a_submitted_sketch_is_queued_at_once_and_the_engine_makes_its_images() {
    let studio = TestStudio::start(&[("ATELIER_REQUIRE_VERIFIED_EMAIL", "false")]).await;
    let ada = signed_up(&studio, "ada@example.com").await;
    let response = submit(&ada, sketch("a lighthouse at dusk")).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let job: Job = response.json();
    assert_eq!(
        (job.status, job.kind.as_str(), job.model_id.as_str()),
        (JobStatus::Pending, "text-to-image", "atelier/sketch")
    );
    assert_eq!(job.parameters["num_inference_steps"], json!(12), "the model's defaults are filled in");

    let mut settings = EngineSettings::from_config(&studio.state.config);
    settings.idle = Duration::from_millis(50);
    let engine = Engine::start_with(studio.state.clone(), settings);
    let started = Instant::now();
    let done = loop {
        let row = generation_queue::Entity::find_by_id(job.id).one(&studio.state.db).await.unwrap().unwrap();
        if row.status == generation_queue::STATUS_COMPLETED || started.elapsed() > Duration::from_secs(20) {
            break row;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    engine.stop().await;
    assert_eq!(done.status, generation_queue::STATUS_COMPLETED, "{:?}", done.error_message);
    let owner = users::Entity::find().filter(users::Column::Email.eq("ada@example.com")).one(&studio.state.db).await;
    let owner = owner.unwrap().unwrap().id;
    let made = images::Entity::find().filter(images::Column::UserId.eq(owner)).all(&studio.state.db).await.unwrap();
    assert_eq!(made.len(), 2);

    // The owner fetches each size; nobody else can.
    let image = &made[0];
    for (variant, side) in [("original", 64), ("preview", 64), ("thumbnail", 64)] {
        let file = ada.get_bytes(&format!("/api/images/{}/{variant}", image.id)).await;
        assert_eq!(file.status, StatusCode::OK, "{variant}");
        assert!(file.headers["cache-control"].to_str().unwrap().starts_with("private"));
        let decoded = image::load_from_memory(&file.body).expect("a real image");
        assert_eq!((decoded.width(), decoded.height()), (side, side), "{variant}");
    }
    assert_eq!(image.file_url, format!("/api/images/{}/original", image.id));
    let grace = signed_up(&studio, "grace@example.com").await;
    assert_eq!(grace.get_bytes(&image.file_url).await.status, StatusCode::NOT_FOUND);
    assert_eq!(Client::new(&studio).get_bytes(&image.file_url).await.status, StatusCode::UNAUTHORIZED);
    let unknown = ada.get_bytes(&format!("/api/images/{}/poster", image.id)).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    // A share link opens the image to anyone holding it, until it expires or is revoked.
    let id = image.id.to_string();
    let refused = grace.call(ShareImage::PATH, &[("image_id", &id)]).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND, "only the owner shares an image");
    let too_long = ada.call(ShareImage::PATH, &[("image_id", &id), ("days", "1000")]).await;
    assert_eq!(too_long.api_error().field.as_deref(), Some("days"));
    let forever: ImageShare = ok(ada.call(ShareImage::PATH, &[("image_id", &id)]).await);
    let weekly: ImageShare = ok(ada.call(ShareImage::PATH, &[("image_id", &id), ("days", "7")]).await);
    assert!(forever.expires_at.is_none() && weekly.expires_at.is_some());
    let listed: Vec<ImageShare> = ok(ada.call(ListImageShares::PATH, &[("image_id", &id)]).await);
    assert_eq!(listed.iter().map(|share| share.id).collect::<Vec<_>>(), [weekly.id, forever.id]);
    assert!(ok::<Vec<ImageShare>>(grace.call(ListImageShares::PATH, &[("image_id", &id)]).await).is_empty());

    let visitor = Client::new(&studio);
    let original = visitor.get_bytes(&forever.original_url).await;
    assert_eq!(original.status, StatusCode::OK);
    assert_eq!(original.headers["content-type"], "image/png");
    assert_eq!(original.headers["cache-control"], "public, max-age=300");
    assert_eq!(original.body, ada.get_bytes(&image.file_url).await.body, "the very same file");
    assert_eq!(visitor.get_bytes(&weekly.preview_url).await.status, StatusCode::OK);

    shared_images::Entity::update_many()
        .col_expr(shared_images::Column::ExpiresAt, Expr::value(Utc::now() - chrono::Duration::minutes(1)))
        .filter(shared_images::Column::Id.eq(weekly.id))
        .exec(&studio.state.db)
        .await
        .unwrap();
    assert_eq!(visitor.get_bytes(&weekly.preview_url).await.status, StatusCode::NOT_FOUND, "expired");
    let revoke = grace.call(RevokeImageShare::PATH, &[("id", &forever.id.to_string())]).await;
    assert_eq!(revoke.status, StatusCode::NOT_FOUND, "only the owner revokes");
    let _: () = ok(ada.call(RevokeImageShare::PATH, &[("id", &forever.id.to_string())]).await);
    assert_eq!(visitor.get_bytes(&forever.original_url).await.status, StatusCode::NOT_FOUND, "revoked");
    assert_eq!(visitor.get_bytes("/api/shared/not-a-token/original").await.status, StatusCode::NOT_FOUND);
}

fn ok<T: serde::de::DeserializeOwned>(response: TestResponse) -> T {
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    response.json()
}

#[tokio::test]
async fn a_bad_setting_is_refused_naming_the_field_and_nothing_is_queued() {
    let studio = TestStudio::start(&[("ATELIER_REQUIRE_VERIFIED_EMAIL", "false")]).await;
    let ada = signed_up(&studio, "ada@example.com").await;
    let mut request = sketch("a lighthouse at dusk");
    request["parameters"]["num_inference_steps"] = json!(500);
    let response = submit(&ada, request).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", response.body);
    let error = response.api_error();
    assert_eq!(error.field.as_deref(), Some("num_inference_steps"));
    assert!(error.message.contains("between 1 and 50"), "{}", error.message);

    let response = submit(&ada, sketch("   ")).await;
    assert_eq!(response.api_error().field.as_deref(), Some("prompt"));
    assert_eq!(jobs_in_queue(&studio).await, 0);
}

#[tokio::test]
async fn what_cannot_run_here_says_why() {
    let studio = TestStudio::start(&[]).await;
    let ada = signed_up(&studio, "ada@example.com").await;
    let response = submit(&ada, sketch("a lighthouse at dusk")).await;
    assert_eq!(response.api_error().field.as_deref(), Some("email"), "unverified users are asked to confirm first");
    assert!(response.api_error().message.contains("Confirm your email address"));

    let studio = TestStudio::start(&[("ATELIER_REQUIRE_VERIFIED_EMAIL", "false")]).await;
    let ada = signed_up(&studio, "ada@example.com").await;
    let mut request = sketch("a lighthouse at dusk");
    request["model_id"] = json!("fal-ai/flux/dev");
    request["parameters"] = json!({});
    let response = submit(&ada, request).await;
    assert_eq!(response.api_error().field.as_deref(), Some("model_id"));
    assert!(response.api_error().message.contains("FAL_KEY"), "{}", response.body);

    let mut request = sketch("a lighthouse at dusk");
    request["model_id"] = json!("no/such/model");
    assert_eq!(submit(&ada, request).await.status, StatusCode::NOT_FOUND);
    assert_eq!(submit(&Client::new(&studio), sketch("x")).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(jobs_in_queue(&studio).await, 0);
}

#[tokio::test]
async fn the_generate_page_renders_the_form_for_a_signed_in_user() {
    let studio = TestStudio::start(&[]).await;
    let ada = signed_up(&studio, "ada@example.com").await;
    let page = ada.page("/generate").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#"<option value="atelier/sketch""#), "the models are offered");
    assert!(page.body.contains(r#"<textarea id="prompt""#), "the prompt box is there without JavaScript");
    assert!(page.body.contains(r#"data-testid="results-empty""#), "a new user is told how to start");
}
