//! Presets: the form's settings saved under a name, applied, renamed and deleted.

use super::draft::Draft;
use crate::api::presets::{DeletePreset, RenamePreset, SavePreset, list_presets};
use crate::types::{ApiError, ModelInfo, Preset};
use leptos::prelude::*;
use uuid::Uuid;

/// The user's presets and what changes them; created with the page, outside any `Suspense`.
#[derive(Clone, Copy)]
pub struct Presets {
    list: Resource<Result<Vec<Preset>, ApiError>>,
    save: ServerAction<SavePreset>,
    rename: ServerAction<RenamePreset>,
    delete: ServerAction<DeletePreset>,
}

impl Presets {
    pub fn new() -> Self {
        let save = ServerAction::<SavePreset>::new();
        let rename = ServerAction::<RenamePreset>::new();
        let delete = ServerAction::<DeletePreset>::new();
        let list = Resource::new(
            move || (save.version().get(), rename.version().get(), delete.version().get()),
            |_| list_presets(),
        );
        Self { list, save, rename, delete }
    }

    /// What the last change said went wrong, if anything.
    fn error(&self) -> Option<String> {
        let save = self.save.value().get().and_then(Result::err);
        let rename = self.rename.value().get().and_then(Result::err);
        let delete = self.delete.value().get().and_then(Result::err);
        save.or(rename).or(delete).map(|error| error.message)
    }
}

#[component]
pub fn PresetsPanel(models: StoredValue<Vec<ModelInfo>>) -> impl IntoView {
    let draft = expect_context::<Draft>();
    let presets = expect_context::<Presets>();
    let chosen = RwSignal::new(None::<Uuid>);
    let name = RwSignal::new(String::new());
    let confirming = RwSignal::new(false);
    // The list is read only once the page runs in the browser: read during server rendering, it could
    // be rendered before it loaded and then hydrate against a different list of options.
    let mounted = RwSignal::new(false);
    Effect::new(move |_| mounted.set(true));
    let all = move || {
        if !mounted.get() {
            return Vec::new();
        }
        presets.list.get().and_then(Result::ok).unwrap_or_default()
    };
    let selected = move || chosen.get().and_then(|id| all().into_iter().find(|preset| preset.id == id));
    let save = move |_| {
        let (model_id, prompt, negative_prompt, parameters) = draft.settings();
        presets.save.dispatch(SavePreset { name: name.get_untracked(), model_id, prompt, negative_prompt, parameters });
    };
    // A saved or renamed preset becomes the chosen one.
    Effect::new(move |_| {
        let saved = presets.save.value().get().and_then(Result::ok);
        let renamed = presets.rename.value().get().and_then(Result::ok);
        if let Some(preset) = saved.or(renamed) {
            chosen.set(Some(preset.id));
        }
    });
    view! {
        <details class="rounded-lg border border-border p-3" data-testid="presets">
            <summary class="cursor-pointer text-sm font-semibold">"Presets"</summary>
            <div class="mt-3 flex flex-col gap-3">
                <div class="flex flex-col gap-1">
                    <label for="preset-choice" class="text-sm font-semibold">"Saved settings"</label>
                    <select id="preset-choice" class="input" on:change=move |event| {
                        chosen.set(Uuid::parse_str(&event_target_value(&event)).ok());
                        confirming.set(false);
                    }>
                        <option value="" selected=move || chosen.get().is_none()>
                            {move || if all().is_empty() { "No presets yet" } else { "Choose a preset…" }}
                        </option>
                        {move || all().into_iter().map(|preset| {
                            let id = preset.id;
                            view! { <option value=id.to_string() selected=move || chosen.get() == Some(id)>{preset.name}</option> }
                        }).collect_view()}
                    </select>
                    <div class="flex flex-wrap gap-2">
                        <button type="button" class="btn btn-secondary px-3 py-1" disabled=move || selected().is_none()
                            on:click=move |_| if let Some(preset) = selected() {
                                models.with_value(|models| draft.apply_preset(&preset, models));
                            }>"Apply"</button>
                        <button type="button" class="btn btn-secondary px-3 py-1"
                            disabled=move || selected().is_none() || name.with(|name| name.trim().is_empty())
                            title="Give the chosen preset the name typed below"
                            on:click=move |_| if let Some(id) = chosen.get_untracked() {
                                presets.rename.dispatch(RenamePreset { id, name: name.get_untracked() });
                            }>"Rename"</button>
                        <Show when=move || confirming.get() fallback=move || view! {
                            <button type="button" class="btn btn-secondary px-3 py-1" disabled=move || selected().is_none()
                                on:click=move |_| confirming.set(true)>"Delete"</button>
                        }>
                            <button type="button" class="btn btn-danger px-3 py-1" on:click=move |_| {
                                if let Some(id) = chosen.get_untracked() {
                                    presets.delete.dispatch(DeletePreset { id });
                                }
                                chosen.set(None);
                                confirming.set(false);
                            }>"Delete it"</button>
                            <button type="button" class="btn btn-secondary px-3 py-1" on:click=move |_| confirming.set(false)>"Keep"</button>
                        </Show>
                    </div>
                </div>
                <div class="flex flex-col gap-1">
                    <label for="preset-name" class="text-sm font-semibold">"Name"</label>
                    <div class="flex gap-2">
                        <input id="preset-name" class="input" maxlength="60" placeholder="e.g. Moody portraits"
                            prop:value=move || name.get() on:input=move |event| name.set(event_target_value(&event)) />
                        <button type="button" class="btn btn-secondary shrink-0 px-3 py-1" title="Save the current settings under this name"
                            disabled=move || name.with(|name| name.trim().is_empty()) || presets.save.pending().get()
                            on:click=save>"Save"</button>
                    </div>
                    <p class="text-xs text-muted">"Saving under an existing name replaces that preset."</p>
                </div>
                {move || presets.error().map(|message| view! { <p class="text-sm text-error" role="alert">{message}</p> })}
            </div>
        </details>
    }
}
