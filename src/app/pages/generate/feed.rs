//! The user's queue as the generate page knows it, shared by the results column, the history and the
//! queue panel.

use crate::api::generate::SubmitGeneration;
use crate::api::queue::{ActOnJob, SetQueuePaused, get_my_queue};
use crate::types::{ApiError, MyQueue};
use leptos::prelude::*;

/// Created with the page, outside any `Suspense`, so the server and the browser agree on it during
/// hydration. It reloads after every submit, job action and pause, and when `reloads` is bumped (by
/// the results column, on job events).
#[derive(Clone, Copy)]
pub struct Feed {
    pub queue: Resource<Result<MyQueue, ApiError>>,
    pub reloads: RwSignal<u32>,
    pub act: ServerAction<ActOnJob>,
    pub pause: ServerAction<SetQueuePaused>,
}

impl Feed {
    pub fn new(submit: ServerAction<SubmitGeneration>) -> Self {
        let reloads = RwSignal::new(0_u32);
        let act = ServerAction::<ActOnJob>::new();
        let pause = ServerAction::<SetQueuePaused>::new();
        let queue = Resource::new(
            move || (reloads.get(), submit.version().get(), act.version().get(), pause.version().get()),
            |_| get_my_queue(),
        );
        Self { queue, reloads, act, pause }
    }
}
