//! Everything an image was made with, as a definition list.

use crate::types::ImageView;
use leptos::prelude::*;

#[component]
pub fn Facts(image: ImageView) -> impl IntoView {
    let mut rows: Vec<(String, String)> = vec![
        ("Prompt".into(), image.prompt.clone()),
        ("Model".into(), image.model_id.clone().unwrap_or_else(|| "—".into())),
        ("Size".into(), format!("{} × {} px, {}", image.width, image.height, image.format.to_uppercase())),
        ("File".into(), format!("{:.1} KB", image.file_size as f64 / 1024.0)),
        ("Seed".into(), image.seed.map(|seed| seed.to_string()).unwrap_or_else(|| "—".into())),
        ("Time".into(), image.generation_time.map(|s| format!("{s:.2} s")).unwrap_or_else(|| "—".into())),
        (
            "Cost".into(),
            match image.cost_credits {
                0 => "free".into(),
                1 => "1 credit".into(),
                n => format!("{n} credits"),
            },
        ),
        ("Made".into(), image.created_at.format("%Y-%m-%d %H:%M UTC").to_string()),
    ];
    if let Some(negative) = image.negative_prompt.clone().filter(|text| !text.is_empty()) {
        rows.insert(1, ("Negative prompt".into(), negative));
    }
    if let Some(parameters) = image.parameters.as_object() {
        for (name, value) in parameters {
            if !matches!(name.as_str(), "prompt" | "negative_prompt" | "seed") {
                let shown = match value.as_str() {
                    // Input images are files, not words: a mask would be thousands of characters.
                    Some(text) if ImageView::referenced(text).is_some() => "one of your images".to_owned(),
                    Some(text) if text.starts_with("data:") => "an image sent with the request".to_owned(),
                    Some(text) => text.to_owned(),
                    None => value.to_string(),
                };
                rows.push((name.replace('_', " "), shown));
            }
        }
    }
    view! {
        <section aria-labelledby="facts-heading" class="card p-4">
            <h2 id="facts-heading" class="mb-3 font-bold">"Details"</h2>
            <dl class="grid grid-cols-[auto_1fr] gap-x-3 gap-y-2 text-sm" data-testid="facts">
                {rows.into_iter().map(|(term, value)| view! {
                    <dt class="text-muted">{term}</dt>
                    <dd class="break-words">{value}</dd>
                }).collect_view()}
            </dl>
        </section>
    }
}
