//! Bringing an image into the library through `POST /api/images/upload`, through the real router,
//! database, storage and engine: the file is checked, re-encoded, stored like a generated image and
//! served in every size, and it works as the input of an image-to-image job or an upscale. Every
//! refusal is a 422 naming `image` and leaves no row and no file behind.
#![cfg(feature = "ssr")]

mod support;

use atelier::api::generate::SubmitGeneration;
use atelier::api::images::{GetImage, IterateImage};
use atelier::server::db::entity::{generation_queue, images, users};
use atelier::server::storage::BlobKey;
use atelier::types::{ApiError, ImageDetail, ImageView, Job};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use leptos::server_fn::ServerFn;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use std::io::Cursor;
use support::client::{Client, signed_up};
use support::engine::{engine, made_by};
use support::studio::{TestResponse, TestStudio};
use uuid::Uuid;

const UPLOAD: &str = "/api/images/upload";

async fn studio(overrides: &[(&str, &str)]) -> TestStudio {
    let mut all = vec![("ATELIER_REQUIRE_VERIFIED_EMAIL", "false")];
    all.extend_from_slice(overrides);
    TestStudio::start(&all).await
}

/// An opaque picture whose every pixel differs from its neighbours, so a lossless copy can be told
/// from anything else.
fn drawn(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| Rgb([(x * 5 % 256) as u8, (y * 3 % 256) as u8, ((x + y) % 256) as u8]))
}

fn encoded(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).unwrap();
    out.into_inner()
}

fn png(width: u32, height: u32) -> Vec<u8> {
    encoded(&DynamicImage::ImageRgb8(drawn(width, height)), ImageFormat::Png)
}

async fn upload(client: &Client<'_>, file_name: &str, content_type: &str, bytes: &[u8]) -> TestResponse {
    client.upload(UPLOAD, "image", file_name, content_type, bytes).await
}

/// Uploads `bytes` and returns the new image, insisting on `201 Created`.
async fn uploaded(client: &Client<'_>, file_name: &str, bytes: &[u8]) -> ImageView {
    let response = upload(client, file_name, "application/octet-stream", bytes).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    response.json()
}

/// Asserts a 422 naming `image` and returns its message.
fn refused(response: &TestResponse) -> String {
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", response.body);
    let error = response.api_error();
    assert_eq!((error.code.as_str(), error.field.as_deref()), ("invalid", Some("image")), "{}", response.body);
    error.message
}

async fn user_id(studio: &TestStudio, email: &str) -> Uuid {
    users::Entity::find().filter(users::Column::Email.eq(email)).one(&studio.state.db).await.unwrap().unwrap().id
}

/// Every stored key under `prefix`.
async fn blobs_under(studio: &TestStudio, prefix: &str) -> Vec<String> {
    let prefix = BlobKey::parse(prefix).unwrap();
    studio.state.storage.list(&prefix).await.unwrap().iter().map(|key| key.as_str().to_owned()).collect()
}

async fn image_rows(studio: &TestStudio) -> u64 {
    images::Entity::find().count(&studio.state.db).await.unwrap()
}

/// The served file of one size of an image: its content type and decoded picture.
async fn served(client: &Client<'_>, id: Uuid, variant: &str) -> (String, Vec<u8>, DynamicImage) {
    let response = client.get_bytes(&ImageView::file_url(id, variant)).await;
    assert_eq!(response.status, StatusCode::OK, "{variant}");
    let content_type = response.headers[header::CONTENT_TYPE].to_str().unwrap().to_owned();
    let picture = image::load_from_memory(&response.body).unwrap_or_else(|e| panic!("{variant} decodes: {e}"));
    (content_type, response.body, picture)
}

async fn iterate(client: &Client<'_>, id: Uuid, iteration: Value) -> TestResponse {
    client.post_json(IterateImage::PATH, &json!({ "id": id, "iteration": iteration })).await
}

#[tokio::test]
async fn an_uploaded_png_joins_the_library_and_is_served_in_every_size() {
    let studio = studio(&[]).await;
    let ada = signed_up(&studio, "ada@example.com").await;
    let ada_id = user_id(&studio, "ada@example.com").await;
    let mut bytes = png(300, 200);
    // Bytes after the end of a PNG are not part of the picture and must not be kept.
    bytes.extend_from_slice(b"a secret tucked after IEND");

    let view = uploaded(&ada, "holiday.png", &bytes).await;
    assert_eq!((view.width, view.height, view.format.as_str()), (300, 200, "png"));
    assert_eq!((view.prompt.as_str(), view.negative_prompt.as_deref(), view.model_id.as_deref()), ("", None, None));
    assert_eq!((view.parameters.clone(), view.seed, view.generation_time), (json!({}), None, None));
    assert_eq!((view.cost_credits, view.is_favorite, view.parent_image_id), (0, false, None));

    let (content_type, original, picture) = served(&ada, view.id, "original").await;
    assert_eq!(content_type, "image/png");
    assert_eq!(original.len() as i64, view.file_size, "the size is the stored file's");
    assert_eq!(picture.to_rgb8(), drawn(300, 200), "the original keeps every pixel");
    assert!(!original.windows(8).any(|w| w == b"a secret"), "the original is re-encoded from its pixels");
    let (content_type, _, thumbnail) = served(&ada, view.id, "thumbnail").await;
    assert_eq!((content_type.as_str(), thumbnail.width(), thumbnail.height()), ("image/jpeg", 256, 171));
    let (content_type, _, preview) = served(&ada, view.id, "preview").await;
    assert_eq!((content_type.as_str(), preview.width(), preview.height()), ("image/jpeg", 300, 200));

    let base = format!("users/{ada_id}/images/{}", view.id);
    assert_eq!(
        blobs_under(&studio, &format!("users/{ada_id}")).await,
        [format!("{base}/original.png"), format!("{base}/preview.jpg"), format!("{base}/thumb.jpg")]
    );
    let row = images::Entity::find_by_id(view.id).one(&studio.state.db).await.unwrap().unwrap();
    assert_eq!((row.user_id, row.metadata["source"].as_str()), (ada_id, Some("upload")));

    let detail = ada.call(GetImage::PATH, &[("id", &view.id.to_string())]).await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.body);
    let detail: ImageDetail = detail.json();
    assert_eq!(detail.image, view, "the library reads it as the upload answered");
    assert_eq!((detail.parent, detail.children), (None, vec![]));

    let grace = signed_up(&studio, "grace@example.com").await;
    let theirs = grace.get_bytes(&ImageView::file_url(view.id, "original")).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND, "only the owner reaches it");
}

#[tokio::test]
async fn jpeg_and_webp_uploads_keep_their_format_and_a_transparent_one_keeps_its_transparency() {
    let studio = studio(&[]).await;
    let ada = signed_up(&studio, "ada@example.com").await;

    let jpeg = encoded(&DynamicImage::ImageRgb8(drawn(120, 80)), ImageFormat::Jpeg);
    let view = uploaded(&ada, "photo.jpeg", &jpeg).await;
    assert_eq!((view.width, view.height, view.format.as_str()), (120, 80, "jpeg"));
    let (content_type, _, picture) = served(&ada, view.id, "original").await;
    assert_eq!((content_type.as_str(), picture.width(), picture.height()), ("image/jpeg", 120, 80));

    let cut_out =
        RgbaImage::from_fn(50, 40, |x, y| Rgba([200, (x * 4) as u8, (y * 6) as u8, if x < 25 { 0 } else { 255 }]));
    let webp = encoded(&DynamicImage::ImageRgba8(cut_out.clone()), ImageFormat::WebP);
    // Named and typed as something else: only the bytes count.
    let response = upload(&ada, "sticker.gif", "image/gif", &webp).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    let view: ImageView = response.json();
    assert_eq!((view.width, view.height, view.format.as_str()), (50, 40, "webp"));
    let (content_type, _, picture) = served(&ada, view.id, "original").await;
    assert_eq!(content_type, "image/webp");
    assert_eq!(picture.to_rgba8(), cut_out, "lossless WebP keeps the pixels and the transparency");
    let (content_type, _, thumbnail) = served(&ada, view.id, "thumbnail").await;
    assert_eq!(content_type, "image/webp", "a transparent image's thumbnail stays transparent");
    assert_eq!(thumbnail.to_rgba8().get_pixel(0, 0)[3], 0);
}

#[tokio::test]
async fn an_uploaded_image_is_the_input_of_image_to_image_and_of_an_upscale_but_has_no_variations() {
    let studio = studio(&[]).await;
    let engine = engine(&studio);
    let ada = signed_up(&studio, "ada@example.com").await;
    let view = uploaded(&ada, "input.png", &png(96, 64)).await;

    // Strength 0 keeps the input exactly, so the result shows which picture the job read.
    let request = json!({
        "model_id": "atelier/sketch/image-to-image",
        "prompt": "a lighthouse at dusk",
        "parameters": { "image_url": ImageView::reference(view.id), "strength": 0.0, "seed": 3 },
    });
    let response = ada.post_json(SubmitGeneration::PATH, &json!({ "request": request })).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let job: Job = response.json();
    let made = made_by(&studio, job.id).await;
    assert_eq!(made.len(), 1);
    assert_eq!((made[0].width, made[0].height), (96, 64));
    let (_, _, result) = served(&ada, made[0].id, "original").await;
    assert_eq!(result.to_rgb8(), drawn(96, 64), "the job's input was the uploaded picture");

    let response = iterate(&ada, view.id, json!({ "kind": "upscale", "factor": 2 })).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let job: Job = response.json();
    let upscaled = made_by(&studio, job.id).await;
    assert_eq!(upscaled.len(), 1);
    assert_eq!((upscaled[0].width, upscaled[0].height, upscaled[0].parent_image_id), (192, 128, Some(view.id)));

    let response = iterate(&ada, view.id, json!({ "kind": "variations", "count": 1 })).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", response.body);
    let error: ApiError = response.api_error();
    assert_eq!(error.field.as_deref(), Some("iteration"), "an upload has no model settings to vary");
    engine.stop().await;
}

#[tokio::test]
async fn refused_uploads_name_the_field_say_why_and_leave_nothing_behind() {
    let studio = studio(&[("ATELIER_MAX_IMAGE_SIDE", "64"), ("ATELIER_MAX_UPLOAD_BYTES", "65536")]).await;
    let ada = signed_up(&studio, "ada@example.com").await;
    let ada_id = user_id(&studio, "ada@example.com").await;

    let text = upload(&ada, "cat.png", "image/png", b"this is a text file, not a picture\n").await;
    assert_eq!(refused(&text), "Only PNG, JPEG and WebP images are accepted.");

    let wide = upload(&ada, "wide.png", "image/png", &png(128, 128)).await;
    assert_eq!(refused(&wide), "The image is 128×128 pixels; the limit is 64×64.");

    // Just over the limit: the image door weighs it. Far over: the body is cut off unread.
    let mut heavy = png(8, 8);
    heavy.resize(70_000, 0);
    assert_eq!(refused(&upload(&ada, "heavy.png", "image/png", &heavy).await), "The file is larger than 64 KB.");
    let huge = vec![0u8; 3 * 1024 * 1024];
    assert_eq!(refused(&upload(&ada, "huge.png", "image/png", &huge).await), "The file is larger than 64 KB.");

    let whole = png(64, 64);
    let cut = upload(&ada, "cut.png", "image/png", &whole[..whole.len() / 2]).await;
    assert_eq!(refused(&cut), "The image could not be read: it may be damaged.");
    // A JPEG without its end marker still decodes, with grey where data is missing: refused as well.
    let jpeg = encoded(&DynamicImage::ImageRgb8(drawn(64, 64)), ImageFormat::Jpeg);
    let cut = upload(&ada, "cut.jpg", "image/jpeg", &jpeg[..jpeg.len() - 2]).await;
    assert_eq!(refused(&cut), "The image could not be read: it may be damaged.");

    let empty = upload(&ada, "empty.png", "image/png", b"").await;
    assert_eq!(refused(&empty), "The file is empty. Choose an image file to upload.");
    let misnamed = ada.upload(UPLOAD, "photo", "a.png", "image/png", &png(8, 8)).await;
    assert_eq!(refused(&misnamed), "Choose an image file to upload.");
    let not_a_form = ada.post_json(UPLOAD, &json!({ "image": "a.png" })).await;
    assert_eq!(refused(&not_a_form), "Choose an image file to upload.");

    let anonymous = Client::new(&studio).upload(UPLOAD, "image", "a.png", "image/png", &png(8, 8)).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{}", anonymous.body);
    assert_eq!(anonymous.api_error().code, "unauthorized");
    // A form posted from another site never reaches the handler.
    let forged = ada
        .send(
            Request::post(UPLOAD)
                .header(header::CONTENT_TYPE, "multipart/form-data; boundary=b")
                .header(header::ORIGIN, "https://evil.example")
                .header("sec-fetch-site", "cross-site")
                .body(Body::from(
                    "--b\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n\r\nx\r\n--b--\r\n",
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);

    assert_eq!(image_rows(&studio).await, 0, "no row for a refused upload");
    assert_eq!(blobs_under(&studio, &format!("users/{ada_id}")).await, Vec::<String>::new(), "no file either");

    // The limits themselves are allowed.
    let square = uploaded(&ada, "square.png", &png(64, 64)).await;
    assert_eq!((square.width, square.height), (64, 64));
}

#[tokio::test]
async fn when_the_row_cannot_be_written_the_files_already_stored_are_removed() {
    let studio = studio(&[]).await;
    let ada = signed_up(&studio, "ada@example.com").await;
    let ada_id = user_id(&studio, "ada@example.com").await;
    // A real database failure at the insert, after the files are written.
    studio
        .state
        .db
        .execute_unprepared(
            "CREATE TRIGGER refuse_images BEFORE INSERT ON images BEGIN SELECT RAISE(ABORT, 'refused'); END;",
        )
        .await
        .unwrap();

    let response = upload(&ada, "a.png", "image/png", &png(40, 30)).await;
    assert_eq!(response.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", response.body);
    assert_eq!(image_rows(&studio).await, 0);
    assert_eq!(blobs_under(&studio, &format!("users/{ada_id}")).await, Vec::<String>::new(), "no orphaned file");

    studio.state.db.execute_unprepared("DROP TRIGGER refuse_images;").await.unwrap();
    let view = uploaded(&ada, "a.png", &png(40, 30)).await;
    assert_eq!(blobs_under(&studio, &format!("users/{ada_id}/images/{}", view.id)).await.len(), 3);
}

#[tokio::test]
async fn an_unconfirmed_address_cannot_upload_when_the_studio_asks_for_one() {
    let studio = TestStudio::start(&[("ATELIER_REQUIRE_VERIFIED_EMAIL", "true")]).await;
    let ada = signed_up(&studio, "ada@example.com").await;
    let ada_id = user_id(&studio, "ada@example.com").await;

    let response = upload(&ada, "a.png", "image/png", &png(8, 8)).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", response.body);
    let error = response.api_error();
    assert_eq!(error.field.as_deref(), Some("email"));
    assert_eq!(error.message, "Confirm your email address before uploading: the link is in your inbox.");
    assert_eq!(image_rows(&studio).await, 0);
    assert_eq!(blobs_under(&studio, &format!("users/{ada_id}")).await, Vec::<String>::new());
}

#[tokio::test]
async fn uploads_past_the_rate_limit_wait_and_are_told_how_long() {
    let studio = studio(&[]).await;
    let ada = signed_up(&studio, "ada@example.com").await;
    let grace = signed_up(&studio, "grace@example.com").await;
    let small = png(8, 8);
    for n in 0..60 {
        let response = upload(&ada, "a.png", "image/png", &small).await;
        assert_eq!(response.status, StatusCode::CREATED, "upload {n}: {}", response.body);
    }

    let refused = upload(&ada, "a.png", "image/png", &small).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS, "{}", refused.body);
    assert_eq!(refused.api_error().code, "rate_limited");
    let retry_after: u64 = refused.headers[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=15 * 60).contains(&retry_after), "Retry-After: {retry_after}");
    assert_eq!(image_rows(&studio).await, 60, "the refused upload left no row");

    // The limit is per account: another person on the same network still uploads.
    uploaded(&grace, "b.png", &small).await;
}

#[tokio::test]
async fn an_upscale_past_the_largest_side_kept_is_refused_before_it_runs() {
    let studio = studio(&[]).await;
    let ada = signed_up(&studio, "ada@example.com").await;
    let long = uploaded(&ada, "long.png", &png(4200, 16)).await;

    let refused = iterate(&ada, long.id, json!({ "kind": "upscale", "factor": 2 })).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    let error = refused.api_error();
    assert_eq!(error.field.as_deref(), Some("factor"));
    assert_eq!(error.message, "The result would be 8400 × 32 pixels, and an image may be at most 8192 on a side.");
    assert_eq!(generation_queue::Entity::find().count(&studio.state.db).await.unwrap(), 0, "nothing queued");
}
