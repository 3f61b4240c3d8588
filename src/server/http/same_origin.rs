//! Cross-site request forgery protection: a state-changing request (anything but GET, HEAD, OPTIONS)
//! from a browser must come from the studio's own pages. Browsers say where a request comes from in
//! `Sec-Fetch-Site` and `Origin`; clients that send neither (curl, scripts) are not browsers acting on a
//! user's cookies, so they pass.

use crate::server::error::AppError;
use crate::server::state::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn require_same_origin(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if is_safe_method(request.method()) || is_same_origin(request.headers(), &state.config.server.public_url) {
        next.run(request).await
    } else {
        tracing::warn!(method = %request.method(), uri = %request.uri(), "cross-site request refused");
        AppError::Forbidden.into_response()
    }
}

fn is_safe_method(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn is_same_origin(headers: &HeaderMap, public_origin: &str) -> bool {
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    match fetch_site {
        // "none": the user typed or bookmarked it. Neither can carry a forged form.
        Some("same-origin" | "none") => return true,
        Some(_) => return false,
        None => {}
    }
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        Some(origin) => origin == public_origin,
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    const ORIGIN: &str = "https://studio.example.com";

    #[test]
    fn same_origin_browser_requests_pass() {
        assert!(is_same_origin(&headers(&[("sec-fetch-site", "same-origin")]), ORIGIN));
        assert!(is_same_origin(&headers(&[("origin", "https://studio.example.com")]), ORIGIN));
    }

    #[test]
    fn cross_site_requests_are_refused() {
        assert!(!is_same_origin(&headers(&[("sec-fetch-site", "cross-site")]), ORIGIN));
        assert!(!is_same_origin(&headers(&[("sec-fetch-site", "same-site")]), ORIGIN));
        assert!(!is_same_origin(&headers(&[("origin", "https://evil.example")]), ORIGIN));
        assert!(!is_same_origin(&headers(&[("origin", "null")]), ORIGIN));
    }

    #[test]
    fn fetch_metadata_wins_over_origin() {
        let forged = headers(&[("sec-fetch-site", "cross-site"), ("origin", "https://studio.example.com")]);
        assert!(!is_same_origin(&forged, ORIGIN));
    }

    #[test]
    fn non_browser_clients_pass() {
        assert!(is_same_origin(&HeaderMap::new(), ORIGIN));
    }
}
