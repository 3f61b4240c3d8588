//! One result image and what can be done with it: a favourite star, quick actions on the image
//! (variations, an upscale, download) and every action in a menu (upscale 4×, background removal,
//! reuse as input, remix, inpaint, extend, open). With a mouse the quick actions show on hover or
//! focus; on touch screens they always show.

use super::draft::Draft;
use crate::api::images::IterateImage;
use crate::app::components::favourite::FavouriteToggle;
use crate::types::{ImageView, Iteration, ModelInfo, ONE_CLICK, OneClick};
use leptos::prelude::*;
use uuid::Uuid;

#[component]
pub fn ImageTile(id: Uuid, models: StoredValue<Vec<ModelInfo>>, favourite: bool) -> impl IntoView {
    let draft = expect_context::<Draft>();
    let status = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let iterate = ServerAction::<IterateImage>::new();
    let asked = RwSignal::new("");
    Effect::new(move |_| match iterate.value().get() {
        Some(Ok(_)) => status.set(Some(format!("{} queued.", asked.get_untracked()))),
        Some(Err(e)) => {
            status.set(None);
            error.set(Some(e.message));
        }
        None => {}
    });
    let menu = NodeRef::<leptos::html::Div>::new();
    let close_menu = move || {
        #[cfg(feature = "hydrate")]
        if let Some(menu) = menu.get_untracked() {
            let _ = menu.hide_popover();
        }
    };
    let run = move |iteration: Iteration, label: &'static str| {
        asked.set(label);
        error.set(None);
        status.set(Some(format!("{label}: queuing…")));
        iterate.dispatch(IterateImage { id, iteration });
        close_menu();
    };
    let use_as_input = move || {
        models.with_value(|models| draft.use_as_input(id, models));
        error.set(None);
        status.set(Some("Set as the input image.".to_owned()));
        close_menu();
    };
    // The image's settings are read when asked for, not with every tile.
    let remix = move || {
        close_menu();
        error.set(None);
        status.set(Some("Recalling its settings…".to_owned()));
        leptos::task::spawn_local(async move {
            match draft.remix_image(id, models).await {
                Ok(()) => {
                    status.try_set(Some("Settings recalled.".to_owned()));
                }
                Err(e) => {
                    status.try_set(None);
                    error.try_set(Some(e.message));
                }
            }
        });
    };
    let busy = move || iterate.pending().get();
    let menu_id = format!("tile-menu-{id}");
    let heading_id = format!("tile-menu-heading-{id}");
    view! {
        <div class="image-tile group flex flex-col gap-1" data-tile=id.to_string()>
            <div class="relative">
                <a href=format!("/images/{id}") title="Open: details, zoom, iterate"
                    class="block overflow-hidden rounded-lg border border-border bg-surface" data-image=id.to_string()>
                    <img src=ImageView::file_url(id, "thumbnail") alt="Generated image" loading="lazy"
                        class="aspect-square w-full object-cover animate-[fade-in_400ms_ease-out] transition group-hover:scale-[1.02]" />
                </a>
                <FavouriteToggle id favourite error class="tile-button absolute right-1 top-1" />
                <div class="tile-actions" role="group" aria-label="Quick actions">
                    <button type="button" class="tile-button" title="Two variations: new seeds, same settings"
                        disabled=busy on:click=move |_| run(Iteration::Variations { count: 2 }, "Variations")>"Vary"</button>
                    <button type="button" class="tile-button" aria-label="Upscale 2×" title="Upscale 2×"
                        disabled=busy on:click=move |_| run(Iteration::Upscale { factor: 2 }, "Upscale 2×")>"2×"</button>
                    <a class="tile-button" href=ImageView::file_url(id, "original") download="" title="Download the original">
                        "↓"<span class="sr-only">" Download"</span>
                    </a>
                    <button type="button" class="tile-button" popovertarget=menu_id.clone() aria-label="More actions"
                        title="More actions" data-testid="tile-menu-button">"⋯"</button>
                </div>
            </div>
            <div id=menu_id.clone() popover="auto" class="dialog" role="dialog" aria-labelledby=heading_id.clone()
                node_ref=menu data-testid="tile-menu">
                <div class="flex items-center justify-between gap-3">
                    <h3 id=heading_id.clone() class="font-bold">"Image actions"</h3>
                    <button type="button" class="icon-button" popovertarget=menu_id.clone() popovertargetaction="hide" aria-label="Close">"✕"</button>
                </div>
                <div class="mt-4 grid grid-cols-2 gap-2">
                    {ONE_CLICK.into_iter().map(|OneClick { label, name, iteration }| view! {
                        <button type="button" class="btn btn-secondary" disabled=busy
                            on:click=move |_| run(iteration.clone(), name)>{label}</button>
                    }).collect_view()}
                    <button type="button" class="btn btn-secondary" title="Use as the input of an image-to-image model"
                        on:click=move |_| use_as_input()>"Use as input"</button>
                    <button type="button" class="btn btn-secondary" title="Put every setting of this image, its seed too, back in the form"
                        on:click=move |_| remix()>"Remix this image"</button>
                    <a class="btn btn-secondary" href=format!("/images/{id}?edit=inpaint") title="Paint over a part to redo it">"Inpaint"</a>
                    <a class="btn btn-secondary" href=format!("/images/{id}?edit=outpaint") title="Extend the image beyond its edges">"Extend"</a>
                    <a class="btn btn-secondary" href=ImageView::file_url(id, "original") download="">"Download"</a>
                    <a class="btn btn-secondary" href=format!("/images/{id}")>"Open"</a>
                </div>
            </div>
            <p class="text-xs text-muted" role="status">{move || status.get()}</p>
            {move || error.get().map(|message| view! { <p class="text-xs text-error" role="alert">{message}</p> })}
        </div>
    }
}
