//! Server functions, one module per domain. Thin: check the caller, validate, call `server`, return
//! shared types.

pub mod account;
pub mod admin_queue;
pub mod auth;
pub mod generate;
pub mod images;
pub mod models;
pub mod presets;
pub mod queue;
pub mod shares;
pub mod studio;

/// What server functions need on the server side only.
#[cfg(feature = "ssr")]
mod ssr {
    use crate::server::auth::require_user;
    use crate::server::error::AppError;
    use crate::server::state::AppState;
    use axum::http::{HeaderValue, header};
    use uuid::Uuid;

    /// The studio and the signed-in user's id, for server functions that act for a user (401 otherwise).
    pub fn caller() -> Result<(AppState, Uuid), AppError> {
        let session = require_user()?;
        Ok((AppState::current(), session.user.id))
    }

    /// Adds a `Set-Cookie` header to the server function's response.
    pub fn set_cookie(value: HeaderValue) {
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            response.append_header(header::SET_COOKIE, value);
        }
    }

    /// The theme cookie the browser keeps (readable by the page, unlike the session cookie).
    pub fn theme_cookie(theme: &str) -> HeaderValue {
        HeaderValue::from_str(&format!(
            "{}={theme}; Path=/; Max-Age=31536000; SameSite=Lax",
            crate::app::theme::THEME_COOKIE
        ))
        .unwrap_or_else(|_| HeaderValue::from_static("atelier_theme=auto; Path=/"))
    }
}
