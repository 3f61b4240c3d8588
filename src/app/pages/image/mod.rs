//! `/images/:id`: one image full size with zoom, everything it was made with, the one-click
//! iterations (variations, upscale, background removal, reuse in the generator), the inpaint editor and
//! the extend (outpaint) panel, where it came from and what was made from it, and a side-by-side
//! comparison. `?edit=inpaint` or `?edit=outpaint` opens the page with that editor open.
//!
//! The page is built once per image: jobs finishing elsewhere refresh only its family (parent and
//! children), so an open editor, the zoom and a comparison are kept.

mod compare;
mod facts;
mod inpaint;
mod outpaint;

use crate::api::images::{IterateImage, get_image};
use crate::api::models::list_models;
use crate::app::components::favourite::FavouriteToggle;
use crate::app::components::form::{Alert, AlertKind};
use crate::app::live;
use crate::types::{ImageDetail, ImageView, Iteration, ModelAvailability, ModelInfo, ONE_CLICK, OneClick, StudioEvent};
use atelier_catalogue::Category;
use compare::Compare;
use facts::Facts;
use inpaint::{InpaintEditor, inpainting_model};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use outpaint::OutpaintPanel;
use uuid::Uuid;

/// The editor shown in place of the image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Editor {
    Inpaint,
    Outpaint,
}

impl Editor {
    /// The editor a page link asks for with `?edit=`.
    fn from_query(edit: Option<&str>) -> Option<Editor> {
        match edit {
            Some("inpaint") => Some(Editor::Inpaint),
            Some("outpaint") => Some(Editor::Outpaint),
            _ => None,
        }
    }
}

#[component]
pub fn ImagePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|raw| Uuid::parse_str(&raw).ok());
    let models = Resource::new(|| (), |_| list_models());
    // Read again only for another image: the page (an open editor, the zoom, a comparison) is built once
    // per image, and what changes while it is open (its family, its favourite) is kept by the page.
    let detail = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_image(id).await.map(Some),
            None => Ok(None),
        }
    });
    // New children appear as their jobs finish.
    let finished_jobs = RwSignal::new(0_u32);
    live::listen(
        || (),
        move |event| {
            if matches!(event, StudioEvent::JobCompleted { .. }) {
                finished_jobs.update(|n| *n += 1);
            }
        },
    );
    view! {
        <Title text="Image" />
        <Transition fallback=|| view! { <p class="skeleton h-96" aria-busy="true">"Loading the image…"</p> }>
            {move || {
                let models = models.get()?.unwrap_or_default();
                Some(match detail.get()? {
                    Ok(Some(detail)) => view! { <ImageStudio detail models finished_jobs /> }.into_any(),
                    Ok(None) => view! { <Alert kind=AlertKind::Error>"That image does not exist."</Alert> }.into_any(),
                    Err(e) => view! { <Alert kind=AlertKind::Error>{e.message}</Alert> }.into_any(),
                })
            }}
        </Transition>
    }
}

/// How large the image is shown: fitted to the screen, or at a multiple of its width (scroll to pan).
#[derive(Clone, Copy, PartialEq)]
enum Zoom {
    Fit,
    Double,
    Quadruple,
}

#[component]
fn ImageStudio(detail: ImageDetail, models: Vec<ModelInfo>, finished_jobs: RwSignal<u32>) -> impl IntoView {
    let query = use_query_map();
    let iterate = ServerAction::<IterateImage>::new();
    let extend = ServerAction::<IterateImage>::new();
    let editor = RwSignal::new(Editor::from_query(query.read_untracked().get("edit").as_deref()));
    let favourite_error = RwSignal::new(None::<String>);
    let ImageDetail { image, parent, children } = detail;
    let id = image.id;
    let family = RwSignal::new((parent, children));
    // A finished job may be a new child: read the family again, leaving the rest of the page as it is.
    Effect::watch(
        move || finished_jobs.get(),
        move |_, _, _| {
            leptos::task::spawn_local(async move {
                if let Ok(detail) = get_image(id).await {
                    family.try_set((detail.parent, detail.children));
                }
            });
        },
        false,
    );
    let zoom = RwSignal::new(Zoom::Fit);
    let comparing = RwSignal::new(None::<ImageView>);
    let inpaint_model = inpainting_model(&models, &image);
    let (image_prompt, image_width, image_height) = (image.prompt.clone(), image.width, image.height);
    let can_inpaint = inpaint_model.is_some();
    let can_outpaint = models
        .iter()
        .any(|model| model.spec.category == Category::Outpainting && model.availability == ModelAvailability::Ready);
    let run = move |iteration: Iteration| {
        iterate.dispatch(IterateImage { id, iteration });
    };
    let open = move |chosen: Editor| {
        extend.value().set(None);
        editor.set(Some(chosen));
    };
    let close = move || editor.set(None);
    let viewer = move || {
        view! {
            <div class="card max-h-[75vh] overflow-auto bg-surface" tabindex="0" aria-label="Image view: scroll to pan" data-testid="viewer">
                <img
                    src=move || ImageView::file_url(id, if zoom.get() == Zoom::Fit { "preview" } else { "original" })
                    alt=image_prompt.clone()
                    width=image_width
                    height=image_height
                    class=move || match zoom.get() {
                        Zoom::Fit => "mx-auto h-auto max-h-[73vh] w-auto max-w-full",
                        Zoom::Double => "h-auto w-[200%] max-w-none",
                        Zoom::Quadruple => "h-auto w-[400%] max-w-none",
                    }
                />
            </div>
        }
    };
    let zoom_button = move |label: &'static str, level: Zoom| {
        view! {
            <button type="button" class="btn btn-secondary px-3 py-1" aria-pressed=move || (zoom.get() == level).to_string()
                on:click=move |_| zoom.set(level)>{label}</button>
        }
    };
    let related = move || family.with(|(parent, children)| parent.iter().chain(children).cloned().collect::<Vec<_>>());
    view! {
        <div class="mx-auto grid max-w-7xl gap-6 lg:grid-cols-[1fr_22rem]">
            <section aria-label="The image" class="flex min-w-0 flex-col gap-3">
                <div class="flex flex-wrap items-center gap-2" role="group" aria-label="Zoom">
                    {zoom_button("Fit", Zoom::Fit)}
                    {zoom_button("200%", Zoom::Double)}
                    {zoom_button("400%", Zoom::Quadruple)}
                    <a class="btn btn-secondary ml-auto px-3 py-1" href=ImageView::file_url(id, "original") target="_blank" rel="noopener">"Open original"</a>
                </div>
                {
                    let image = image.clone();
                    let inpaint_model = inpaint_model.clone();
                    move || match (editor.get(), inpaint_model.clone()) {
                        (Some(Editor::Inpaint), Some(model)) => {
                            view! { <InpaintEditor image=image.clone() model on_close=close /> }.into_any()
                        }
                        (Some(Editor::Outpaint), _) if can_outpaint => {
                            view! { <OutpaintPanel image=image.clone() extend on_close=close /> }.into_any()
                        }
                        _ => viewer().into_any(),
                    }
                }
                {
                    let image = image.clone();
                    move || comparing.get().map(|other| view! {
                        <Compare left=other right=image.clone() on_close=move || comparing.set(None) />
                    })
                }
                {move || {
                    let (parent, children) = family.get();
                    view! { <Lineage parent children /> }
                }}
            </section>
            <aside class="flex flex-col gap-4">
                <div class="card flex flex-col gap-3 p-4">
                    <div class="flex flex-wrap gap-2">
                        <FavouriteToggle id favourite=image.is_favorite error=favourite_error class="btn btn-secondary" labelled=true />
                        <a class="btn btn-secondary" href=ImageView::file_url(id, "original")
                            download=format!("atelier-{id}.{}", image.format)>"Download"</a>
                    </div>
                    <h2 class="text-sm font-semibold text-muted">"Iterate"</h2>
                    <div class="grid grid-cols-2 gap-2">
                        {ONE_CLICK.into_iter().map(|OneClick { label, iteration, .. }| view! {
                            <button type="button" class="btn btn-secondary px-2" disabled=move || iterate.pending().get()
                                on:click=move |_| run(iteration.clone())>{label}</button>
                        }).collect_view()}
                        <button type="button" class="btn btn-secondary px-2" disabled=!can_inpaint
                            title=if can_inpaint { "Paint over what to change" } else { "No inpainting model is switched on" }
                            on:click=move |_| open(Editor::Inpaint)>"Inpaint"</button>
                        <button type="button" class="btn btn-secondary px-2" disabled=!can_outpaint data-testid="open-outpaint"
                            title=if can_outpaint { "Add to the canvas on any side" } else { "No outpainting model is switched on" }
                            on:click=move |_| open(Editor::Outpaint)>"Extend canvas"</button>
                        <a class="btn btn-secondary px-2" href=format!("/generate?input={id}")>"Use as input"</a>
                        <a class="btn btn-secondary px-2" href=format!("/generate?remix={id}")>"Remix"</a>
                    </div>
                    {move || iterate.value().get().map(|result| match result {
                        Ok(_) => view! {
                            <p class="alert alert-success" role="status">
                                "Queued. The result appears under “Made from this” when it is ready. "
                                <a class="underline" href="/generate">"Watch it on Generate"</a>
                            </p>
                        }.into_any(),
                        Err(e) => view! { <p class="alert alert-error" role="alert">{e.message}</p> }.into_any(),
                    })}
                    {move || favourite_error.get().map(|message| view! { <p class="alert alert-error" role="alert">{message}</p> })}
                    {move || {
                        let choices = related();
                        (!choices.is_empty()).then(|| view! {
                            <label class="flex flex-col gap-1 text-sm font-semibold">
                                "Compare with"
                                <select class="input" data-testid="compare-with" on:change=move |event| {
                                    let chosen = event_target_value(&event);
                                    comparing.set(related().into_iter().find(|other| other.id.to_string() == chosen));
                                }>
                                    <option value="">"Choose an image…"</option>
                                    {choices.iter().map(|other| view! {
                                        <option value=other.id.to_string()>{format!("{} × {} · {}", other.width, other.height, short(&other.prompt))}</option>
                                    }).collect_view()}
                                </select>
                            </label>
                        })
                    }}
                </div>
                <Facts image />
            </aside>
        </div>
    }
}

#[component]
fn Lineage(parent: Option<ImageView>, children: Vec<ImageView>) -> impl IntoView {
    let tile = |image: ImageView| {
        view! {
            <a href=format!("/images/{}", image.id) class="block overflow-hidden rounded-lg border border-border" data-image=image.id.to_string()>
                <img src=ImageView::file_url(image.id, "thumbnail") alt=image.prompt.clone() loading="lazy" class="aspect-square w-full object-cover" />
            </a>
        }
    };
    view! {
        <section aria-labelledby="lineage-heading" class="card flex flex-col gap-3 p-4">
            <h2 id="lineage-heading" class="font-bold">"Iterations"</h2>
            {parent.map(|parent| view! {
                <div data-testid="parent">
                    <h3 class="mb-2 text-sm font-semibold text-muted">"Made from"</h3>
                    <div class="w-32">{tile(parent)}</div>
                </div>
            })}
            <div data-testid="children">
                <h3 class="mb-2 text-sm font-semibold text-muted">"Made from this"</h3>
                {if children.is_empty() {
                    view! { <p class="text-sm text-muted">"Nothing yet: variations, upscales and edits of this image appear here."</p> }.into_any()
                } else {
                    view! { <div class="grid grid-cols-3 gap-2 sm:grid-cols-5">{children.into_iter().map(tile).collect_view()}</div> }.into_any()
                }}
            </div>
        </section>
    }
}

fn short(text: &str) -> String {
    let mut short: String = text.chars().take(40).collect();
    if text.chars().count() > 40 {
        short.push('…');
    }
    short
}
