//! Registers `/sw.js` once the page has hydrated, so the app shell and static assets work offline.

/// Call once from the root component.
pub fn register_after_hydration() {
    #[cfg(feature = "hydrate")]
    leptos::prelude::Effect::new(move |_| {
        let navigator = leptos::prelude::window().navigator();
        // Browsers without service workers (or in private modes that forbid them) simply stay online-only.
        if has_service_worker(&navigator) {
            let _ = navigator.service_worker().register("/sw.js");
        }
    });
}

#[cfg(feature = "hydrate")]
fn has_service_worker(navigator: &web_sys::Navigator) -> bool {
    use wasm_bindgen::JsValue;
    web_sys::js_sys::Reflect::has(navigator, &JsValue::from_str("serviceWorker")).unwrap_or(false)
}

/// Asks the service worker to drop cached pages, which hold the signed-in user's content: called on
/// sign-out so the next person on a shared device cannot read them offline.
pub fn forget_cached_pages() {
    #[cfg(feature = "hydrate")]
    if let Some(worker) = leptos::prelude::window().navigator().service_worker().controller() {
        let _ = worker.post_message(&wasm_bindgen::JsValue::from_str("atelier:clear-pages"));
    }
}
