//! The browser's end of `GET /api/events`: while the calling component lives, every [`StudioEvent`]
//! for the signed-in user is handed to a callback, as it arrives. The browser's `EventSource`
//! reconnects by itself and sends `Last-Event-ID`, so nothing is missed across a dropped connection.
//!
//! Events arrive one callback at a time (never batched into one signal update), so a caller that
//! folds them into its state sees each of them.

use crate::types::StudioEvent;

/// Listens from now until the current reactive owner is cleaned up. `on_open` runs each time the
/// stream (re)connects: the moment to refetch anything that may have changed unseen before.
pub fn listen(on_open: impl Fn() + 'static, on_event: impl Fn(StudioEvent) + 'static) {
    #[cfg(feature = "hydrate")]
    browser::listen(on_open, on_event);
    #[cfg(not(feature = "hydrate"))]
    let _ = (on_open, on_event);
}

#[cfg(feature = "hydrate")]
mod browser {
    use crate::types::StudioEvent;
    use leptos::prelude::on_cleanup;
    use send_wrapper::SendWrapper;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use web_sys::{Event, EventSource, MessageEvent};

    pub fn listen(on_open: impl Fn() + 'static, on_event: impl Fn(StudioEvent) + 'static) {
        let Ok(source) = EventSource::new("/api/events") else {
            leptos::logging::warn!("live updates are unavailable: EventSource could not open");
            return;
        };
        let opened = Closure::<dyn Fn(Event)>::new(move |_: Event| on_open());
        source.set_onopen(Some(opened.as_ref().unchecked_ref()));
        let received = Closure::<dyn Fn(MessageEvent)>::new(move |message: MessageEvent| {
            let Some(data) = message.data().as_string() else { return };
            match serde_json::from_str::<StudioEvent>(&data) {
                Ok(event) => on_event(event),
                Err(error) => leptos::logging::warn!("an event could not be read: {error}"),
            }
        });
        for kind in StudioEvent::KINDS {
            let _ = source.add_event_listener_with_callback(kind, received.as_ref().unchecked_ref());
        }
        // The closures must live as long as the source; they are dropped with it.
        let held = SendWrapper::new((source, opened, received));
        on_cleanup(move || held.0.close());
    }
}
