use crate::api::auth::SignOut;
use crate::app::components::icon::{Icon, IconName};
use crate::app::components::logo::Logo;
use crate::app::components::service_worker::forget_cached_pages;
use crate::app::components::theme_toggle::ThemeToggle;
use crate::app::session::reload_at;
use crate::types::{CurrentUser, Role};
use leptos::form::ActionForm;
use leptos::prelude::*;

#[component]
pub fn TopBar(user: CurrentUser) -> impl IntoView {
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
            <div class="ml-auto flex items-center gap-2 sm:ml-0">
                <span class="badge hidden sm:inline-flex" title="Credits left" data-testid="credits">
                    {user.credits} " credits"
                </span>
                <ThemeToggle />
                <UserMenu user />
            </div>
        </header>
    }
}

#[component]
fn UserMenu(user: CurrentUser) -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    Effect::new(move |_| {
        if matches!(sign_out.value().get(), Some(Ok(()))) {
            forget_cached_pages();
            reload_at("/login");
        }
    });
    let avatar = match user.avatar_url.clone() {
        Some(url) => view! { <img src=format!("{url}?size=thumb") alt="" class="h-9 w-9 rounded-full object-cover" width="36" height="36" /> }.into_any(),
        None => view! { <span aria-hidden="true">{user.initials()}</span> }.into_any(),
    };
    view! {
        <button
            type="button"
            class="flex h-9 w-9 items-center justify-center overflow-hidden rounded-full bg-primary-strong font-bold text-white focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring"
            popovertarget="user-menu"
            aria-label=format!("Account menu for {}", user.name)
        >
            {avatar}
        </button>
        <div id="user-menu" popover="auto" class="menu-popover">
            <div class="border-b border-border px-4 py-3 text-sm">
                <p class="font-bold">{user.name.clone()}</p>
                <p class="truncate text-muted">{user.email.clone()}</p>
                <p class="mt-1 text-muted">{user.credits} " credits"</p>
            </div>
            <nav aria-label="Account" class="flex flex-col p-2 text-sm">
                <a class="menu-item" href="/settings/account">"Account settings"</a>
                <a class="menu-item" href="/settings/security">"Security"</a>
                {(user.role == Role::Admin).then(|| view! {
                    <a class="menu-item" href="/admin/models">"Admin · Models"</a>
                    <a class="menu-item" href="/admin/queue">"Admin · Queue"</a>
                })}
                <ActionForm action=sign_out>
                    <button type="submit" class="menu-item w-full text-left">"Sign out"</button>
                </ActionForm>
            </nav>
        </div>
    }
}
