//! The signed-in user's own account: profile, preferences, password, email, sessions, two-factor,
//! deletion. Every function acts on the caller's account only.

use crate::types::{ApiError, CurrentUser, Preferences, SessionInfo, TwoFactorEnrollment};
use leptos::prelude::*;
use uuid::Uuid;

#[server]
pub async fn rename_account(name: String) -> Result<CurrentUser, ApiError> {
    use crate::server::accounts::{current_user, profile};
    use crate::server::auth::require_user;
    use crate::server::state::AppState;
    let session = require_user()?;
    Ok(current_user(&profile::rename(&AppState::current(), session.user.id, &name).await?))
}

#[server]
pub async fn remove_avatar() -> Result<CurrentUser, ApiError> {
    use crate::server::accounts::{current_user, profile};
    use crate::server::auth::require_user;
    use crate::server::state::AppState;
    let session = require_user()?;
    Ok(current_user(&profile::remove_avatar(&AppState::current(), session.user.id).await?))
}

#[server]
pub async fn get_preferences() -> Result<Preferences, ApiError> {
    use crate::server::accounts::profile;
    use crate::server::auth::require_user;
    use crate::server::state::AppState;
    let session = require_user()?;
    Ok(profile::preferences(&AppState::current(), session.user.id).await?)
}

#[server]
pub async fn save_preferences(preferences: Preferences) -> Result<Preferences, ApiError> {
    use crate::server::accounts::profile;
    use crate::server::auth::require_user;
    use crate::server::state::AppState;
    let session = require_user()?;
    let saved = profile::save_preferences(&AppState::current(), session.user.id, preferences).await?;
    super::ssr::set_cookie(super::ssr::theme_cookie(&saved.theme));
    Ok(saved)
}

/// Remembers the theme: in the cookie for this browser, and in the account when signed in.
#[server]
pub async fn remember_theme(theme: String) -> Result<(), ApiError> {
    use crate::server::accounts::profile;
    use crate::server::auth::signed_in;
    use crate::server::error::AppError;
    use crate::server::state::AppState;
    if !profile::THEMES.contains(&theme.as_str()) {
        return Err(AppError::invalid("theme", "Choose light, dark, auto or contrast.").into());
    }
    if let Some(session) = signed_in() {
        profile::save_theme(&AppState::current(), session.user.id, &theme).await?;
    }
    super::ssr::set_cookie(super::ssr::theme_cookie(&theme));
    Ok(())
}

#[server]
pub async fn change_password(current_password: String, new_password: String) -> Result<(), ApiError> {
    use crate::server::accounts::profile;
    use crate::server::auth::require_user;
    use crate::server::state::AppState;
    let session = require_user()?;
    profile::change_password(
        &AppState::current(),
        session.user.id,
        session.session_id,
        &current_password,
        &new_password,
    )
    .await?;
    Ok(())
}

/// Sends a confirmation link to the new address; the change happens when it is followed.
#[server]
pub async fn change_email(current_password: String, new_email: String) -> Result<(), ApiError> {
    use crate::server::accounts::profile;
    use crate::server::auth::require_user;
    use crate::server::state::AppState;
    let session = require_user()?;
    profile::request_email_change(&AppState::current(), session.user.id, &current_password, &new_email).await?;
    Ok(())
}

/// Deletes the caller's account, its data and its files, and signs out.
#[server]
pub async fn delete_account(current_password: String) -> Result<(), ApiError> {
    use crate::server::accounts::profile;
    use crate::server::auth::require_user;
    use crate::server::state::AppState;
    let session = require_user()?;
    let state = AppState::current();
    profile::delete_account(&state, session.user.id, &current_password).await?;
    super::ssr::set_cookie(state.sessions.clearing_cookie());
    Ok(())
}

#[server]
pub async fn list_sessions() -> Result<Vec<SessionInfo>, ApiError> {
    use crate::server::auth::{require_user, session};
    use crate::server::state::AppState;
    let current = require_user()?;
    let sessions = session::list_for_user(&AppState::current().db, current.user.id)
        .await
        .map_err(crate::server::error::AppError::from)?;
    Ok(sessions
        .into_iter()
        .map(|s| SessionInfo {
            id: s.id,
            device: session::describe_device(s.user_agent.as_deref()),
            ip_address: s.ip_address,
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
            current: s.id == current.session_id,
        })
        .collect())
}

/// Signs one of the caller's other devices out.
#[server]
pub async fn end_session(session_id: Uuid) -> Result<(), ApiError> {
    use crate::server::auth::{require_user, session};
    use crate::server::error::AppError;
    use crate::server::state::AppState;
    let current = require_user()?;
    if !session::end(&AppState::current().db, current.user.id, session_id).await.map_err(AppError::from)? {
        return Err(AppError::NotFound("session").into());
    }
    Ok(())
}

/// Signs every other device out; returns how many.
#[server]
pub async fn end_other_sessions() -> Result<u64, ApiError> {
    use crate::server::auth::{require_user, session};
    use crate::server::error::AppError;
    use crate::server::state::AppState;
    let current = require_user()?;
    Ok(session::end_all_except(&AppState::current().db, current.user.id, Some(current.session_id))
        .await
        .map_err(AppError::from)?)
}

#[server]
pub async fn start_two_factor() -> Result<TwoFactorEnrollment, ApiError> {
    use crate::server::accounts::two_factor;
    use crate::server::auth::require_user;
    use crate::server::state::AppState;
    let session = require_user()?;
    Ok(two_factor::start_enrollment(&AppState::current(), &session.user).await?)
}

/// Turns two-factor on; returns the recovery codes, shown once.
#[server]
pub async fn confirm_two_factor(code: String) -> Result<Vec<String>, ApiError> {
    use crate::server::accounts::two_factor;
    use crate::server::auth::require_user;
    use crate::server::state::AppState;
    let session = require_user()?;
    Ok(two_factor::confirm_enrollment(&AppState::current(), &session.user, &code).await?)
}

#[server]
pub async fn disable_two_factor(current_password: String, code: String) -> Result<(), ApiError> {
    use crate::server::accounts::two_factor;
    use crate::server::auth::require_user;
    use crate::server::state::AppState;
    let session = require_user()?;
    two_factor::disable(&AppState::current(), &session.user, &current_password, &code).await?;
    Ok(())
}

/// How many unused recovery codes the caller has.
#[server]
pub async fn recovery_codes_left() -> Result<u64, ApiError> {
    use crate::server::accounts::two_factor;
    use crate::server::auth::require_user;
    use crate::server::state::AppState;
    let session = require_user()?;
    Ok(two_factor::recovery_codes_left(&AppState::current(), session.user.id).await?)
}
