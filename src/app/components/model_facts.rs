//! How a model's facts read to people: category and capability names, cost, speed and quality.

use atelier_catalogue::{Capability, Category, Cost, CostUnit, ModelSpec, ParamKind, ProviderKind};
use leptos::prelude::*;

/// The categories in the order pages list them.
pub const CATEGORIES: [Category; 6] = [
    Category::TextToImage,
    Category::ImageToImage,
    Category::Inpainting,
    Category::Outpainting,
    Category::Upscaling,
    Category::Utility,
];

pub fn category_label(category: Category) -> &'static str {
    match category {
        Category::TextToImage => "Text to image",
        Category::ImageToImage => "Image to image",
        Category::Inpainting => "Inpainting",
        Category::Outpainting => "Outpainting",
        Category::Upscaling => "Upscaling",
        Category::Utility => "Utilities",
    }
}

pub fn capability_label(capability: Capability) -> &'static str {
    match capability {
        Capability::TextToImage => "Text to image",
        Capability::ImageToImage => "Image to image",
        Capability::Inpainting => "Inpainting",
        Capability::Outpainting => "Outpainting",
        Capability::Upscale => "Upscale",
        Capability::BackgroundRemoval => "Background removal",
        Capability::Lora => "LoRA",
    }
}

pub fn cost_text(cost: Cost) -> String {
    let unit = match cost.per {
        CostUnit::Image => "image",
        CostUnit::Megapixel => "megapixel",
    };
    match cost.credits {
        0 => "Free".to_owned(),
        1 => format!("1 credit per {unit}"),
        n => format!("{n} credits per {unit}"),
    }
}

pub fn provider_label(provider: ProviderKind) -> &'static str {
    match provider {
        ProviderKind::Fal => "fal.ai",
        ProviderKind::Offline => "Offline preview · not AI",
    }
}

/// A 1–5 rating as five dots, read out as "Speed: 4 of 5".
#[component]
pub fn Rating(label: &'static str, value: u8) -> impl IntoView {
    let value = value.min(5);
    view! {
        <span class="inline-flex items-center gap-1.5 text-sm" role="img" aria-label=format!("{label}: {value} of 5")>
            <span class="text-muted" aria-hidden="true">{label}</span>
            <span class="tracking-widest text-accent" aria-hidden="true">
                {"●".repeat(usize::from(value))}<span class="text-border">{"●".repeat(usize::from(5 - value))}</span>
            </span>
        </span>
    }
}

/// What a parameter accepts, e.g. "1 to 50, default 28".
pub fn param_range(kind: &ParamKind) -> String {
    let with_default = |range: String, default: Option<String>| match default {
        Some(default) => format!("{range}, default {default}"),
        None => range,
    };
    match kind {
        ParamKind::Text { max_length, default, .. } => {
            with_default(format!("up to {max_length} characters"), default.clone())
        }
        ParamKind::Integer { min, max, default, .. } => {
            with_default(format!("{min} to {max}"), default.map(|d| d.to_string()))
        }
        ParamKind::Number { min, max, default, .. } => {
            with_default(format!("{min} to {max}"), default.map(|d| d.to_string()))
        }
        ParamKind::Boolean { default } => format!("on or off, default {}", if *default { "on" } else { "off" }),
        ParamKind::Choice { options, default } => with_default(
            options.iter().map(choice_text).collect::<Vec<_>>().join(", "),
            default.as_ref().map(choice_text),
        ),
        ParamKind::ImageSize { default, max_side } => {
            format!("a preset or up to {max_side}×{max_side}, default {default}")
        }
        ParamKind::Seed => "a whole number; random when empty".to_owned(),
        ParamKind::Image => "an image".to_owned(),
        ParamKind::Loras { max } => format!("up to {max} LoRA weights"),
    }
}

fn choice_text(value: &serde_json::Value) -> String {
    value.as_str().map(str::to_owned).unwrap_or_else(|| value.to_string())
}

/// The model's parameters, folded.
#[component]
pub fn ParamList(spec: ModelSpec) -> impl IntoView {
    let count = spec.params.len();
    view! {
        <details class="mt-3 text-sm">
            <summary class="cursor-pointer font-semibold">{format!("Parameters ({count})")}</summary>
            <dl class="mt-2 grid gap-2">
                {spec.params.into_iter().map(|param| view! {
                    <div>
                        <dt class="font-semibold">
                            {param.label.clone()}
                            <code class="ml-2 text-xs text-muted">{param.name.clone()}</code>
                            {param.required.then(|| view! { <span class="ml-2 text-xs text-muted">"required"</span> })}
                        </dt>
                        <dd class="text-muted">{param_range(&param.kind)}</dd>
                        {param.help.clone().map(|help| view! { <dd class="text-muted">{help}</dd> })}
                    </div>
                }).collect_view()}
            </dl>
        </details>
    }
}
