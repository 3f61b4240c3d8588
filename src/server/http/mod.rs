//! The axum router: Leptos pages and server functions, plus the plain routes that are not server
//! functions.

mod auth_api;
mod events;
mod health;
mod images;
mod jobs_api;
mod json_body;
mod media;
mod models_api;
mod presets_api;
mod same_origin;
pub mod security_headers;
mod uploads;
mod webhooks;

use crate::app::{App, shell};
use crate::server::auth::current::resolve_session;
use crate::server::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::{Router, middleware};
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use std::sync::OnceLock;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

/// Generating the route list runs the whole app once with resource loading suppressed for the whole
/// process (leptos issue #4773): a resource first polled meanwhile, by a page another router is
/// rendering, would never resolve. Tests build many routers in one process, so it is generated once.
static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();

/// Builds the whole application; `main` serves it and tests call it in-process.
pub fn router(state: AppState) -> Router {
    let routes = ROUTES.get_or_init(|| generate_route_list(App)).clone();
    let body_limit = usize::try_from(state.config.server.max_body_bytes).unwrap_or(usize::MAX);
    let router = Router::new()
        .merge(health::router())
        .merge(media::router())
        .merge(auth_api::router())
        .merge(webhooks::router())
        .merge(models_api::router())
        .merge(images::router())
        .merge(uploads::router(&state.config.limits))
        .merge(jobs_api::router())
        .merge(presets_api::router())
        .merge(events::router())
        .leptos_routes_with_context(
            &state,
            routes,
            {
                let state = state.clone();
                move || leptos::prelude::provide_context(state.clone())
            },
            {
                let options = state.leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(middleware::from_fn_with_state(state.clone(), resolve_session))
        .layer(middleware::from_fn_with_state(state.clone(), same_origin::require_same_origin));
    security_headers::apply(router).layer(CompressionLayer::new()).layer(TraceLayer::new_for_http()).with_state(state)
}
