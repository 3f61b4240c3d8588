//! The inpainting editor: paint over the parts of the image to repaint (brush and eraser, any size,
//! undo, clear, invert), say what should be there, and send the mask as a black-and-white PNG.

use crate::api::generate::SubmitGeneration;
use crate::types::{GenerationRequest, ImageView, ModelAvailability, ModelInfo};
use atelier_catalogue::{Category, ProviderKind};
use leptos::html::Canvas;
use leptos::prelude::*;
use serde_json::{Map, Value};

/// The model that repaints: one that runs on the same provider as the image when it can.
pub fn inpainting_model(models: &[ModelInfo], image: &ImageView) -> Option<ModelInfo> {
    let made_offline = image.model_id.as_deref().is_some_and(|id| id.starts_with("atelier/"));
    let ready = |model: &&ModelInfo| {
        model.spec.category == Category::Inpainting && model.availability == ModelAvailability::Ready
    };
    let same_side = |model: &&ModelInfo| (model.spec.provider == ProviderKind::Offline) == made_offline;
    models.iter().filter(ready).find(same_side).or_else(|| models.iter().find(ready)).cloned()
}

#[derive(Clone, Copy, PartialEq)]
enum Tool {
    Brush,
    Eraser,
}

#[component]
pub fn InpaintEditor(image: ImageView, model: ModelInfo, on_close: impl Fn() + Send + Sync + 'static) -> impl IntoView {
    let submit = ServerAction::<SubmitGeneration>::new();
    let canvas = NodeRef::<Canvas>::new();
    let tool = RwSignal::new(Tool::Brush);
    let size = RwSignal::new(48.0_f64);
    let prompt = RwSignal::new(image.prompt.clone());
    let painted = RwSignal::new(false);
    let strokes = mask::no_strokes();
    let drawing = RwSignal::new(false);
    let id = image.id;
    let (image_width, image_height) = (image.width, image.height);
    let (mask_width, mask_height) = mask::drawn_size(image_width, image_height);
    let model_id = model.spec.id.clone();
    let send = move |_| {
        let Some(mask) = mask::png_data_uri(canvas, (image_width, image_height)) else { return };
        let mut parameters = Map::new();
        parameters.insert("image_url".into(), Value::from(ImageView::reference(id)));
        parameters.insert("mask_url".into(), Value::from(mask));
        submit.dispatch(SubmitGeneration {
            request: GenerationRequest {
                model_id: model_id.clone(),
                prompt: prompt.get_untracked(),
                negative_prompt: None,
                parameters,
                project_id: None,
                parent_image_id: Some(id),
                run_next: false,
            },
        });
    };
    let tool_button = move |label: &'static str, choice: Tool| {
        view! {
            <button type="button" class="btn btn-secondary px-3 py-1" aria-pressed=move || (tool.get() == choice).to_string()
                on:click=move |_| tool.set(choice)>{label}</button>
        }
    };
    view! {
        <section aria-label="Inpaint" class="card flex flex-col gap-3 p-4" data-testid="inpaint">
            <div class="flex flex-wrap items-center gap-2">
                <h2 class="mr-auto font-bold">{format!("Inpaint with {}", model.spec.name)}</h2>
                <button type="button" class="btn btn-secondary px-3 py-1" on:click=move |_| on_close()>"Close"</button>
            </div>
            <div class="flex flex-wrap items-center gap-2" role="toolbar" aria-label="Mask tools">
                {tool_button("Brush", Tool::Brush)}
                {tool_button("Eraser", Tool::Eraser)}
                <label class="flex items-center gap-2 text-sm">
                    "Size"
                    <input type="range" min="4" max="256" step="4" prop:value=move || size.get()
                        on:input=move |event| size.set(event_target_value(&event).parse().unwrap_or(48.0)) />
                </label>
                <button type="button" class="btn btn-secondary px-3 py-1" on:click=move |_| mask::undo(canvas, strokes)>"Undo"</button>
                <button type="button" class="btn btn-secondary px-3 py-1" on:click=move |_| { mask::clear(canvas, strokes); painted.set(false); }>"Clear"</button>
                <button type="button" class="btn btn-secondary px-3 py-1" on:click=move |_| { mask::invert(canvas, strokes); painted.set(true); }>"Invert"</button>
            </div>
            <p class="text-sm text-muted">"Paint over what should change. The rest of the image stays as it is."</p>
            <div class="relative overflow-hidden rounded-lg bg-surface">
                <img src=ImageView::file_url(id, "preview") alt=image.prompt.clone() class="block h-auto w-full select-none" draggable="false" />
                <canvas node_ref=canvas width=mask_width height=mask_height data-testid="mask"
                    class="absolute inset-0 h-full w-full cursor-crosshair touch-none opacity-60"
                    aria-label="Mask: paint over the parts to repaint"
                    on:pointerdown=move |event| {
                        drawing.set(true);
                        mask::checkpoint(canvas, strokes);
                        mask::dab(canvas, &event, size.get_untracked(), tool.get_untracked() == Tool::Eraser);
                        painted.set(true);
                    }
                    on:pointermove=move |event| {
                        if drawing.get_untracked() {
                            mask::dab(canvas, &event, size.get_untracked(), tool.get_untracked() == Tool::Eraser);
                        }
                    }
                    on:pointerup=move |_| drawing.set(false)
                    on:pointerleave=move |_| drawing.set(false)
                ></canvas>
            </div>
            <label class="flex flex-col gap-1 text-sm font-semibold">
                "What should be there"
                <textarea class="input" rows="2" prop:value=move || prompt.get()
                    on:input=move |event| prompt.set(event_target_value(&event))></textarea>
            </label>
            <button type="button" class="btn btn-primary self-start" data-testid="inpaint-submit"
                disabled=move || !painted.get() || prompt.with(|text| text.trim().is_empty()) || submit.pending().get()
                on:click=send>
                "Repaint"
            </button>
            {move || submit.value().get().map(|result| match result {
                Ok(_) => view! { <p class="alert alert-success" role="status">"Queued. The repainted image appears under “Made from this”."</p> }.into_any(),
                Err(e) => view! { <p class="alert alert-error" role="alert">{e.message}</p> }.into_any(),
            })}
        </section>
    }
}

/// Drawing on the mask canvas: white (opaque) where the image is to be repainted.
mod mask {
    use leptos::html::Canvas;
    use leptos::prelude::*;

    /// Saved states for undo, oldest first. Browser-only values in the browser; on the server (the
    /// editor is rendered there when the address asks for it) a plain value, which may be dropped
    /// on any thread: a local one dropped elsewhere panics the request.
    #[cfg(feature = "hydrate")]
    pub type Strokes = StoredValue<Vec<Snapshot>, LocalStorage>;
    #[cfg(not(feature = "hydrate"))]
    pub type Strokes = StoredValue<Vec<Snapshot>>;

    pub fn no_strokes() -> Strokes {
        #[cfg(feature = "hydrate")]
        return StoredValue::new_local(Vec::new());
        #[cfg(not(feature = "hydrate"))]
        return StoredValue::new(Vec::new());
    }

    #[cfg(feature = "hydrate")]
    pub type Snapshot = web_sys::ImageData;
    #[cfg(not(feature = "hydrate"))]
    pub type Snapshot = ();

    /// How many undo steps are kept.
    #[cfg(feature = "hydrate")]
    const UNDO_DEPTH: usize = 30;

    #[cfg(feature = "hydrate")]
    fn context(canvas: NodeRef<Canvas>) -> Option<(web_sys::HtmlCanvasElement, web_sys::CanvasRenderingContext2d)> {
        use wasm_bindgen::JsCast;
        let element = canvas.get_untracked()?;
        let context = element.get_context("2d").ok()??.dyn_into::<web_sys::CanvasRenderingContext2d>().ok()?;
        Some((element, context))
    }

    /// Paints (or erases) a round dab under the pointer, in the canvas's own pixels.
    pub fn dab(canvas: NodeRef<Canvas>, event: &leptos::ev::PointerEvent, size: f64, erase: bool) {
        #[cfg(feature = "hydrate")]
        if let Some((element, context)) = context(canvas) {
            let rect = element.get_bounding_client_rect();
            if rect.width() <= 0.0 || rect.height() <= 0.0 {
                return;
            }
            let scale = f64::from(element.width()) / rect.width();
            let x = (f64::from(event.client_x()) - rect.left()) * scale;
            let y = (f64::from(event.client_y()) - rect.top()) * scale;
            let _ = context.set_global_composite_operation(if erase { "destination-out" } else { "source-over" });
            context.set_fill_style_str("#ffffff");
            context.begin_path();
            let _ = context.arc(x, y, size * scale / 2.0, 0.0, std::f64::consts::TAU);
            context.fill();
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (canvas, event, size, erase);
    }

    /// Remembers the mask as it is, before a stroke changes it.
    pub fn checkpoint(canvas: NodeRef<Canvas>, strokes: Strokes) {
        #[cfg(feature = "hydrate")]
        if let Some((element, context)) = context(canvas)
            && let Ok(snapshot) =
                context.get_image_data(0.0, 0.0, f64::from(element.width()), f64::from(element.height()))
        {
            strokes.update_value(|strokes| {
                strokes.push(snapshot);
                if strokes.len() > UNDO_DEPTH {
                    strokes.remove(0);
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (canvas, strokes);
    }

    pub fn undo(canvas: NodeRef<Canvas>, strokes: Strokes) {
        #[cfg(feature = "hydrate")]
        if let Some((_, context)) = context(canvas)
            && let Some(previous) = strokes.try_update_value(|strokes| strokes.pop()).flatten()
        {
            let _ = context.put_image_data(&previous, 0.0, 0.0);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (canvas, strokes);
    }

    pub fn clear(canvas: NodeRef<Canvas>, strokes: Strokes) {
        checkpoint(canvas, strokes);
        #[cfg(feature = "hydrate")]
        if let Some((element, context)) = context(canvas) {
            context.clear_rect(0.0, 0.0, f64::from(element.width()), f64::from(element.height()));
        }
    }

    /// Painted becomes unpainted and the other way round.
    pub fn invert(canvas: NodeRef<Canvas>, strokes: Strokes) {
        checkpoint(canvas, strokes);
        #[cfg(feature = "hydrate")]
        if let Some((element, context)) = context(canvas)
            && let Ok(image) = context.get_image_data(0.0, 0.0, f64::from(element.width()), f64::from(element.height()))
        {
            let mut pixels = image.data().0;
            for pixel in pixels.chunks_exact_mut(4) {
                let alpha = 255 - pixel[3];
                pixel.copy_from_slice(&[255, 255, 255, alpha]);
            }
            if let Ok(inverted) =
                web_sys::ImageData::new_with_u8_clamped_array(wasm_bindgen::Clamped(&pixels), element.width())
            {
                let _ = context.put_image_data(&inverted, 0.0, 0.0);
            }
        }
    }

    /// The longest side the mask is drawn at: every stroke keeps a copy of the canvas for undo, and
    /// copies of a full 4096² canvas would take gigabytes. The mask is scaled to the image when sent.
    const MAX_DRAWN_SIDE: i32 = 1024;

    /// The size the mask is drawn at for an image of `width × height`: the same shape, at most
    /// [`MAX_DRAWN_SIDE`] on a side.
    pub fn drawn_size(width: i32, height: i32) -> (i32, i32) {
        let longest = width.max(height).max(1);
        if longest <= MAX_DRAWN_SIDE {
            return (width, height);
        }
        let scaled = |side: i32| ((i64::from(side) * i64::from(MAX_DRAWN_SIDE)) / i64::from(longest)).max(1) as i32;
        (scaled(width), scaled(height))
    }

    /// The mask as the models take it: a PNG of the image's `size`, white where painted, black elsewhere.
    pub fn png_data_uri(canvas: NodeRef<Canvas>, size: (i32, i32)) -> Option<String> {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let (element, _) = context(canvas)?;
            let (width, height) = (u32::try_from(size.0).ok()?, u32::try_from(size.1).ok()?);
            let document = leptos::prelude::document();
            let flat = document.create_element("canvas").ok()?.dyn_into::<web_sys::HtmlCanvasElement>().ok()?;
            flat.set_width(width);
            flat.set_height(height);
            let flat_context = flat.get_context("2d").ok()??.dyn_into::<web_sys::CanvasRenderingContext2d>().ok()?;
            flat_context.set_fill_style_str("#000000");
            flat_context.fill_rect(0.0, 0.0, f64::from(width), f64::from(height));
            flat_context
                .draw_image_with_html_canvas_element_and_dw_and_dh(
                    &element,
                    0.0,
                    0.0,
                    f64::from(width),
                    f64::from(height),
                )
                .ok()?;
            flat.to_data_url_with_type("image/png").ok()
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = (canvas, size);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::mask::drawn_size;

    #[test]
    fn a_large_image_gets_a_mask_of_its_shape_at_most_1024_on_a_side() {
        assert_eq!(drawn_size(640, 480), (640, 480));
        assert_eq!(drawn_size(1024, 1024), (1024, 1024));
        assert_eq!(drawn_size(4096, 4096), (1024, 1024));
        assert_eq!(drawn_size(4096, 1024), (1024, 256));
        assert_eq!(drawn_size(8192, 3), (1024, 1));
    }
}
