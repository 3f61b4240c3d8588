//! The left column: model, prompts, parameters, cost, and the Generate button.

use super::draft::Draft;
use super::params::{FieldMessage, ParamField};
use super::presets::PresetsPanel;
use super::styles::StylePicker;
use crate::api::generate::SubmitGeneration;
use crate::app::components::model_facts::{CATEGORIES, Rating, category_label, cost_text, provider_label};
use crate::types::{ModelAvailability, ModelInfo};
use atelier_catalogue::{FieldError, ParamKind};
use leptos::prelude::*;

#[component]
pub fn GenerateForm(models: Vec<ModelInfo>) -> impl IntoView {
    let draft = expect_context::<Draft>();
    let submit = expect_context::<ServerAction<SubmitGeneration>>();
    let models = StoredValue::new(models);
    let send = move |run_next: bool| {
        draft.show_all_errors.set(true);
        if let Some(request) = draft.request(run_next) {
            submit.dispatch(SubmitGeneration { request });
        }
    };
    let generate = move || send(true);
    // A refusal names its field: show it there; anything else goes above the button.
    Effect::new(move |_| {
        if let Some(Err(error)) = submit.value().get() {
            draft.server_error.set(error.field.map(|field| FieldError { field, message: error.message }));
        }
    });
    let form_error = move || match submit.value().get() {
        Some(Err(error)) if error.field.is_none() || error.field.as_deref() == Some("email") => Some(error.message),
        _ => None,
    };
    view! {
        <form
            class="card flex flex-col gap-5 p-4 sm:p-5 lg:sticky lg:top-20 lg:max-h-[calc(100vh-6rem)] lg:overflow-y-auto"
            aria-label="What to generate"
            on:submit=move |event| {
                event.prevent_default();
                generate();
            }
        >
            <PresetsPanel models />
            <ModelPicker models=models.get_value() />
            <PromptBox on_submit=generate />
            <StylePicker />
            <NegativePrompt />
            <Parameters />
            <div class="flex flex-col gap-3 border-t border-border pt-4">
                <CostLine />
                {move || form_error().map(|message| view! { <p class="alert alert-error" role="alert">{message}</p> })}
                <div class="grid grid-cols-[1fr_auto] gap-2">
                    <button type="submit" class="btn btn-primary btn-lg" disabled=move || submit.pending().get() data-testid="generate"
                        title="Runs next, before your other waiting jobs">
                        {move || submit.pending().get().then(|| view! { <span class="spinner" aria-hidden="true"></span> })}
                        "Generate"
                    </button>
                    <button type="button" class="btn btn-secondary btn-lg" disabled=move || submit.pending().get() data-testid="add-to-queue"
                        title="Waits behind your other jobs" on:click=move |_| send(false)>
                        "Add to queue"
                    </button>
                </div>
                <p class="text-center text-xs text-muted"><kbd>"Ctrl"</kbd>" + "<kbd>"Enter"</kbd>" generates from the prompt box."</p>
            </div>
        </form>
    }
}

#[component]
fn ModelPicker(models: Vec<ModelInfo>) -> impl IntoView {
    let draft = expect_context::<Draft>();
    let choices = StoredValue::new(models.clone());
    let on_change = move |event: leptos::ev::Event| {
        let id = event_target_value(&event);
        if let Some(model) = choices.with_value(|models| models.iter().find(|m| m.spec.id == id).cloned()) {
            draft.choose(model);
        }
    };
    let groups = CATEGORIES
        .into_iter()
        .filter_map(|category| {
            let group: Vec<ModelInfo> = models.iter().filter(|m| m.spec.category == category).cloned().collect();
            (!group.is_empty()).then(|| {
                view! {
                    <optgroup label=category_label(category)>
                        {group.into_iter().map(|model| {
                            let id = model.spec.id.clone();
                            let selected = move || draft.model.with(|chosen| chosen.spec.id == id);
                            let needs_key = model.availability == ModelAvailability::NeedsKey;
                            let label = format!(
                                "{}{} · {}",
                                model.spec.name,
                                if needs_key { " (needs a fal.ai key)" } else { "" },
                                cost_text(model.spec.cost),
                            );
                            view! { <option value=model.spec.id.clone() selected=selected>{label}</option> }
                        }).collect_view()}
                    </optgroup>
                }
            })
        })
        .collect_view();
    let model = move || draft.model.get();
    view! {
        <div class="flex flex-col gap-2">
            <label for="model" class="text-sm font-semibold">"Model"</label>
            <select id="model" name="model" class="input" on:change=on_change>{groups}</select>
            <div class="flex flex-wrap items-center gap-x-4 gap-y-1 text-sm" data-testid="model-facts">
                <span class="badge">{move || provider_label(model().spec.provider)}</span>
                <span class="text-muted">{move || cost_text(model().spec.cost)}</span>
                {move || view! { <Rating label="Speed" value=model().spec.speed /> }}
                {move || view! { <Rating label="Quality" value=model().spec.quality /> }}
            </div>
            {move || (model().availability == ModelAvailability::NeedsKey).then(|| view! {
                <p class="alert alert-info" data-testid="needs-key">
                    "This model runs on fal.ai and this studio has no key. Set "<code>"FAL_KEY"</code>
                    " and restart the studio, or pick an Atelier Sketch model."
                </p>
            })}
        </div>
    }
}

#[component]
fn PromptBox(on_submit: impl Fn() + Clone + Send + Sync + 'static) -> impl IntoView {
    let draft = expect_context::<Draft>();
    let max_length = move || {
        draft.model.with(|model| match model.spec.param("prompt").map(|param| &param.kind) {
            Some(ParamKind::Text { max_length, .. }) => *max_length as usize,
            _ => 2000,
        })
    };
    let takes_prompt = move || draft.model.with(|model| model.spec.param("prompt").is_some());
    // What the model gets counts, the style's words included.
    let count = move || draft.full_prompt().chars().count();
    let error = Signal::derive(move || draft.error_for("prompt"));
    view! {
        <Show when=takes_prompt>
            <div class="flex flex-col gap-1">
                <div class="flex items-baseline justify-between">
                    <label for="prompt" class="text-sm font-semibold">"Prompt"</label>
                    <span class="text-xs tabular-nums text-muted" aria-live="polite" data-testid="prompt-count">
                        {count}" / "{max_length}
                    </span>
                </div>
                <textarea
                    id="prompt"
                    name="prompt"
                    rows="3"
                    class="input min-h-24 resize-y [field-sizing:content]"
                    placeholder="A lighthouse on a cliff at dusk, warm light, painterly"
                    aria-invalid=move || error.get().is_some().then_some("true")
                    aria-describedby=move || error.get().is_some().then_some("prompt-error")
                    prop:value=move || draft.prompt.get()
                    on:input=move |event| draft.prompt.set(event_target_value(&event))
                    on:keydown={
                        let on_submit = on_submit.clone();
                        move |event: leptos::ev::KeyboardEvent| {
                            if event.key() == "Enter" && (event.ctrl_key() || event.meta_key()) {
                                event.prevent_default();
                                on_submit();
                            }
                        }
                    }
                ></textarea>
                <FieldMessage id="prompt-error" error />
            </div>
        </Show>
    }
}

#[component]
fn NegativePrompt() -> impl IntoView {
    let draft = expect_context::<Draft>();
    let takes_it = move || draft.model.with(|model| model.spec.param("negative_prompt").is_some());
    let error = Signal::derive(move || draft.error_for("negative_prompt"));
    view! {
        <Show when=takes_it>
            <div class="flex flex-col gap-1">
                <label for="negative_prompt" class="text-sm font-semibold">"Negative prompt"</label>
                <textarea
                    id="negative_prompt"
                    name="negative_prompt"
                    rows="2"
                    class="input resize-y [field-sizing:content]"
                    placeholder="What to keep out: blur, text, extra fingers"
                    prop:value=move || draft.negative_prompt.get()
                    on:input=move |event| draft.negative_prompt.set(event_target_value(&event))
                ></textarea>
                <FieldMessage id="negative_prompt-error" error />
            </div>
        </Show>
    }
}

#[component]
fn Parameters() -> impl IntoView {
    let draft = expect_context::<Draft>();
    let shown = move |advanced: bool| {
        draft.model.with(|model| {
            model
                .spec
                .params
                .iter()
                .filter(|param| param.advanced == advanced && !super::draft::OWN_PLACES.contains(&param.name.as_str()))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <div class="flex flex-col gap-4">
            {move || shown(false).into_iter().map(|param| view! { <ParamField param /> }).collect_view()}
        </div>
        {move || {
            let advanced = shown(true);
            (!advanced.is_empty()).then(|| view! {
                <details class="rounded-lg border border-border p-3">
                    <summary class="cursor-pointer text-sm font-semibold">"Advanced settings"</summary>
                    <div class="mt-3 flex flex-col gap-4">
                        {advanced.into_iter().map(|param| view! { <ParamField param /> }).collect_view()}
                    </div>
                </details>
            })
        }}
    }
}

/// What this generation will cost, and what the user has.
#[component]
fn CostLine() -> impl IntoView {
    let draft = expect_context::<Draft>();
    let balance = expect_context::<super::results::Balance>();
    let estimate = move || {
        let checked = draft.checked().ok()?;
        Some(draft.model.with(|model| model.spec.estimate_credits(&checked, None)))
    };
    view! {
        <p class="flex items-center justify-between text-sm" data-testid="cost">
            <span>
                "Cost: "
                <strong>{move || match estimate() {
                    Some(0) => "free".to_owned(),
                    Some(1) => "1 credit".to_owned(),
                    Some(n) => format!("{n} credits"),
                    None => "—".to_owned(),
                }}</strong>
            </span>
            <span class="text-muted">{move || balance.0.get().map(|credits| format!("Balance: {credits} credits"))}</span>
        </p>
    }
}
