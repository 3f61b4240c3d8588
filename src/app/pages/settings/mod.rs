//! The signed-in user's settings, one page per tab.

pub mod account;
pub mod security;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_location;

const TABS: &[(&str, &str)] = &[("Account", "/settings/account"), ("Security", "/settings/security")];

/// The page title and the tabs between settings pages.
#[component]
pub fn SettingsHeader(title: &'static str) -> impl IntoView {
    let location = use_location();
    view! {
        <Title text=title />
        <header class="mb-6">
            <h1 class="text-2xl font-bold sm:text-3xl">"Settings"</h1>
            <nav aria-label="Settings" class="mt-4 flex gap-2 border-b border-border">
                {TABS.iter().map(|(label, href)| {
                    let current = move || location.pathname.get() == *href;
                    view! {
                        <a
                            href=*href
                            class="tab"
                            aria-current=move || current().then_some("page")
                        >
                            {*label}
                        </a>
                    }
                }).collect_view()}
            </nav>
        </header>
        <h2 class="sr-only">{title}</h2>
    }
}
