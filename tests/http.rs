//! The studio's router in-process: pages rendered on the server, a server function, health probes.
#![cfg(feature = "ssr")]

mod support;

use atelier::api::studio::GetStudioStatus;
use atelier::types::{ProviderMode, StudioStatus};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use leptos::server_fn::ServerFn;
use support::studio::TestStudio;

#[tokio::test]
async fn landing_page_is_rendered_on_the_server() {
    let studio = TestStudio::start(&[]).await;
    let page = studio.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.starts_with("<!DOCTYPE html>"), "{}", &page.body[..100.min(page.body.len())]);
    assert!(page.body.contains("From a sentence to a"));
    assert!(page.body.contains("Questions, answered"));
    assert!(page.body.contains(r#"<link rel="manifest" href="/manifest.webmanifest">"#));
    assert!(page.body.contains("<title>Atelier</title>"), "title missing");
}

#[tokio::test]
async fn pages_render_in_the_theme_the_cookie_names() {
    let studio = TestStudio::start(&[]).await;
    assert!(studio.get("/").await.body.contains(r#"<html lang="en" data-theme="auto">"#));
    let request = Request::get("/").header(header::COOKIE, "x=1; atelier_theme=dark").body(Body::empty()).unwrap();
    assert!(studio.send(request).await.body.contains(r#"<html lang="en" data-theme="dark">"#));
    let request = Request::get("/").header(header::COOKIE, "atelier_theme=<script>").body(Body::empty()).unwrap();
    assert!(studio.send(request).await.body.contains(r#"data-theme="auto""#));
}

#[tokio::test]
async fn the_dashboard_sends_visitors_to_sign_in_during_server_rendering() {
    let studio = TestStudio::start(&[]).await;
    let page = studio.get("/dashboard").await;
    assert!(page.status.is_redirection(), "{}", page.status);
    assert_eq!(page.headers[header::LOCATION], "/login?next=/dashboard");
}

#[tokio::test]
async fn sign_in_pages_render_on_the_server() {
    let studio = TestStudio::start(&[]).await;
    for (path, text) in [
        ("/login", "Welcome back to your studio."),
        ("/register", "Create your account"),
        ("/forgot-password", "Forgot your password?"),
        ("/verify-email?token=x", "Confirm my email"),
        ("/reset-password?token=x", "This reset link is invalid, used or expired."),
    ] {
        let page = studio.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.body.contains(text), "{path} should say {text:?}");
    }
}

#[tokio::test]
async fn unknown_pages_answer_404_with_a_helpful_page() {
    let studio = TestStudio::start(&[]).await;
    let page = studio.get("/no/such/page").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("This page is not in the studio"));
}

#[tokio::test]
async fn studio_status_server_function_reports_the_offline_renderer_by_default() {
    let studio = TestStudio::start(&[]).await;
    let status = call_studio_status(&studio).await;
    assert_eq!(status.provider, ProviderMode::Offline);
    assert_eq!(status.storage, "Local disk");
    assert_eq!(status.database, "SQLite");
    assert_eq!(status.version, env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn studio_status_server_function_reports_fal_when_a_key_is_set() {
    let studio = TestStudio::start(&[("FAL_KEY", "test-key")]).await;
    assert_eq!(call_studio_status(&studio).await.provider, ProviderMode::Fal);
}

async fn call_studio_status(studio: &TestStudio) -> StudioStatus {
    let request = Request::post(GetStudioStatus::PATH)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .body(Body::empty())
        .unwrap();
    let response = studio.send(request).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    serde_json::from_str(&response.body).expect("status JSON")
}

#[tokio::test]
async fn healthz_answers_while_the_process_is_up() {
    let studio = TestStudio::start(&[]).await;
    let response = studio.get("/healthz").await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.body, "ok");
}

#[tokio::test]
async fn readyz_reports_database_and_storage_ready() {
    let studio = TestStudio::start(&[]).await;
    let response = studio.get("/readyz").await;
    assert_eq!(response.status, StatusCode::OK);
    let body: serde_json::Value = serde_json::from_str(&response.body).unwrap();
    assert_eq!(body, serde_json::json!({"ready": true, "database": "ok", "storage": "ok"}));
}

#[tokio::test]
async fn readyz_answers_503_when_storage_is_unusable() {
    let blocker = tempfile::NamedTempFile::new().unwrap();
    let unusable = blocker.path().join("blobs").display().to_string();
    let studio = TestStudio::start(&[("ATELIER_STORAGE_DIR", &unusable)]).await;
    let response = studio.get("/readyz").await;
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE);
    let body: serde_json::Value = serde_json::from_str(&response.body).unwrap();
    assert_eq!(body["storage"], "unreachable");
    assert_eq!(body["database"], "ok");
}

#[tokio::test]
async fn readyz_answers_503_when_the_database_is_gone() {
    let studio = TestStudio::start(&[]).await;
    studio.state.db.clone().close().await.unwrap();
    let response = studio.get("/readyz").await;
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let studio = TestStudio::start(&[]).await;
    for uri in ["/", "/healthz", "/missing"] {
        let response = studio.get(uri).await;
        assert_eq!(response.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{uri}");
        assert_eq!(response.headers[header::X_FRAME_OPTIONS], "DENY", "{uri}");
        assert!(response.headers.contains_key(header::REFERRER_POLICY), "{uri}");
    }
}

#[tokio::test]
async fn the_studio_runs_on_postgres_when_database_url_says_so() {
    let url = support::postgres::fresh_database().await;
    let studio = TestStudio::start(&[("DATABASE_URL", &url)]).await;
    assert_eq!(call_studio_status(&studio).await.database, "PostgreSQL");
    assert_eq!(studio.get("/readyz").await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_studio_stores_images_in_s3_when_configured() {
    let server = support::s3::S3Server::start();
    server.create_bucket("atelier");
    let studio = TestStudio::start(&[
        ("ATELIER_STORAGE", "s3"),
        ("ATELIER_S3_ENDPOINT", &server.endpoint),
        ("ATELIER_S3_REGION", &server.region),
        ("ATELIER_S3_ACCESS_KEY_ID", &server.access_key),
        ("ATELIER_S3_SECRET_ACCESS_KEY", &server.secret_key),
    ])
    .await;
    assert_eq!(call_studio_status(&studio).await.storage, "S3-compatible bucket");
    assert_eq!(studio.get("/readyz").await.status, StatusCode::OK);
}

#[tokio::test]
async fn pages_carry_a_content_security_policy_whose_nonce_marks_every_inline_script() {
    let studio = TestStudio::start(&[]).await;
    let page = studio.get("/").await;
    let policy = page.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(policy.contains("'wasm-unsafe-eval'"), "{policy}");
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    let nonce = policy.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect("a nonce");
    let inline_scripts = page.body.matches("<script").count();
    assert!(inline_scripts > 0);
    assert_eq!(page.body.matches(&format!("<script type=\"module\" nonce=\"{nonce}\"")).count(), 1);
    assert_eq!(
        page.body.matches(&format!("nonce=\"{nonce}\"")).count(),
        inline_scripts,
        "every inline script carries this response's nonce"
    );
}

#[tokio::test]
async fn account_requests_have_a_small_body_limit() {
    let studio = TestStudio::start(&[]).await;
    let padding = "x".repeat(20 * 1024);
    let body = format!(r#"{{"email":"a@example.com","password":"{padding}"}}"#);
    let request =
        Request::post("/api/auth/login").header(header::CONTENT_TYPE, "application/json").body(Body::from(body));
    assert_eq!(studio.send(request.unwrap()).await.status, StatusCode::PAYLOAD_TOO_LARGE);
}
