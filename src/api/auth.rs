//! Signing up, in and out, email verification and password reset.

use crate::types::{ApiError, CurrentUser, SignInResult};
use leptos::prelude::*;

/// The signed-in user, or `None`.
#[server]
pub async fn get_me() -> Result<Option<CurrentUser>, ApiError> {
    use crate::server::accounts::current_user;
    use crate::server::auth::signed_in;
    Ok(signed_in().map(|session| current_user(&session.user)))
}

/// Creates the account and mails a confirmation link; returns the address it went to.
#[server]
pub async fn register(name: String, email: String, password: String) -> Result<String, ApiError> {
    use crate::server::accounts::registration::{self, Registration};
    use crate::server::auth::client_info;
    use crate::server::state::AppState;
    let user =
        registration::register(&AppState::current(), Registration { email, password, name }, &client_info()).await?;
    Ok(user.email)
}

#[server]
pub async fn sign_in(email: String, password: String, next: Option<String>) -> Result<SignInResult, ApiError> {
    use crate::server::auth::client_info;
    use crate::server::state::AppState;
    let state = AppState::current();
    let outcome = crate::server::accounts::sign_in::sign_in(&state, &email, &password, &client_info()).await?;
    finish_sign_in(&state, outcome, next).await
}

/// The second step of a two-factor sign-in: a code from the app or a recovery code.
#[server]
pub async fn sign_in_second_factor(
    pending_token: String,
    code: String,
    next: Option<String>,
) -> Result<SignInResult, ApiError> {
    use crate::server::accounts::sign_in::complete_second_factor;
    use crate::server::auth::client_info;
    use crate::server::state::AppState;
    let state = AppState::current();
    let outcome = complete_second_factor(&state, &pending_token, &code, &client_info()).await?;
    finish_sign_in(&state, outcome, next).await
}

#[cfg(feature = "ssr")]
async fn finish_sign_in(
    state: &crate::server::state::AppState,
    outcome: crate::server::accounts::sign_in::SignInOutcome,
    next: Option<String>,
) -> Result<SignInResult, ApiError> {
    use crate::server::accounts::{profile, sign_in::SignInOutcome};
    match outcome {
        SignInOutcome::SignedIn { token, user } => {
            // Signing in again on a device replaces its session rather than leaving the old one alive.
            if let Some(previous) = crate::server::auth::signed_in() {
                crate::server::auth::session::end(&state.db, previous.user.id, previous.session_id)
                    .await
                    .map_err(crate::server::error::AppError::from)?;
            }
            super::ssr::set_cookie(state.sessions.cookie(&token));
            // A new device picks up the theme the user chose elsewhere.
            if let Ok(prefs) = profile::preferences(state, user.id).await {
                super::ssr::set_cookie(super::ssr::theme_cookie(&prefs.theme));
            }
            Ok(SignInResult::SignedIn { next: crate::types::safe_next(next.as_deref()) })
        }
        SignInOutcome::SecondFactorRequired { pending_token } => {
            Ok(SignInResult::SecondFactorRequired { pending_token })
        }
    }
}

/// Ends this session on the server and forgets the cookie.
#[server]
pub async fn sign_out() -> Result<(), ApiError> {
    use crate::server::accounts::sign_in;
    use crate::server::auth::signed_in;
    use crate::server::state::AppState;
    let state = AppState::current();
    if let Some(session) = signed_in() {
        sign_in::sign_out(&state, session.user.id, session.session_id).await?;
    }
    super::ssr::set_cookie(state.sessions.clearing_cookie());
    Ok(())
}

/// Follows a link from a verification mail. Returns what was confirmed, for the page to say.
#[server]
pub async fn verify_email(token: String) -> Result<String, ApiError> {
    use crate::server::accounts::registration::{self, Verified};
    use crate::server::auth::client_info;
    use crate::server::state::AppState;
    Ok(match registration::verify_email(&AppState::current(), &token, &client_info()).await? {
        Verified::Email => "Your email address is confirmed.".to_owned(),
        Verified::NewEmail => "Your new email address is confirmed: sign in with it from now on.".to_owned(),
    })
}

/// Mails a new verification link to the signed-in user.
#[server]
pub async fn resend_verification() -> Result<(), ApiError> {
    use crate::server::accounts::registration;
    use crate::server::auth::{client_info, require_user};
    use crate::server::state::AppState;
    let session = require_user()?;
    registration::resend_verification(&AppState::current(), &session.user, &client_info()).await?;
    Ok(())
}

/// Always succeeds for a well-formed address, whether or not it has an account.
#[server]
pub async fn forgot_password(email: String) -> Result<(), ApiError> {
    use crate::server::accounts::recovery;
    use crate::server::auth::client_info;
    use crate::server::state::AppState;
    recovery::request_reset(&AppState::current(), &email, &client_info()).await?;
    Ok(())
}

/// Whether a reset link can still be used.
#[server]
pub async fn reset_link_is_live(token: String) -> Result<bool, ApiError> {
    use crate::server::accounts::recovery;
    use crate::server::state::AppState;
    Ok(recovery::reset_link_is_live(&AppState::current(), &token).await?)
}

#[server]
pub async fn reset_password(token: String, password: String) -> Result<(), ApiError> {
    use crate::server::accounts::recovery;
    use crate::server::auth::client_info;
    use crate::server::state::AppState;
    recovery::reset_password(&AppState::current(), &token, &password, &client_info()).await?;
    Ok(())
}
