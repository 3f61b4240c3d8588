//! Atelier: an AI image design studio.
//!
//! One crate, two builds: the server (`ssr`) and the browser (`hydrate`). `app`, `api` and `types`
//! compile for both; `server` exists only in the server build.

#![recursion_limit = "256"]

pub mod api;
pub mod app;
pub mod cookies;
pub mod query;
pub mod types;

#[cfg(feature = "ssr")]
pub mod server;

/// Browser entry point: hydrates the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // Tells end-to-end tests (and the curious) that the page is now interactive.
    if let Some(html) = leptos::prelude::document().document_element() {
        let _ = html.set_attribute("data-hydrated", "true");
    }
}
