//! The "Extend" panel: pick the sides and how far, see the grown canvas outlined around the image, say
//! what the new area should show (the image's own prompt to begin with), and queue the outpaint.

use crate::api::images::IterateImage;
use crate::types::{ImageView, Iteration};
use leptos::html::H2;
use leptos::prelude::*;

/// How far a side can be extended from the panel, in pixels (the models take up to 700).
const AMOUNTS: [u32; 4] = [64, 128, 256, 512];
const DEFAULT_AMOUNT: u32 = 256;

/// The longest side of the preview frame, in CSS pixels.
const PREVIEW_SIDE: f64 = 240.0;

/// Width and height classes by the CSS pixels they stand for. Written out whole so the stylesheet
/// build finds them; the preview uses the nearest, so its proportions are close, not exact.
const WIDTHS: [(u32, &str); 22] = [
    (0, "w-0"),
    (4, "w-1"),
    (8, "w-2"),
    (12, "w-3"),
    (16, "w-4"),
    (24, "w-6"),
    (32, "w-8"),
    (40, "w-10"),
    (48, "w-12"),
    (56, "w-14"),
    (64, "w-16"),
    (80, "w-20"),
    (96, "w-24"),
    (112, "w-28"),
    (128, "w-32"),
    (144, "w-36"),
    (160, "w-40"),
    (176, "w-44"),
    (192, "w-48"),
    (208, "w-52"),
    (224, "w-56"),
    (240, "w-60"),
];
const HEIGHTS: [(u32, &str); 22] = [
    (0, "h-0"),
    (4, "h-1"),
    (8, "h-2"),
    (12, "h-3"),
    (16, "h-4"),
    (24, "h-6"),
    (32, "h-8"),
    (40, "h-10"),
    (48, "h-12"),
    (56, "h-14"),
    (64, "h-16"),
    (80, "h-20"),
    (96, "h-24"),
    (112, "h-28"),
    (128, "h-32"),
    (144, "h-36"),
    (160, "h-40"),
    (176, "h-44"),
    (192, "h-48"),
    (208, "h-52"),
    (224, "h-56"),
    (240, "h-60"),
];

/// The sides chosen, each extended by the same amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Sides {
    left: bool,
    right: bool,
    top: bool,
    bottom: bool,
}

impl Sides {
    const ALL: Sides = Sides { left: true, right: true, top: true, bottom: true };

    fn any(self) -> bool {
        self.left || self.right || self.top || self.bottom
    }

    /// Pixels added left, right, top and bottom.
    fn pixels(self, amount: u32) -> [u32; 4] {
        [self.left, self.right, self.top, self.bottom].map(|chosen| if chosen { amount } else { 0 })
    }

    fn iteration(self, amount: u32, prompt: String) -> Iteration {
        let [left, right, top, bottom] = self.pixels(amount);
        Iteration::Outpaint { left, right, top, bottom, prompt: Some(prompt) }
    }
}

/// The width and height of a `width`×`height` image extended by `pixels` (left, right, top, bottom).
fn grown(width: i32, height: i32, [left, right, top, bottom]: [u32; 4]) -> (i64, i64) {
    (i64::from(width) + i64::from(left) + i64::from(right), i64::from(height) + i64::from(top) + i64::from(bottom))
}

/// The class of `classes` nearest to `pixels` CSS pixels.
fn nearest(classes: &[(u32, &'static str)], pixels: f64) -> &'static str {
    classes
        .iter()
        .min_by(|a, b| (f64::from(a.0) - pixels).abs().total_cmp(&(f64::from(b.0) - pixels).abs()))
        .map_or("", |(_, class)| *class)
}

#[component]
pub fn OutpaintPanel(
    image: ImageView,
    extend: ServerAction<IterateImage>,
    on_close: impl Fn() + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let sides = RwSignal::new(Sides { left: false, right: true, top: false, bottom: false });
    let amount = RwSignal::new(DEFAULT_AMOUNT);
    let prompt = RwSignal::new(image.prompt.clone());
    let heading = NodeRef::<H2>::new();
    let (id, width, height) = (image.id, image.width, image.height);
    let pending = extend.pending();
    let pixels = move || sides.get().pixels(amount.get());
    let new_size = move || grown(width, height, pixels());

    // Opened from a button or a link: keyboard users land in the panel.
    Effect::new(move |_| {
        if let Some(heading) = heading.get() {
            let _ = heading.focus();
        }
    });
    let send = move |_| {
        let iteration = sides.get_untracked().iteration(amount.get_untracked(), prompt.get_untracked());
        extend.dispatch(IterateImage { id, iteration });
    };
    let side_box = move |label: &'static str, get: fn(Sides) -> bool, set: fn(&mut Sides, bool)| {
        view! {
            <label class="flex items-center gap-1.5 text-sm">
                <input type="checkbox" class="h-4 w-4" prop:checked=move || get(sides.get())
                    on:change=move |event| sides.update(|sides| set(sides, event_target_checked(&event))) />
                {label}
            </label>
        }
    };
    let amount_choice = move |pixels: u32| {
        view! {
            <label class="flex items-center gap-1.5 text-sm">
                <input type="radio" name="outpaint-amount" class="h-4 w-4" value=pixels.to_string()
                    prop:checked=move || amount.get() == pixels on:change=move |_| amount.set(pixels) />
                {format!("{pixels} px")}
            </label>
        }
    };
    let close = on_close.clone();
    view! {
        <section aria-labelledby="outpaint-heading" class="card flex flex-col gap-4 p-4" data-testid="outpaint"
            on:keydown=move |event| if event.key() == "Escape" { close() }>
            <div class="flex flex-wrap items-center gap-2">
                <h2 id="outpaint-heading" node_ref=heading tabindex="-1" class="mr-auto font-bold">"Extend the canvas"</h2>
                <button type="button" class="btn btn-secondary px-3 py-1" on:click=move |_| on_close()>"Close"</button>
            </div>
            <p class="text-sm text-muted">"The image stays as it is; the new area around it is painted to continue it."</p>
            <div class="flex flex-wrap gap-6">
                <fieldset class="flex flex-wrap items-center gap-3">
                    <legend class="mb-1 text-sm font-semibold">"Sides"</legend>
                    {side_box("Left", |s| s.left, |s, on| s.left = on)}
                    {side_box("Right", |s| s.right, |s, on| s.right = on)}
                    {side_box("Up", |s| s.top, |s, on| s.top = on)}
                    {side_box("Down", |s| s.bottom, |s, on| s.bottom = on)}
                    <label class="flex items-center gap-1.5 text-sm">
                        <input type="checkbox" class="h-4 w-4" prop:checked=move || sides.get() == Sides::ALL
                            on:change=move |event| {
                                let all = event_target_checked(&event);
                                sides.set(Sides { left: all, right: all, top: all, bottom: all });
                            } />
                        "All sides"
                    </label>
                </fieldset>
                <fieldset class="flex flex-wrap items-center gap-3">
                    <legend class="mb-1 text-sm font-semibold">"By"</legend>
                    {AMOUNTS.into_iter().map(amount_choice).collect_view()}
                </fieldset>
            </div>
            <Preview image=image.clone() pixels=Signal::derive(pixels) />
            <p class="text-sm" role="status" data-testid="outpaint-size">
                {move || {
                    let (new_width, new_height) = new_size();
                    if sides.get().any() {
                        format!("{width} × {height} px becomes {new_width} × {new_height} px.")
                    } else {
                        "Choose at least one side to extend.".to_owned()
                    }
                }}
            </p>
            <label class="flex flex-col gap-1 text-sm font-semibold">
                "What the new area should show"
                <textarea class="input" rows="2" prop:value=move || prompt.get()
                    on:input=move |event| prompt.set(event_target_value(&event))></textarea>
                <span class="font-normal text-muted">"It starts as the image's own prompt; left empty, that is used."</span>
            </label>
            <button type="button" class="btn btn-primary self-start" data-testid="outpaint-submit"
                aria-busy=move || pending.get().to_string()
                disabled=move || !sides.get().any() || pending.get()
                on:click=send>
                {move || if pending.get() { "Extending…" } else { "Extend" }}
            </button>
            {move || extend.value().get().map(|result| match result {
                Ok(_) => view! {
                    <p class="alert alert-success" role="status">
                        "Queued. The extended image appears under “Made from this” when it is ready."
                    </p>
                }.into_any(),
                Err(e) => view! { <p class="alert alert-error" role="alert">{e.message}</p> }.into_any(),
            })}
        </section>
    }
}

/// The grown canvas outlined, the image where it will sit and the new area shaded around it.
#[component]
fn Preview(image: ImageView, pixels: Signal<[u32; 4]>) -> impl IntoView {
    let (width, height) = (image.width.max(1), image.height.max(1));
    // One scale for the whole frame, so the longest side of the grown canvas fits the preview.
    let scale = move || {
        let (grown_width, grown_height) = grown(width, height, pixels.get());
        PREVIEW_SIDE / grown_width.max(grown_height).max(1) as f64
    };
    let across = move |index: usize| nearest(&WIDTHS, f64::from(pixels.get()[index]) * scale());
    let down = move |index: usize| nearest(&HEIGHTS, f64::from(pixels.get()[index]) * scale());
    let new_area = "bg-accent/25";
    view! {
        <div class="grid w-fit grid-cols-[auto_auto_auto] grid-rows-[auto_auto_auto] border-2 border-dashed border-accent"
            role="img" data-testid="outpaint-preview"
            aria-label=move || {
                let (new_width, new_height) = grown(width, height, pixels.get());
                format!("Preview: the image, {width} × {height} px, inside the extended canvas, {new_width} × {new_height} px")
            }>
            <div class=new_area></div>
            <div class=move || format!("{new_area} {}", down(2))></div>
            <div class=new_area></div>
            <div class=move || format!("{new_area} {}", across(0))></div>
            <img src=ImageView::file_url(image.id, "thumbnail") alt="" width=width height=height
                class=move || format!("block h-auto max-w-none {}", nearest(&WIDTHS, f64::from(width) * scale())) />
            <div class=move || format!("{new_area} {}", across(1))></div>
            <div class=new_area></div>
            <div class=move || format!("{new_area} {}", down(3))></div>
            <div class=new_area></div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chosen_sides_are_extended_by_the_amount_and_the_rest_by_nothing() {
        let sides = Sides { left: true, right: false, top: false, bottom: true };
        assert_eq!(sides.pixels(128), [128, 0, 0, 128]);
        assert_eq!(grown(300, 200, sides.pixels(128)), (428, 328));
        assert_eq!(
            Sides::ALL.iteration(64, "more sky".into()),
            Iteration::Outpaint { left: 64, right: 64, top: 64, bottom: 64, prompt: Some("more sky".into()) }
        );
        assert!(!Sides { left: false, right: false, top: false, bottom: false }.any());
    }

    #[test]
    fn the_preview_uses_the_nearest_size_class() {
        assert_eq!(nearest(&WIDTHS, 0.0), "w-0");
        assert_eq!(nearest(&WIDTHS, 2.1), "w-1");
        assert_eq!(nearest(&WIDTHS, 83.0), "w-20");
        assert_eq!(nearest(&HEIGHTS, 1000.0), "h-60");
        // A 256 px image extended 256 px to the right: half the frame each.
        let scale = PREVIEW_SIDE / 512.0;
        assert_eq!((nearest(&WIDTHS, 256.0 * scale), nearest(&HEIGHTS, 256.0 * scale)), ("w-28", "h-28"));
    }
}
