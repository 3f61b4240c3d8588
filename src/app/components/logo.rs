use leptos::prelude::*;

/// The Atelier mark and name, linking home.
#[component]
pub fn Logo(#[prop(default = "/")] href: &'static str) -> impl IntoView {
    view! {
        <a href=href class="flex items-center gap-2 rounded-lg font-bold text-lg focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring">
            <img src="/favicon.svg" alt="" class="h-8 w-8" width="32" height="32" />
            <span>"Atelier"</span>
        </a>
    }
}
