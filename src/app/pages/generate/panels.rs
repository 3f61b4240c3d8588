//! The side panels of the generate page, history and queue: beside the results on wide screens,
//! folded sections below the form on smaller ones.

use super::history::HistoryPanel;
use super::queue_panel::QueuePanel;
use crate::types::ModelInfo;
use leptos::prelude::*;

#[component]
pub fn StudioPanels(models: StoredValue<Vec<ModelInfo>>) -> impl IntoView {
    view! {
        <aside class="studio-panels" aria-labelledby="panels-heading">
            <h2 id="panels-heading" class="sr-only">"History and queue"</h2>
            <QueuePanel />
            <HistoryPanel models />
        </aside>
    }
}

/// Screens wide enough for a third column (Tailwind's `2xl`), where the panels start open.
const WIDE: &str = "(min-width: 96rem)";

/// Opens a folded panel once hydrated when the screen has room for it; the server renders it folded.
pub fn open_on_wide_screens(panel: NodeRef<leptos::html::Details>) {
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(panel) = panel.get() {
            let wide = window().match_media(WIDE).ok().flatten().is_some_and(|query| query.matches());
            if wide {
                let _ = panel.set_attribute("open", "");
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (panel, WIDE);
    });
}
