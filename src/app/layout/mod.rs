//! The signed-in studio's frame: top bar, collapsible sidebar, mobile menu, and the page in between.
//! Visitors who are not signed in are sent to the sign-in page, and come back after it.

mod sidebar;
mod top_bar;

use crate::api::auth::ResendVerification;
use crate::app::components::form::{Alert, AlertKind};
use crate::app::session::use_current_user;
use crate::query::encode_query_value;
use crate::types::CurrentUser;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect};
use leptos_router::hooks::use_location;
use sidebar::{MobileMenu, Sidebar};
use top_bar::TopBar;

#[component]
pub fn DashboardLayout() -> impl IntoView {
    let me = use_current_user();
    let location = use_location();
    let login_url = move || {
        // The router keeps the query without its leading `?`.
        let (path, query) = (location.pathname.get_untracked(), location.search.get_untracked());
        let here = if query.is_empty() { path } else { format!("{path}?{query}") };
        format!("/login?next={}", encode_query_value(&here))
    };
    view! {
        <Suspense fallback=|| view! { <div class="min-h-screen" aria-busy="true"></div> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(user)) => view! { <Frame user /> }.into_any(),
                    Ok(None) => view! { <Redirect path=login_url() /> }.into_any(),
                    Err(e) => view! {
                        <main class="p-8"><Alert kind=AlertKind::Error>{e.message}</Alert></main>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Frame(user: CurrentUser) -> impl IntoView {
    let collapsed = RwSignal::new(false);
    let unverified = !user.email_verified;
    view! {
        <a href="#main" rel="external" class="skip-link">"Skip to content"</a>
        <div class="flex min-h-screen flex-col">
            <TopBar user />
            <MobileMenu />
            <div class="flex flex-1">
                <Sidebar collapsed />
                <main id="main" tabindex="-1" class="min-w-0 flex-1 p-4 sm:p-6 lg:p-8">
                    {unverified.then(|| view! { <VerifyEmailBanner /> })}
                    <Outlet />
                </main>
            </div>
        </div>
    }
}

#[component]
fn VerifyEmailBanner() -> impl IntoView {
    let resend = ServerAction::<ResendVerification>::new();
    view! {
        <div class="mx-auto mb-6 max-w-5xl" data-testid="verify-banner">
            <Alert kind=AlertKind::Info>
                <div class="flex flex-wrap items-center justify-between gap-3">
                    <span>"Confirm your email address to start generating. The link is in your inbox."</span>
                    {move || match resend.value().get() {
                        Some(Ok(())) => view! { <span class="text-sm font-semibold">"Sent — check your inbox."</span> }.into_any(),
                        Some(Err(e)) => view! { <span class="text-sm text-error">{e.message}</span> }.into_any(),
                        None => view! {
                            <ActionForm action=resend>
                                <button type="submit" class="btn btn-secondary" disabled=move || resend.pending().get()>"Send the link again"</button>
                            </ActionForm>
                        }.into_any(),
                    }}
                </div>
            </Alert>
        </div>
    }
}
