//! The favourite toggle of an image. It flips at once and flips back, saying why in `error`, if the
//! studio refuses.

use crate::api::images::set_image_favourite;
use leptos::prelude::*;
use uuid::Uuid;

/// `class` places and styles the button; `labelled` adds the word "Favourite" beside the star.
#[component]
pub fn FavouriteToggle(
    id: Uuid,
    favourite: bool,
    error: RwSignal<Option<String>>,
    class: &'static str,
    #[prop(optional)] labelled: bool,
) -> impl IntoView {
    let starred = RwSignal::new(favourite);
    // Only the latest click decides what the star shows when an answer comes back.
    let clicks = StoredValue::new(0_u32);
    let toggle = move |_| {
        let was = starred.get_untracked();
        starred.set(!was);
        error.set(None);
        clicks.update_value(|n| *n += 1);
        let click = clicks.get_value();
        leptos::task::spawn_local(async move {
            if let Err(e) = set_image_favourite(id, !was).await
                && clicks.try_get_value() == Some(click)
            {
                starred.try_set(was);
                error.try_set(Some(format!("Could not change the favourite: {}", e.message)));
            }
        });
    };
    let star = move || if starred.get() { "★" } else { "☆" };
    view! {
        <button type="button" class=class aria-label=(!labelled).then_some("Favourite") data-testid="favourite"
            title=move || if starred.get() { "Remove from favourites" } else { "Add to favourites" }
            aria-pressed=move || starred.get().to_string()
            data-starred=move || starred.get().to_string()
            on:click=toggle>
            <span aria-hidden="true">{star}</span>
            {labelled.then_some(" Favourite")}
        </button>
    }
}
