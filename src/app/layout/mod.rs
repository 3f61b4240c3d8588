//! The signed-in studio's frame: top bar, collapsible sidebar, mobile menu, and the page in between.

mod sidebar;
mod top_bar;

use leptos::prelude::*;
use leptos_router::components::Outlet;
use sidebar::{MobileMenu, Sidebar};
use top_bar::TopBar;

#[component]
pub fn DashboardLayout() -> impl IntoView {
    let collapsed = RwSignal::new(false);
    view! {
        <a href="#main" class="skip-link">"Skip to content"</a>
        <div class="flex min-h-screen flex-col">
            <TopBar />
            <MobileMenu />
            <div class="flex flex-1">
                <Sidebar collapsed />
                <main id="main" tabindex="-1" class="min-w-0 flex-1 p-4 sm:p-6 lg:p-8">
                    <Outlet />
                </main>
            </div>
        </div>
    }
}
