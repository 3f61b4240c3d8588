use leptos::prelude::*;
use leptos_meta::Title;

/// Every unknown address. The server answers it with status 404.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found" />
        <main id="main" class="flex min-h-screen flex-col items-center justify-center gap-6 p-8 text-center">
            <p class="text-7xl font-bold gradient-text">"404"</p>
            <h1 class="text-2xl font-bold">"This page is not in the studio"</h1>
            <p class="max-w-md text-muted">
                "The address may be mistyped, or the page may have moved. Your images are safe."
            </p>
            <div class="flex flex-wrap justify-center gap-3">
                <a href="/" class="btn btn-primary">"Go to the home page"</a>
                <a href="/dashboard" class="btn btn-secondary">"Open the studio"</a>
            </div>
        </main>
    }
}
