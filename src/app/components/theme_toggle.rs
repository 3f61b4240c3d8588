use crate::app::components::icon::{Icon, IconName};
use crate::app::theme::{Theme, use_theme};
use leptos::prelude::*;

fn icon_of(theme: Theme) -> IconName {
    match theme {
        Theme::Light => IconName::Sun,
        Theme::Dark => IconName::Moon,
        Theme::Auto => IconName::Monitor,
        Theme::Contrast => IconName::Contrast,
    }
}

/// One button that cycles light → dark → auto → high contrast, naming both the current theme and the
/// next one for screen readers.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    let theme = use_theme();
    let label = move || {
        let current = theme.0.get();
        format!("Theme: {}. Switch to {}", current.label(), current.next().label())
    };
    view! {
        <button
            type="button"
            class="icon-button"
            data-testid="theme-toggle"
            data-theme-current=move || theme.0.get().as_str()
            aria-label=label
            title=label
            on:click=move |_| theme.choose(theme.0.get_untracked().next())
        >
            {move || view! { <Icon name=icon_of(theme.0.get()) /> }}
        </button>
    }
}
