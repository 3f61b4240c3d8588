use crate::app::components::icon::{Icon, IconName};
use crate::app::nav::{NavItem, SECTIONS};
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// The desktop sidebar; collapses to icons only.
#[component]
pub fn Sidebar(collapsed: RwSignal<bool>) -> impl IntoView {
    let width = move || if collapsed.get() { "w-16" } else { "w-60" };
    view! {
        <aside
            class=move || format!("sidebar hidden md:flex shrink-0 flex-col border-r border-border bg-surface {}", width())
            data-collapsed=move || collapsed.get().to_string()
        >
            <nav aria-label="Studio" class="flex-1 p-2">
                <NavList compact=collapsed />
            </nav>
            <button
                type="button"
                class="m-2 icon-button self-end"
                aria-label=move || if collapsed.get() { "Expand sidebar" } else { "Collapse sidebar" }
                aria-expanded=move || (!collapsed.get()).to_string()
                on:click=move |_| collapsed.update(|c| *c = !*c)
            >
                <span class=move || if collapsed.get() { "rotate-180 transition-transform" } else { "transition-transform" }>
                    <Icon name=IconName::ChevronLeft />
                </span>
            </button>
        </aside>
    }
}

/// The phone and tablet menu: a native popover, so it opens, closes on Escape and outside clicks, and
/// works before (or without) JavaScript.
#[component]
pub fn MobileMenu() -> impl IntoView {
    view! {
        <div id="mobile-menu" popover="auto" class="mobile-menu" aria-label="Studio menu">
            <div class="flex items-center justify-between border-b border-border p-3">
                <span class="font-bold">"Menu"</span>
                <button type="button" class="icon-button" popovertarget="mobile-menu" popovertargetaction="hide" aria-label="Close menu">
                    <Icon name=IconName::Close />
                </button>
            </div>
            <nav aria-label="Studio (mobile)" class="p-2">
                <NavList compact=RwSignal::new(false) />
            </nav>
        </div>
    }
}

#[component]
fn NavList(compact: RwSignal<bool>) -> impl IntoView {
    view! {
        <ul class="flex flex-col gap-1">
            {SECTIONS.iter().map(|item| view! { <li><NavEntry item compact /></li> }).collect_view()}
        </ul>
    }
}

#[component]
fn NavEntry(item: &'static NavItem, compact: RwSignal<bool>) -> impl IntoView {
    let location = use_location();
    let current = move || {
        let path = location.pathname.get();
        path == item.section || path.starts_with(&format!("{}/", item.section))
    };
    let label = move || (!compact.get()).then_some(view! { <span class="truncate">{item.label}</span> });
    if item.ready {
        view! {
            <a
                href=item.href
                class="nav-link"
                aria-current=move || current().then_some("page")
                title=item.label
            >
                <Icon name=item.icon />
                {label}
            </a>
        }
        .into_any()
    } else {
        view! {
            <span class="nav-link nav-link-soon" aria-disabled="true" title=format!("{} arrives soon", item.label)>
                <Icon name=item.icon />
                {label}
                {move || (!compact.get()).then_some(view! { <span class="badge ml-auto">"Soon"</span> })}
            </span>
        }
        .into_any()
    }
}
