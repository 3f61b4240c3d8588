use crate::app::components::logo::Logo;
use crate::app::components::theme_toggle::ThemeToggle;
use leptos::prelude::*;
use leptos_meta::Title;

/// The frame of the sign-in family of pages: the logo, a centred card, and the theme toggle.
#[component]
pub fn AuthCard(title: &'static str, #[prop(optional)] subtitle: &'static str, children: Children) -> impl IntoView {
    view! {
        <Title text=title />
        <div class="flex min-h-screen flex-col">
            <header class="flex items-center justify-between p-4">
                <Logo />
                <ThemeToggle />
            </header>
            <main id="main" class="flex flex-1 items-start justify-center px-4 pb-16 pt-6 sm:pt-16">
                <div class="card w-full max-w-md p-6 sm:p-8">
                    <h1 class="text-2xl font-bold">{title}</h1>
                    {(!subtitle.is_empty()).then(|| view! { <p class="mt-1 text-sm text-muted">{subtitle}</p> })}
                    <div class="mt-6">{children()}</div>
                </div>
            </main>
        </div>
    }
}
