//! Forgotten passwords: a mailed single-use link, then a new password that ends every session.

use super::email::{messages, normalize_email};
use super::{check_new_password, hash_password, link, send_in_background};
use crate::server::auth::rate_limit::LimitedAction;
use crate::server::auth::session::{self, ClientInfo};
use crate::server::auth::single_use::{self, Purpose};
use crate::server::db::entity::users;
use crate::server::error::AppError;
use crate::server::state::AppState;
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};

/// Mails a reset link when the address belongs to an active account. The answer is the same either
/// way, and arrives just as fast, so it reveals nothing about which accounts exist.
pub async fn request_reset(state: &AppState, email: &str, client: &ClientInfo) -> Result<(), AppError> {
    let email = normalize_email(email)?;
    state.rate_limiter.allow(LimitedAction::ForgotPassword, client, &email)?;
    if let Some(user) = super::find_by_email(&state.db, &email).await?.filter(|u| u.is_active) {
        let token = single_use::issue(&state.db, user.id, Purpose::ResetPassword, None, Utc::now()).await?;
        send_in_background(
            state,
            messages::reset_password(&email, &link(state, &format!("/reset-password?token={token}"))),
        );
    }
    Ok(())
}

/// Whether a reset link can still be used (so the page can say so before the user types).
pub async fn reset_link_is_live(state: &AppState, token: &str) -> Result<bool, AppError> {
    Ok(single_use::find_live(&state.db, token, Purpose::ResetPassword, Utc::now()).await?.is_some())
}

/// Sets a new password from a reset link. Every session of the account ends: whoever knew the old
/// password is signed out everywhere.
pub async fn reset_password(
    state: &AppState,
    token: &str,
    new_password: &str,
    client: &ClientInfo,
) -> Result<(), AppError> {
    state.rate_limiter.allow(LimitedAction::Verify, client, "")?;
    // Check the policy first, so a weak choice does not spend the link.
    check_new_password("password", new_password)?;
    let password_hash = hash_password(new_password.to_owned()).await?;
    let now = Utc::now();
    let txn = state.db.begin().await?;
    let token = single_use::consume(&txn, token, Purpose::ResetPassword, now)
        .await?
        .ok_or_else(|| AppError::invalid("token", "This reset link is invalid or has expired. Ask for a new one."))?;
    users::Entity::update_many()
        .col_expr(users::Column::PasswordHash, Expr::value(password_hash))
        // Following the mailed link proves the address.
        .col_expr(users::Column::EmailVerified, Expr::value(true))
        .col_expr(users::Column::UpdatedAt, Expr::value(now))
        .filter(users::Column::Id.eq(token.user_id))
        .exec(&txn)
        .await?;
    session::end_all_except(&txn, token.user_id, None).await?;
    txn.commit().await?;
    tracing::info!(user_id = %token.user_id, "password reset; every session ended");
    Ok(())
}
