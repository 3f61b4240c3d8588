//! Two images on top of each other, a slider deciding how much of each shows.

use crate::types::ImageView;
use leptos::html::Div;
use leptos::prelude::*;

#[component]
pub fn Compare(left: ImageView, right: ImageView, on_close: impl Fn() + Send + Sync + 'static) -> impl IntoView {
    let split = RwSignal::new(50.0_f64);
    let top = NodeRef::<Div>::new();
    // The CSP forbids style attributes; setting the property from script (CSSOM) is allowed.
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let split = split.get();
        if let Some(element) = top.get() {
            let style = web_sys::HtmlElement::style(&element);
            let _ = style.set_property("clip-path", &format!("inset(0 {:.1}% 0 0)", 100.0 - split));
        }
    });
    view! {
        <section aria-label="Compare" class="card flex flex-col gap-3 p-4" data-testid="compare">
            <div class="flex items-center justify-between">
                <h2 class="font-bold">"Compare"</h2>
                <button type="button" class="btn btn-secondary px-3 py-1" on:click=move |_| on_close()>"Close"</button>
            </div>
            <div class="relative overflow-hidden rounded-lg bg-surface">
                <img src=ImageView::file_url(right.id, "preview") alt=format!("This image: {}", right.prompt) class="block h-auto w-full" />
                <div node_ref=top class="absolute inset-0" data-testid="compare-top">
                    <img src=ImageView::file_url(left.id, "preview") alt=format!("Compared with: {}", left.prompt) class="h-full w-full object-contain" />
                </div>
            </div>
            <label class="flex items-center gap-3 text-sm">
                <span class="shrink-0">"Other"</span>
                <input type="range" min="0" max="100" step="1" class="flex-1" aria-label="How much of the other image shows"
                    prop:value=move || split.get()
                    on:input=move |event| split.set(event_target_value(&event).parse().unwrap_or(50.0)) />
                <span class="shrink-0">"This"</span>
            </label>
        </section>
    }
}
