//! The whole studio in-process: real router, real database, real storage, called through tower.

use atelier::server::config::Config;
use atelier::server::http::router;
use atelier::server::state::AppState;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

pub struct TestStudio {
    pub app: Router,
    pub state: AppState,
    _data_dir: tempfile::TempDir,
}

/// A response with its body read.
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl TestStudio {
    /// A studio on the embedded defaults (SQLite, local disk) in a fresh temp data dir, with
    /// `overrides` applied as environment variables would be.
    pub async fn start(overrides: &[(&str, &str)]) -> TestStudio {
        let data_dir = tempfile::tempdir().expect("temp data dir");
        let data_path = data_dir.path().display().to_string();
        let mut env: Vec<(String, String)> = vec![("ATELIER_DATA_DIR".into(), data_path)];
        env.extend(overrides.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let config = Config::from_sources(None, |name| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
            .expect("test configuration is valid");
        let state = AppState::open(config).await.expect("studio opens");
        TestStudio { app: router(state.clone()), state, _data_dir: data_dir }
    }

    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        let response: Response<Body> = self.app.clone().oneshot(request).await.expect("router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.expect("body reads").to_bytes();
        TestResponse { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    /// A GET as a browser navigation sends it (so redirects are real redirects).
    pub async fn get(&self, uri: &str) -> TestResponse {
        self.send(Request::get(uri).header("accept", "text/html,*/*;q=0.8").body(Body::empty()).unwrap()).await
    }
}
