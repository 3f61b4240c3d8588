//! The signed-in user, loaded once per page and shared by every component that shows it.

use crate::api::auth::get_me;
use crate::types::{ApiError, CurrentUser};
use leptos::prelude::*;

/// `Ok(None)` when nobody is signed in.
pub type CurrentUserResource = Resource<Result<Option<CurrentUser>, ApiError>>;

pub fn provide_current_user() {
    let resource: CurrentUserResource = Resource::new(|| (), |_| get_me());
    provide_context(resource);
}

pub fn use_current_user() -> CurrentUserResource {
    expect_context::<CurrentUserResource>()
}

/// Sign-in and sign-out change what every part of the page shows: start from a fresh page.
pub fn reload_at(path: &str) {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().location().assign(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}
