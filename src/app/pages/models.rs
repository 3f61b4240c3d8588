//! `/models`: every model the studio offers, what it does, what it costs, and what it takes.

use crate::api::models::list_models;
use crate::app::components::form::{Alert, AlertKind};
use crate::app::components::model_facts::{
    CATEGORIES, ParamList, Rating, capability_label, category_label, cost_text, provider_label,
};
use crate::types::{ModelAvailability, ModelInfo};
use atelier_catalogue::{Capability, ProviderKind};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ModelsPage() -> impl IntoView {
    let models = Resource::new(|| (), |_| list_models());
    view! {
        <Title text="Models" />
        <div class="mx-auto flex max-w-6xl flex-col gap-8">
            <header>
                <h1 class="text-2xl font-bold sm:text-3xl">"Models"</h1>
                <p class="mt-1 max-w-3xl text-muted">
                    "Every model this studio offers, what it is good at, and what it costs. "
                    "Atelier Sketch models run on this machine: they make procedural previews, not AI images."
                </p>
            </header>
            <Suspense fallback=|| view! { <p class="skeleton h-48" aria-busy="true">"Loading the models…"</p> }>
                {move || Suspend::new(async move {
                    match models.await {
                        Ok(models) if models.is_empty() => view! {
                            <Alert kind=AlertKind::Info>"No model is switched on. An administrator can switch models on under Admin › Models."</Alert>
                        }.into_any(),
                        Ok(models) => view! { <ModelGroups models /> }.into_any(),
                        Err(e) => view! { <Alert kind=AlertKind::Error>{e.message}</Alert> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn ModelGroups(models: Vec<ModelInfo>) -> impl IntoView {
    CATEGORIES
        .into_iter()
        .filter_map(|category| {
            let group: Vec<ModelInfo> = models.iter().filter(|m| m.spec.category == category).cloned().collect();
            (!group.is_empty()).then(|| {
                let heading = format!("category-{}", category_label(category).to_lowercase().replace(' ', "-"));
                let labelled_by = heading.clone();
                view! {
                    <section aria-labelledby=labelled_by>
                        <h2 id=heading class="mb-3 text-lg font-bold">{category_label(category)}</h2>
                        <ul class="grid gap-4 sm:grid-cols-2 xl:grid-cols-3">
                            {group.into_iter().map(|model| view! { <li><ModelCard model /></li> }).collect_view()}
                        </ul>
                    </section>
                }
            })
        })
        .collect_view()
}

#[component]
fn ModelCard(model: ModelInfo) -> impl IntoView {
    let spec = model.spec;
    let offline = spec.provider == ProviderKind::Offline;
    view! {
        <article class="card flex h-full flex-col gap-2 p-5" data-testid="model-card" data-model=spec.id.clone()>
            <div class="flex flex-wrap items-center gap-2">
                <h3 class="text-base font-bold">{spec.name.clone()}</h3>
                <span class=if offline { "badge text-caution" } else { "badge" }>{provider_label(spec.provider)}</span>
                {spec.featured.then(|| view! { <span class="badge">"Featured"</span> })}
                {(!model.enabled).then(|| view! { <span class="badge text-error">"Switched off"</span> })}
            </div>
            <code class="text-xs text-muted">{spec.id.clone()}</code>
            {(offline && spec.capabilities.contains(&Capability::TextToImage)).then(|| view! {
                <img
                    src=format!("/api/models/{}/sample.png", model.key)
                    alt=format!("A sample made by {} on this machine", spec.name)
                    class="aspect-square w-full rounded-lg border border-border object-cover"
                    width="512"
                    height="512"
                    loading="lazy"
                />
            })}
            <p class="text-sm">{spec.description.clone()}</p>
            <ul class="flex flex-wrap gap-1.5" aria-label="Capabilities">
                {spec.capabilities.iter().map(|c| view! { <li class="badge">{capability_label(*c)}</li> }).collect_view()}
            </ul>
            <div class="flex flex-wrap items-center gap-x-4 gap-y-1">
                <span class="text-sm font-semibold">{cost_text(spec.cost)}</span>
                <Rating label="Speed" value=spec.speed />
                <Rating label="Quality" value=spec.quality />
            </div>
            {(model.availability == ModelAvailability::NeedsKey).then(|| view! {
                <p class="text-sm text-caution" data-testid="needs-key">
                    "Needs a fal.ai key: set FAL_KEY (or providers.fal.key in Leptos.toml) and restart the studio."
                </p>
            })}
            <div class="mt-auto">
                <ParamList spec=spec.clone() />
                {spec.docs_url.clone().map(|url| view! {
                    <a class="mt-2 inline-block text-sm font-semibold text-accent underline" href=url rel="external noopener" target="_blank">
                        "Documentation"<span class="sr-only">{format!(" for {}", spec.name)}</span>
                    </a>
                })}
            </div>
        </article>
    }
}
