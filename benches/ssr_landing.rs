//! Server-side rendering time of the landing page: 1,000 in-process requests through the real router,
//! reporting the median and the 95th percentile. Run with `./scripts/bench`.

use atelier::server::config::Config;
use atelier::server::http::router;
use atelier::server::state::AppState;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use std::time::{Duration, Instant};
use tower::ServiceExt;

const REQUESTS: usize = 1_000;

#[tokio::main]
async fn main() {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let data_path = data_dir.path().display().to_string();
    let config = Config::from_sources(None, |name| (name == "ATELIER_DATA_DIR").then(|| data_path.clone()))
        .expect("valid configuration");
    let app = router(AppState::open(config).await.expect("studio opens"));

    let mut timings = Vec::with_capacity(REQUESTS);
    for _ in 0..REQUESTS + 50 {
        let started = Instant::now();
        let response = app.clone().oneshot(Request::get("/").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let body = response.into_body().collect().await.unwrap().to_bytes();
        assert!(body.len() > 1_000);
        timings.push(started.elapsed());
    }
    // The first requests warm caches; they are not what a running studio sees.
    timings.drain(..50);
    timings.sort();
    let percentile = |p: f64| timings[((timings.len() as f64 * p) as usize).min(timings.len() - 1)];
    let mean = timings.iter().sum::<Duration>() / timings.len() as u32;
    println!(
        "landing page SSR over {REQUESTS} requests: median {:.3} ms, p95 {:.3} ms, mean {:.3} ms",
        percentile(0.5).as_secs_f64() * 1e3,
        percentile(0.95).as_secs_f64() * 1e3,
        mean.as_secs_f64() * 1e3,
    );
}
