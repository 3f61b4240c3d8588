//! `/generate`: the studio's main page. On the left, what to make (model, prompt, the model's
//! parameters, the cost); on the right, the user's jobs as they queue, run and land, live; beside
//! them (or folded below the form on smaller screens) the history and the queue.

mod draft;
mod feed;
mod form;
mod history;
mod panels;
mod params;
mod presets;
mod queue_panel;
mod results;
mod styles;
mod tile;

use crate::api::generate::SubmitGeneration;
use crate::api::models::list_models;
use crate::app::components::form::{Alert, AlertKind};
use crate::app::session::use_current_user;
use crate::types::{ModelAvailability, ModelInfo};
use draft::Draft;
use feed::Feed;
use form::GenerateForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use panels::StudioPanels;
use results::{Balance, Results};
use uuid::Uuid;

#[component]
pub fn GeneratePage() -> impl IntoView {
    let models = Resource::new(|| (), |_| list_models());
    let submit = ServerAction::<SubmitGeneration>::new();
    provide_context(submit);
    provide_context(Feed::new(submit));
    provide_context(presets::Presets::new());
    view! {
        <Title text="Generate" />
        <h1 class="sr-only">"Generate"</h1>
        <Suspense fallback=|| view! { <p class="skeleton h-96" aria-busy="true">"Loading the studio…"</p> }>
            {move || Suspend::new(async move {
                match models.await {
                    Ok(models) => match first_choice(&models) {
                        Some(model) => view! { <Studio models model /> }.into_any(),
                        None => view! {
                            <Alert kind=AlertKind::Info>"No model is switched on. An administrator can switch models on under Admin › Models."</Alert>
                        }.into_any(),
                    },
                    Err(e) => view! { <Alert kind=AlertKind::Error>{e.message}</Alert> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The model a fresh page starts on: a featured text-to-image model that can run here, else any that can.
fn first_choice(models: &[ModelInfo]) -> Option<ModelInfo> {
    let ready = |model: &&ModelInfo| model.availability == ModelAvailability::Ready;
    models
        .iter()
        .filter(ready)
        .find(|model| model.spec.featured && model.spec.category == atelier_catalogue::Category::TextToImage)
        .or_else(|| models.iter().find(ready))
        .or_else(|| models.first())
        .cloned()
}

#[component]
fn Studio(models: Vec<ModelInfo>, model: ModelInfo) -> impl IntoView {
    provide_context(Draft::new(model));
    let balance = Balance(RwSignal::new(None));
    provide_context(balance);
    let me = use_current_user();
    Effect::new(move |_| {
        if let Some(Ok(Some(user))) = me.get() {
            balance.0.set(Some(i64::from(user.credits)));
        }
    });
    let stored = StoredValue::new(models.clone());
    let remix_failed = follow_links_from_images(stored);
    view! {
        {move || remix_failed.get().map(|message| view! { <Alert kind=AlertKind::Error>{message}</Alert> })}
        // The columns are placed by `.studio-layout` in style/main.css: form, then results, then panels
        // on the widest screens; the panels above the results on large ones; one column on phones.
        <div class="studio-layout">
            <GenerateForm models />
            <StudioPanels models=stored />
            <Results models=stored />
        </div>
    }
}

/// `?remix=<image>` fills the form with an image's settings; `?input=<image>` makes it the input of
/// an image-to-image model. Both come from the image page; they run once, in the browser (the effect
/// reads nothing reactively). A remix that cannot be read says why in the returned signal.
fn follow_links_from_images(models: StoredValue<Vec<ModelInfo>>) -> RwSignal<Option<String>> {
    let draft = expect_context::<Draft>();
    let query = use_query_map();
    let failed = RwSignal::new(None);
    Effect::new(move |_| {
        let image =
            |name: &str| query.with_untracked(|query| query.get(name)).and_then(|raw| Uuid::parse_str(&raw).ok());
        if let Some(id) = image("input") {
            models.with_value(|models| draft.use_as_input(id, models));
        }
        if let Some(id) = image("remix") {
            leptos::task::spawn_local(async move {
                if let Err(e) = draft.remix_image(id, models).await {
                    failed.try_set(Some(format!("That image's settings could not be recalled: {}", e.message)));
                }
            });
        }
    });
    failed
}
