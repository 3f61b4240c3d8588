use crate::app::components::icon::{Icon, IconName};
use crate::app::components::logo::Logo;
use crate::app::components::theme_toggle::ThemeToggle;
use leptos::prelude::*;

#[component]
pub fn TopBar() -> impl IntoView {
    view! {
        <header class="sticky top-0 z-30 flex h-16 items-center gap-3 border-b border-border bg-bg/90 px-3 backdrop-blur sm:px-4">
            <button type="button" class="icon-button md:hidden" popovertarget="mobile-menu" aria-label="Open menu">
                <Icon name=IconName::Menu />
            </button>
            <Logo href="/dashboard" />
            <form role="search" class="mx-auto hidden w-full max-w-md sm:block" action="/gallery" method="get">
                <label for="global-search" class="sr-only">"Search your images and prompts"</label>
                <div class="relative">
                    <span class="pointer-events-none absolute inset-y-0 left-3 flex items-center text-muted">
                        <Icon name=IconName::Search class="h-4 w-4" />
                    </span>
                    <input
                        id="global-search"
                        name="q"
                        type="search"
                        disabled
                        placeholder="Search arrives with the gallery"
                        class="input pl-9"
                    />
                </div>
            </form>
            <div class="ml-auto flex items-center gap-1 sm:ml-0">
                <ThemeToggle />
                <UserMenu />
            </div>
        </header>
    }
}

/// The account menu. Until accounts exist the studio runs as a single local guest.
#[component]
fn UserMenu() -> impl IntoView {
    view! {
        <button
            type="button"
            class="flex h-9 w-9 items-center justify-center rounded-full bg-primary-strong font-bold text-white focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring"
            popovertarget="user-menu"
            aria-label="Account menu"
        >
            "G"
        </button>
        <div id="user-menu" popover="auto" class="menu-popover">
            <p class="px-3 py-2 text-sm">
                <span class="block font-bold">"Guest"</span>
                <span class="text-muted">"Accounts and credits arrive with sign-in."</span>
            </p>
        </div>
    }
}
