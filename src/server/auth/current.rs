//! Finds the signed-in user once per request and hands it to pages, server functions and REST
//! handlers through the request's extensions.

use crate::server::auth::session::{self, ClientInfo};
use crate::server::db::entity::users;
use crate::server::error::AppError;
use crate::server::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts, OptionalFromRequestParts, Request, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use chrono::Utc;
use std::net::SocketAddr;
use uuid::Uuid;

/// The session a request is signed in with, and its user as loaded for this request.
#[derive(Debug, Clone)]
pub struct CurrentSession {
    pub session_id: Uuid,
    pub user: users::Model,
}

impl CurrentSession {
    pub fn is_admin(&self) -> bool {
        self.user.role == users::ROLE_ADMIN
    }

    /// This session if it is an administrator's; anyone else is refused.
    pub fn admin(self) -> Result<Self, AppError> {
        if self.is_admin() { Ok(self) } else { Err(AppError::Forbidden) }
    }
}

/// Static files never need the user: skip the database for them.
const STATIC_PREFIXES: &[&str] = &["/pkg/", "/icons/", "/examples/", "/fonts/", "/favicon.svg", "/sw.js"];

/// Middleware: records who is calling ([`ClientInfo`]) and resolves the session cookie, if any, into a
/// [`CurrentSession`] extension.
pub async fn resolve_session(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let client = ClientInfo {
        ip_address: request.extensions().get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip().to_string()),
        user_agent: request.headers().get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned),
    };
    request.extensions_mut().insert(client);
    let path = request.uri().path();
    if !STATIC_PREFIXES.iter().any(|prefix| path.starts_with(prefix))
        && let Some(token) = state.sessions.token_in(request.headers())
    {
        match session::find_live(&state.db, &state.sessions, token, Utc::now()).await {
            Ok(Some((session, user))) => {
                request.extensions_mut().insert(CurrentSession { session_id: session.id, user });
            }
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "could not look the session up"),
        }
    }
    next.run(request).await
}

/// The signed-in session of the request a page or server function is answering.
pub fn signed_in() -> Option<CurrentSession> {
    leptos::prelude::use_context::<Parts>()?.extensions.get::<CurrentSession>().cloned()
}

/// Who is calling: IP address and user agent (for rate limits and the sessions list).
pub fn client_info() -> ClientInfo {
    leptos::prelude::use_context::<Parts>()
        .and_then(|parts| parts.extensions.get::<ClientInfo>().cloned())
        .unwrap_or_default()
}

/// Like [`signed_in`], for server functions that need a user: 401 otherwise.
pub fn require_user() -> Result<CurrentSession, AppError> {
    signed_in().ok_or(AppError::Unauthorized)
}

/// The signed-in session of an administrator; anyone else is refused.
pub fn require_admin() -> Result<CurrentSession, AppError> {
    require_user()?.admin()
}

/// REST handlers that work signed in or not take `Option<CurrentSession>`.
impl<S: Send + Sync> OptionalFromRequestParts<S> for CurrentSession {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<CurrentSession>().cloned())
    }
}

/// REST handlers take `CurrentSession` as an argument; without one they answer 401.
impl<S: Send + Sync> FromRequestParts<S> for CurrentSession {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<CurrentSession>().cloned().ok_or(AppError::Unauthorized)
    }
}
