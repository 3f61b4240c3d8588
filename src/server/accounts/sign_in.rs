//! Signing in (password, then a second factor when enabled) and out.

use super::two_factor::check_second_factor;
use super::{password_matches, spend_dummy_verify};
use crate::server::auth::rate_limit::LimitedAction;
use crate::server::auth::session::{self, ClientInfo};
use crate::server::auth::single_use::{self, Purpose};
use crate::server::db::entity::users;
use crate::server::error::AppError;
use crate::server::state::AppState;
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};

/// One message for an unknown email, a wrong password and a deactivated account.
pub const BAD_CREDENTIALS: &str = "The email or password is incorrect.";
const BAD_SECOND_FACTOR: &str = "That code is not right. Check your authenticator app and try again.";

pub enum SignInOutcome {
    /// Signed in: the token goes into the session cookie.
    SignedIn { token: String, user: Box<users::Model> },
    /// The password was right and the account has two-factor authentication: the second step
    /// needs this pending token and a code.
    SecondFactorRequired { pending_token: String },
}

/// Checks an email and password. The time taken does not depend on whether the account exists.
pub async fn sign_in(
    state: &AppState,
    email: &str,
    password: &str,
    client: &ClientInfo,
) -> Result<SignInOutcome, AppError> {
    let email = super::email::normalize_email(email).unwrap_or_default();
    state.rate_limiter.allow(LimitedAction::Login, client, &email)?;
    let user = match super::find_by_email(&state.db, &email).await? {
        Some(user) => user,
        None => {
            spend_dummy_verify(password.to_owned()).await?;
            return Err(AppError::BadCredentials(BAD_CREDENTIALS));
        }
    };
    if !password_matches(password.to_owned(), user.password_hash.clone()).await? || !user.is_active {
        return Err(AppError::BadCredentials(BAD_CREDENTIALS));
    }
    if user.totp_enabled_at.is_some() {
        let pending_token = single_use::issue(&state.db, user.id, Purpose::TwoFactorLogin, None, Utc::now()).await?;
        return Ok(SignInOutcome::SecondFactorRequired { pending_token });
    }
    state.rate_limiter.reset_account(LimitedAction::Login, &email);
    start_session(state, user, client).await
}

/// The second step: a code from the authenticator app, or one of the recovery codes.
pub async fn complete_second_factor(
    state: &AppState,
    pending_token: &str,
    code: &str,
    client: &ClientInfo,
) -> Result<SignInOutcome, AppError> {
    let now = Utc::now();
    let expired = || AppError::BadCredentials("This sign-in has expired. Enter your email and password again.");
    let pending =
        single_use::find_live(&state.db, pending_token, Purpose::TwoFactorLogin, now).await?.ok_or_else(expired)?;
    let user = super::find_by_id(&state.db, pending.user_id).await?;
    state.rate_limiter.allow(LimitedAction::Verify, client, &user.email)?;
    let txn = state.db.begin().await?;
    if !check_second_factor(&txn, &user, code, now).await? {
        return Err(AppError::BadCredentials(BAD_SECOND_FACTOR));
    }
    single_use::consume(&txn, pending_token, Purpose::TwoFactorLogin, now).await?.ok_or_else(expired)?;
    txn.commit().await?;
    state.rate_limiter.reset_account(LimitedAction::Login, &user.email);
    start_session(state, user, client).await
}

async fn start_session(state: &AppState, user: users::Model, client: &ClientInfo) -> Result<SignInOutcome, AppError> {
    let token = session::start(&state.db, &state.sessions, user.id, client).await?;
    users::Entity::update_many()
        .col_expr(users::Column::LastLogin, Expr::value(Some(Utc::now())))
        .filter(users::Column::Id.eq(user.id))
        .exec(&state.db)
        .await?;
    tracing::info!(user_id = %user.id, "signed in");
    Ok(SignInOutcome::SignedIn { token, user: Box::new(user) })
}

/// Ends the session server-side; the caller clears the cookie.
pub async fn sign_out(state: &AppState, user_id: uuid::Uuid, session_id: uuid::Uuid) -> Result<(), AppError> {
    session::end(&state.db, user_id, session_id).await?;
    Ok(())
}
