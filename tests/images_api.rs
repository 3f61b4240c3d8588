//! Iterating on an image through the real router and the real engine: an image reads with its parent
//! and children, can be marked a favourite, and variations, upscales and background removals become
//! jobs whose images are its children. Only the owner reaches an image, as a page or as an input.
#![cfg(feature = "ssr")]

mod support;

use atelier::api::generate::SubmitGeneration;
use atelier::api::images::{GetImage, IterateImage, SetImageFavourite};
use atelier::api::queue::GetMyQueue;
use atelier::server::db::entity::{generation_queue, images};
use atelier::types::{ApiError, ImageDetail, ImageView, Job, MyQueue};
use axum::http::StatusCode;
use chrono::Utc;
use leptos::server_fn::ServerFn;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use support::client::{Client, signed_up};
use support::engine::{engine, made_by};
use support::studio::{TestResponse, TestStudio};
use uuid::Uuid;

async fn studio() -> TestStudio {
    TestStudio::start(&[("ATELIER_REQUIRE_VERIFIED_EMAIL", "false")]).await
}

fn ok<T: DeserializeOwned>(response: TestResponse) -> T {
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    response.json()
}

fn refusal(response: TestResponse, status: StatusCode) -> ApiError {
    assert_eq!(response.status, status, "{}", response.body);
    response.api_error()
}

/// A 64×64 sketch with seed 7 made by the engine for `client`.
async fn sketched(studio: &TestStudio, client: &Client<'_>) -> images::Model {
    let request = json!({
        "model_id": "atelier/sketch",
        "prompt": "a red lighthouse on a green hill",
        "negative_prompt": "fog",
        "parameters": { "image_size": { "width": 64, "height": 64 }, "num_images": 1, "seed": 7 },
    });
    let job: Job = ok(client.post_json(SubmitGeneration::PATH, &json!({ "request": request })).await);
    let mut made = made_by(studio, job.id).await;
    assert_eq!(made.len(), 1);
    made.remove(0)
}

async fn get_image(client: &Client<'_>, id: Uuid) -> TestResponse {
    client.call(GetImage::PATH, &[("id", &id.to_string())]).await
}

async fn set_favourite(client: &Client<'_>, id: Uuid, favourite: bool) -> TestResponse {
    client.call(SetImageFavourite::PATH, &[("id", &id.to_string()), ("favourite", &favourite.to_string())]).await
}

async fn favourites_in_queue(client: &Client<'_>) -> Vec<Uuid> {
    ok::<MyQueue>(client.call(GetMyQueue::PATH, &[]).await).favourite_image_ids
}

async fn iterate(client: &Client<'_>, id: Uuid, iteration: Value) -> TestResponse {
    client.post_json(IterateImage::PATH, &json!({ "id": id, "iteration": iteration })).await
}

/// `submit_generation` of the offline upscaler on `image_url`, as a hand-made request would be.
async fn submit_upscale(client: &Client<'_>, image_url: &str, factor: u8) -> TestResponse {
    let request = json!({
        "model_id": "atelier/sketch/upscale",
        "prompt": "",
        "parameters": { "image_url": image_url, "upscale_factor": factor },
    });
    client.post_json(SubmitGeneration::PATH, &json!({ "request": request })).await
}

async fn jobs_in_queue(studio: &TestStudio) -> u64 {
    generation_queue::Entity::find().count(&studio.state.db).await.unwrap()
}

fn ids(views: &[ImageView]) -> Vec<Uuid> {
    views.iter().map(|view| view.id).collect()
}

#[tokio::test]
async fn an_image_reads_as_it_was_made_and_can_be_marked_a_favourite() {
    let studio = studio().await;
    let engine = engine(&studio);
    let ada = signed_up(&studio, "ada@example.com").await;
    let row = sketched(&studio, &ada).await;

    let detail: ImageDetail = ok(get_image(&ada, row.id).await);
    let image = &detail.image;
    assert_eq!((image.id, image.width, image.height), (row.id, 64, 64));
    assert_eq!(image.prompt, "a red lighthouse on a green hill");
    assert_eq!(image.negative_prompt.as_deref(), Some("fog"));
    assert_eq!(image.model_id.as_deref(), Some("atelier/sketch"));
    assert_eq!(image.seed, Some(7));
    assert_eq!(image.parameters["seed"], json!(7));
    assert_eq!(image.parameters["image_size"], json!({ "width": 64, "height": 64 }));
    assert_eq!((image.format.as_str(), image.file_size), ("png", row.file_size));
    assert_eq!(image.generation_time, row.generation_time);
    assert!(image.generation_time.is_some_and(|seconds| seconds >= 0.0));
    assert_eq!((image.cost_credits, image.is_favorite, image.parent_image_id), (0, false, None));
    assert_eq!((detail.parent, detail.children), (None, vec![]));
    let original = ada.get_bytes(&ImageView::file_url(row.id, "original")).await;
    assert_eq!(original.body.len() as i64, image.file_size, "the size is the stored file's");

    assert_eq!(favourites_in_queue(&ada).await, Vec::<Uuid>::new());
    let marked: ImageView = ok(set_favourite(&ada, row.id, true).await);
    assert!(marked.is_favorite);
    let stored = images::Entity::find_by_id(row.id).one(&studio.state.db).await.unwrap().unwrap();
    assert!(stored.is_favorite && stored.updated_at > row.updated_at);
    assert!(ok::<ImageDetail>(get_image(&ada, row.id).await).image.is_favorite);
    // The queue says which of its images are favourites, so the results need not ask one by one.
    assert_eq!(favourites_in_queue(&ada).await, vec![row.id]);
    let grace = signed_up(&studio, "grace@example.com").await;
    assert_eq!(favourites_in_queue(&grace).await, Vec::<Uuid>::new());
    let unmarked: ImageView = ok(set_favourite(&ada, row.id, false).await);
    assert!(!unmarked.is_favorite);
    assert!(!images::Entity::find_by_id(row.id).one(&studio.state.db).await.unwrap().unwrap().is_favorite);
    assert_eq!(favourites_in_queue(&ada).await, Vec::<Uuid>::new());

    assert_eq!(get_image(&Client::new(&studio), row.id).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refusal(get_image(&ada, Uuid::now_v7()).await, StatusCode::NOT_FOUND).code, "not_found");
    engine.stop().await;
}

#[tokio::test]
async fn variations_upscales_and_cut_outs_become_children_of_the_image() {
    let studio = studio().await;
    let engine = engine(&studio);
    let ada = signed_up(&studio, "ada@example.com").await;
    let original = sketched(&studio, &ada).await;

    // Variations: the same model and settings, new seeds, two images.
    let job: Job = ok(iterate(&ada, original.id, json!({ "kind": "variations", "count": 2 })).await);
    assert_eq!((job.model_id.as_str(), job.kind.as_str()), ("atelier/sketch", "variation"));
    assert_eq!(job.parent_image_id, Some(original.id));
    assert_eq!((job.prompt.as_str(), job.negative_prompt.as_deref()), (original.prompt.as_str(), Some("fog")));
    assert_eq!(job.parameters["num_images"], json!(2));
    assert_eq!(job.parameters["image_size"], original.parameters["image_size"]);
    assert!(job.parameters.get("seed").is_none(), "the engine picks a fresh seed: {}", job.parameters);
    let variations = made_by(&studio, job.id).await;
    assert_eq!(variations.len(), 2);
    for variation in &variations {
        assert_eq!(variation.parent_image_id, Some(original.id));
        assert_eq!((variation.width, variation.height), (64, 64));
        assert_ne!(variation.parameters["seed"], json!(7), "a new seed");
        assert_ne!(variation.metadata["sha256"], original.metadata["sha256"], "a different picture");
    }

    // Upscale 2×: the offline upscaler (the sketch was made offline), twice as wide and tall.
    let job: Job = ok(iterate(&ada, original.id, json!({ "kind": "upscale", "factor": 2 })).await);
    assert_eq!((job.model_id.as_str(), job.kind.as_str()), ("atelier/sketch/upscale", "upscale"));
    assert_eq!(job.parameters["image_url"], json!(ImageView::reference(original.id)));
    assert_eq!(job.parameters["upscale_factor"], json!(2));
    let upscaled = made_by(&studio, job.id).await;
    assert_eq!(upscaled.len(), 1);
    assert_eq!((upscaled[0].width, upscaled[0].height), (128, 128));
    assert_eq!(upscaled[0].parent_image_id, Some(original.id));
    assert_eq!(upscaled[0].prompt, original.prompt, "it still reads as the same picture");
    let file = image::load_from_memory(&ada.get_bytes(&upscaled[0].file_url).await.body).unwrap();
    assert_eq!((file.width(), file.height()), (128, 128), "the stored file is the size the row says");

    // Background removal: a cut-out with an alpha channel.
    let job: Job = ok(iterate(&ada, original.id, json!({ "kind": "remove_background" })).await);
    assert_eq!((job.model_id.as_str(), job.kind.as_str()), ("atelier/sketch/remove-background", "remove-background"));
    let cut_out = made_by(&studio, job.id).await;
    assert_eq!(cut_out.len(), 1);
    assert_eq!((cut_out[0].width, cut_out[0].height, cut_out[0].parent_image_id), (64, 64, Some(original.id)));
    let file = image::load_from_memory(&ada.get_bytes(&cut_out[0].file_url).await.body).unwrap();
    assert!(file.color().has_alpha(), "a cut-out keeps its transparency: {:?}", file.color());

    // The family, as the image page reads it: children oldest first, each child knowing its parent.
    let detail: ImageDetail = ok(get_image(&ada, original.id).await);
    let mut expected: Vec<Uuid> = variations.iter().chain(&upscaled).chain(&cut_out).map(|image| image.id).collect();
    assert_eq!(ids(&detail.children), expected);
    let child: ImageDetail = ok(get_image(&ada, upscaled[0].id).await);
    assert_eq!(child.parent.map(|parent| parent.id), Some(original.id));
    assert_eq!(child.image.parent_image_id, Some(original.id));

    // A trashed child leaves the family, and a trashed parent is no longer shown or iterated on.
    images::Entity::update_many()
        .col_expr(images::Column::DeletedAt, Expr::value(Utc::now()))
        .filter(images::Column::Id.eq(variations[0].id))
        .exec(&studio.state.db)
        .await
        .unwrap();
    expected.remove(0);
    assert_eq!(ids(&ok::<ImageDetail>(get_image(&ada, original.id).await).children), expected);
    assert_eq!(get_image(&ada, variations[0].id).await.status, StatusCode::NOT_FOUND);
    let queued = jobs_in_queue(&studio).await;
    let refused = iterate(&ada, variations[0].id, json!({ "kind": "upscale", "factor": 2 })).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    images::Entity::update_many()
        .col_expr(images::Column::DeletedAt, Expr::value(Utc::now()))
        .filter(images::Column::Id.eq(original.id))
        .exec(&studio.state.db)
        .await
        .unwrap();
    assert_eq!(ok::<ImageDetail>(get_image(&ada, upscaled[0].id).await).parent, None);
    assert_eq!(jobs_in_queue(&studio).await, queued, "nothing was queued for a trashed image");
    engine.stop().await;
}

#[tokio::test]
async fn iterations_outside_the_offered_ones_are_refused_naming_the_setting() {
    let studio = studio().await;
    let engine = engine(&studio);
    let ada = signed_up(&studio, "ada@example.com").await;
    let original = sketched(&studio, &ada).await;
    let queued = jobs_in_queue(&studio).await;

    for count in [0, 9] {
        let response = iterate(&ada, original.id, json!({ "kind": "variations", "count": count })).await;
        let error = refusal(response, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error.field.as_deref(), Some("count"), "{}", error.message);
        assert!(error.message.contains("1 to 4"), "{}", error.message);
    }
    let error = refusal(
        iterate(&ada, original.id, json!({ "kind": "upscale", "factor": 3 })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    );
    assert_eq!(error.field.as_deref(), Some("factor"));
    assert!(error.message.contains("2× or 4×"), "{}", error.message);

    // An upscaled image has no text-to-image settings to vary.
    let job: Job = ok(iterate(&ada, original.id, json!({ "kind": "upscale", "factor": 2 })).await);
    let upscaled = made_by(&studio, job.id).await.remove(0);
    let queued_after_upscale = jobs_in_queue(&studio).await;
    assert_eq!(queued_after_upscale, queued + 1);
    let error = refusal(
        iterate(&ada, upscaled.id, json!({ "kind": "variations", "count": 1 })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    );
    assert_eq!(error.field.as_deref(), Some("iteration"));
    assert!(error.message.contains("text-to-image"), "{}", error.message);
    assert_eq!(jobs_in_queue(&studio).await, queued_after_upscale, "no refused iteration was queued");
    engine.stop().await;
}

#[tokio::test]
async fn another_users_image_is_not_found_and_cannot_be_an_input() {
    let studio = studio().await;
    let engine = engine(&studio);
    let ada = signed_up(&studio, "ada@example.com").await;
    let grace = signed_up(&studio, "grace@example.com").await;
    let adas = sketched(&studio, &ada).await;
    let queued = jobs_in_queue(&studio).await;

    assert_eq!(refusal(get_image(&grace, adas.id).await, StatusCode::NOT_FOUND).code, "not_found");
    assert_eq!(refusal(set_favourite(&grace, adas.id, true).await, StatusCode::NOT_FOUND).code, "not_found");
    assert!(!images::Entity::find_by_id(adas.id).one(&studio.state.db).await.unwrap().unwrap().is_favorite);
    for iteration in [
        json!({ "kind": "variations", "count": 2 }),
        json!({ "kind": "upscale", "factor": 2 }),
        json!({ "kind": "remove_background" }),
    ] {
        assert_eq!(iterate(&grace, adas.id, iteration).await.status, StatusCode::NOT_FOUND);
    }

    // Naming Ada's image as an input by hand is refused at the field, as is an id that names nothing.
    for image_url in [ImageView::reference(adas.id), ImageView::reference(Uuid::now_v7()), "atelier:image/42".into()] {
        let error = refusal(submit_upscale(&grace, &image_url, 2).await, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error.field.as_deref(), Some("image_url"), "{image_url}");
        assert!(error.message.contains("not one of your images"), "{}", error.message);
    }
    assert_eq!(jobs_in_queue(&studio).await, queued, "nothing was queued for Grace");

    // Ada may name her own image that way.
    let job: Job = ok(submit_upscale(&ada, &ImageView::reference(adas.id), 4).await);
    let upscaled = made_by(&studio, job.id).await;
    assert_eq!((upscaled[0].width, upscaled[0].height), (256, 256));
    engine.stop().await;
}

#[tokio::test]
async fn arguments_that_do_not_decode_are_a_400_saying_so() {
    let studio = studio().await;
    let ada = signed_up(&studio, "ada@example.com").await;

    let not_an_id = ada.call(SetImageFavourite::PATH, &[("id", "not-an-id"), ("favourite", "true")]).await;
    let error = refusal(not_an_id, StatusCode::BAD_REQUEST);
    assert_eq!(error.code, "bad_request");
    assert_eq!(error.message, "The request was not understood. Reload the page and try again.");

    let missing = ada.call(SetImageFavourite::PATH, &[("favourite", "true")]).await;
    assert_eq!(refusal(missing, StatusCode::BAD_REQUEST).code, "bad_request");
    let bad_json =
        ada.post_json(IterateImage::PATH, &json!({ "id": Uuid::now_v7(), "iteration": { "kind": "sculpt" } })).await;
    assert_eq!(refusal(bad_json, StatusCode::BAD_REQUEST).code, "bad_request");
}
