//! Sign-in latency through the real router (argon2id verify included), and the raw argon2id cost on
//! this machine. Run with `./scripts/bench`.

use atelier::api::auth::SignIn;
use atelier::server::accounts::registration::{self, Registration};
use atelier::server::auth::password;
use atelier::server::auth::session::ClientInfo;
use atelier::server::config::Config;
use atelier::server::http::router;
use atelier::server::state::AppState;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use leptos::server_fn::ServerFn;
use std::time::{Duration, Instant};
use tower::ServiceExt;

const SIGN_INS: usize = 40;
const HASHES: usize = 20;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

#[tokio::main]
async fn main() {
    let hashes: Vec<Duration> = (0..HASHES)
        .map(|_| {
            let started = Instant::now();
            password::hash_password("benchmark-passphrase-1").expect("hash");
            started.elapsed()
        })
        .collect();
    println!("argon2id (m=19 MiB, t=2, p=1) hash: median {:.1} ms over {HASHES}", median(hashes).as_secs_f64() * 1e3);

    let data_dir = tempfile::tempdir().expect("temp dir");
    let data_path = data_dir.path().display().to_string();
    let config = Config::from_sources(None, |name| match name {
        "ATELIER_DATA_DIR" => Some(data_path.clone()),
        "ATELIER_RATE_LIMIT_SCALE" => Some("100".into()),
        _ => None,
    })
    .expect("valid configuration");
    let state = AppState::open(config).await.expect("studio opens");
    let registration = Registration {
        email: "bench@example.com".into(),
        password: "benchmark-passphrase-1".into(),
        name: "Bench".into(),
    };
    registration::register(&state, registration, &ClientInfo::default()).await.expect("account");
    let app = router(state);

    let mut timings = Vec::with_capacity(SIGN_INS);
    for _ in 0..SIGN_INS {
        let request = Request::post(SignIn::PATH)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .body(Body::from("email=bench%40example.com&password=benchmark-passphrase-1&next="))
            .unwrap();
        let started = Instant::now();
        let response = app.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.into_body().collect().await.unwrap();
        timings.push(started.elapsed());
    }
    println!("sign-in through the router: median {:.1} ms over {SIGN_INS}", median(timings).as_secs_f64() * 1e3);
}
