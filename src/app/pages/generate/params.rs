//! One model parameter as a form control, chosen by its kind: sliders for ranges, a grid of aspect
//! ratios for image sizes, a seed with lock and dice, switches, choices, text.

use super::draft::Draft;
use crate::types::ImageView;
use atelier_catalogue::size::PRESETS;
use atelier_catalogue::{MAX_SEED, ParamKind, ParamSpec};
use leptos::prelude::*;
use serde_json::{Value, json};

/// The aspect ratios offered for `image_size`, each one of fal's presets.
const ASPECTS: [(&str, &str); 5] = [
    ("1:1", "square_hd"),
    ("16:9", "landscape_16_9"),
    ("9:16", "portrait_16_9"),
    ("4:3", "landscape_4_3"),
    ("3:4", "portrait_4_3"),
];

#[component]
pub fn FieldMessage(id: &'static str, #[prop(into)] error: Signal<Option<String>>) -> impl IntoView {
    view! {
        {move || error.get().map(|message| view! {
            <p id=id class="text-sm text-error" role="alert">{message}</p>
        })}
    }
}

#[component]
pub fn ParamField(param: ParamSpec) -> impl IntoView {
    let draft = expect_context::<Draft>();
    let name = param.name.clone();
    let id = format!("param-{}", param.name);
    let error_id = format!("{id}-error");
    let error = Signal::derive({
        let name = name.clone();
        move || draft.error_for(&name)
    });
    let control = match param.kind.clone() {
        ParamKind::Integer { min, max, step, .. } => {
            number_control(&id, &name, min as f64, max as f64, step as f64, true).into_any()
        }
        ParamKind::Number { min, max, step, .. } => number_control(&id, &name, min, max, step, false).into_any(),
        ParamKind::Boolean { .. } => {
            let checked = {
                let name = name.clone();
                move || draft.param(&name).and_then(|value| value.as_bool()).unwrap_or(false)
            };
            view! {
                <input id=id.clone() type="checkbox" class="h-5 w-5 accent-[var(--color-primary-strong)]"
                    prop:checked=checked
                    on:change=move |event| draft.set_param(&name, Some(Value::Bool(event_target_checked(&event))))
                />
            }
            .into_any()
        }
        ParamKind::Choice { options, .. } => {
            let current = {
                let name = name.clone();
                move || draft.param(&name).map(|value| value.to_string()).unwrap_or_default()
            };
            view! {
                <select id=id.clone() class="input"
                    on:change=move |event| {
                        let raw = event_target_value(&event);
                        draft.set_param(&name, serde_json::from_str(&raw).ok());
                    }
                >
                    {options.into_iter().map(|option| {
                        let raw = option.to_string();
                        let label = option.as_str().map(str::to_owned).unwrap_or_else(|| raw.clone());
                        let selected = {
                            let (raw, current) = (raw.clone(), current.clone());
                            move || current() == raw
                        };
                        view! { <option value=raw selected=selected>{label.replace('_', " ")}</option> }
                    }).collect_view()}
                </select>
            }
            .into_any()
        }
        ParamKind::ImageSize { max_side, .. } => view! { <AspectGrid name=name.clone() max_side /> }.into_any(),
        ParamKind::Seed => view! { <SeedControl id=id.clone() name=name.clone() /> }.into_any(),
        ParamKind::Text { max_length, .. } => text_control(&id, &name, "text", "", Some(max_length)).into_any(),
        ParamKind::Image => {
            let own_image = {
                let name = name.clone();
                move || {
                    let id = ImageView::referenced(draft.param(&name)?.as_str()?)?;
                    Some(view! {
                        <img src=ImageView::file_url(id, "thumbnail") alt="The input image"
                            class="mt-1 h-24 w-24 rounded-lg border border-border object-cover" />
                    })
                }
            };
            view! {
                {text_control(&id, &name, "text", "Pick “Use as input” on one of your images, or paste a link", None)}
                <UploadButton name=name.clone() />
                {own_image}
            }
            .into_any()
        }
        ParamKind::Loras { .. } => view! {
            <p class="text-sm text-muted">"LoRAs are set through the REST API for now."</p>
        }
        .into_any(),
    };
    let is_group = matches!(param.kind, ParamKind::ImageSize { .. } | ParamKind::Seed);
    view! {
        <div class="flex flex-col gap-1" data-param=param.name.clone()>
            {if is_group {
                view! { <span class="text-sm font-semibold" id=format!("{id}-label")>{param.label.clone()}</span> }.into_any()
            } else {
                view! { <label for=id.clone() class="text-sm font-semibold">{param.label.clone()}</label> }.into_any()
            }}
            {control}
            {param.help.clone().map(|help| view! { <p class="text-xs text-muted">{help}</p> })}
            {move || error.get().map(|message| view! {
                <p id=error_id.clone() class="text-sm text-error" role="alert">{message}</p>
            })}
        </div>
    }
}

/// A line of text; empty means the parameter is left out.
fn text_control(
    id: &str,
    name: &str,
    kind: &'static str,
    placeholder: &'static str,
    max_length: Option<u32>,
) -> impl IntoView {
    let draft = expect_context::<Draft>();
    let name = name.to_owned();
    let value = {
        let name = name.clone();
        move || draft.param_text(&name)
    };
    view! {
        <input id=id.to_owned() type=kind class="input" placeholder=placeholder maxlength=max_length prop:value=value
            on:input=move |event| {
                let text = event_target_value(&event);
                draft.set_param(&name, (!text.is_empty()).then_some(Value::String(text)));
            }
        />
    }
}

/// A slider with a number box beside it; what the box holds is checked as typed.
fn number_control(id: &str, name: &str, min: f64, max: f64, step: f64, whole: bool) -> impl IntoView {
    let draft = expect_context::<Draft>();
    let name = name.to_owned();
    let shown = {
        let name = name.clone();
        move || draft.param_text(&name)
    };
    let set = {
        let name = name.clone();
        move |raw: String| {
            let value = if raw.trim().is_empty() {
                None
            } else if whole {
                Some(raw.trim().parse::<i64>().map(Value::from).unwrap_or(Value::String(raw)))
            } else {
                Some(
                    raw.trim()
                        .parse::<f64>()
                        .ok()
                        .and_then(|n| serde_json::Number::from_f64(n).map(Value::Number))
                        .unwrap_or(Value::String(raw)),
                )
            };
            draft.set_param(&name, value);
        }
    };
    let set_from_slider = set.clone();
    view! {
        <div class="flex items-center gap-3">
            <input type="range" class="flex-1 accent-[var(--color-primary-strong)]" min=min max=max step=step
                aria-hidden="true" tabindex="-1"
                prop:value=shown.clone()
                on:input=move |event| set_from_slider(event_target_value(&event))
            />
            <input id=id.to_owned() type="number" class="input w-24 tabular-nums" min=min max=max step=step
                inputmode=if whole { "numeric" } else { "decimal" }
                prop:value=shown
                on:input=move |event| set(event_target_value(&event))
            />
        </div>
    }
}

#[component]
fn AspectGrid(name: String, max_side: u32) -> impl IntoView {
    let draft = expect_context::<Draft>();
    let current = {
        let name = name.clone();
        move || draft.param(&name)
    };
    let is_custom = {
        let current = current.clone();
        move || matches!(current(), Some(Value::Object(_)))
    };
    let side = {
        let current = current.clone();
        move |axis: &str| current().and_then(|value| value.get(axis).and_then(Value::as_u64)).unwrap_or(1024)
    };
    let set_custom = {
        let name = name.clone();
        move |axis: &'static str, raw: String| {
            let mut size = match draft.param(&name) {
                Some(Value::Object(size)) => size,
                _ => serde_json::Map::from_iter([("width".into(), json!(1024)), ("height".into(), json!(1024))]),
            };
            size.insert(axis.into(), raw.trim().parse::<u64>().map(Value::from).unwrap_or(Value::String(raw)));
            draft.set_param(&name, Some(Value::Object(size)));
        }
    };
    let preset_buttons = ASPECTS
        .into_iter()
        .map(|(label, preset)| {
            let pressed = {
                let current = current.clone();
                move || current() == Some(Value::from(preset))
            };
            let dims = PRESETS.iter().find(|(name, _, _)| *name == preset).map(|&(_, w, h)| format!("{w}×{h}"));
            let name = name.clone();
            view! {
                <button type="button" class="btn btn-secondary flex-col gap-0 px-2 py-1.5 aria-pressed:border-primary aria-pressed:bg-primary/15"
                    aria-pressed=move || pressed().to_string()
                    title=dims.clone()
                    on:click=move |_| draft.set_param(&name, Some(Value::from(preset)))
                >
                    <span>{label}</span>
                </button>
            }
        })
        .collect_view();
    let custom_pressed = is_custom.clone();
    let name_for_custom = name.clone();
    let set_width = set_custom.clone();
    view! {
        <div class="grid grid-cols-3 gap-2 sm:grid-cols-6" role="group" aria-label="Aspect ratio">
            {preset_buttons}
            <button type="button" class="btn btn-secondary px-2 py-1.5 aria-pressed:border-primary aria-pressed:bg-primary/15"
                aria-pressed=move || custom_pressed().to_string()
                on:click=move |_| draft.set_param(&name_for_custom, Some(json!({"width": 1024, "height": 1024})))
            >
                "Custom"
            </button>
        </div>
        <Show when=is_custom.clone()>
            <div class="mt-2 grid grid-cols-2 gap-2">
                <label class="flex flex-col gap-1 text-xs font-semibold">
                    "Width"
                    <input type="number" class="input" min="64" max=max_side step="8" prop:value={let side = side.clone(); move || side("width")}
                        on:input={let set_width = set_width.clone(); move |event| set_width("width", event_target_value(&event))} />
                </label>
                <label class="flex flex-col gap-1 text-xs font-semibold">
                    "Height"
                    <input type="number" class="input" min="64" max=max_side step="8" prop:value={let side = side.clone(); move || side("height")}
                        on:input={let set_custom = set_custom.clone(); move |event| set_custom("height", event_target_value(&event))} />
                </label>
            </div>
        </Show>
    }
}

/// A seed: random for every run unless locked; the dice draw a new one and lock it.
#[component]
fn SeedControl(id: String, name: String) -> impl IntoView {
    let draft = expect_context::<Draft>();
    let shown = {
        let name = name.clone();
        move || draft.param_text(&name)
    };
    let roll = {
        let name = name.clone();
        move |_| {
            draft.set_param(&name, Some(Value::from(random_seed())));
            draft.seed_locked.set(true);
        }
    };
    view! {
        <div class="flex items-center gap-2">
            <input id=id type="number" class="input flex-1 tabular-nums" min="0" max=MAX_SEED
                placeholder="Random each time"
                prop:value=shown
                disabled=move || !draft.seed_locked.get()
                on:input=move |event| {
                    let raw = event_target_value(&event);
                    let value = raw.trim().parse::<i64>().map(Value::from).unwrap_or(Value::String(raw));
                    draft.set_param(&name, Some(value));
                }
            />
            <label class="flex items-center gap-1 text-sm">
                <input type="checkbox" class="h-4 w-4" prop:checked=move || draft.seed_locked.get()
                    on:change=move |event| draft.seed_locked.set(event_target_checked(&event)) />
                "Lock"
            </label>
            <button type="button" class="icon-button" aria-label="New random seed" title="New random seed" on:click=roll>
                "🎲"
            </button>
        </div>
    }
}

fn random_seed() -> u32 {
    #[cfg(feature = "hydrate")]
    {
        (web_sys::js_sys::Math::random() * f64::from(u32::MAX)) as u32
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0
    }
}

/// "Upload an image": the file joins the user's library and becomes this parameter's value.
#[component]
fn UploadButton(name: String) -> impl IntoView {
    let draft = expect_context::<Draft>();
    let uploading = RwSignal::new(false);
    let input_id = format!("upload-{name}");
    let on_change = move |event: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(input) = event.target().and_then(|target| target.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            let name = name.clone();
            uploading.set(true);
            leptos::task::spawn_local(async move {
                match crate::app::components::upload::upload_chosen(&input).await {
                    Ok(Some(image)) => {
                        draft.set_param(&name, Some(Value::from(crate::types::ImageView::reference(image.id))))
                    }
                    Ok(None) => {}
                    Err(error) => draft
                        .server_error
                        .set(Some(atelier_catalogue::FieldError { field: name.clone(), message: error.message })),
                }
                input.set_value("");
                uploading.set(false);
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (event, &name, draft);
    };
    view! {
        <input id=input_id.clone() type="file" accept="image/png,image/jpeg,image/webp" class="peer sr-only" on:change=on_change
            disabled=move || uploading.get() />
        // The file input is visually hidden but keeps the focus; its label shows the focus ring.
        <label for=input_id class="btn btn-secondary mt-1 cursor-pointer self-start px-3 py-1 text-sm peer-focus-visible:ring-2 peer-focus-visible:ring-ring">
            {move || if uploading.get() { "Uploading…" } else { "Upload an image" }}
        </label>
    }
}
