//! Account flows: sign-up, sign-in (with a second factor), email verification, password reset,
//! profile and preferences, two-factor enrolment, and deleting an account. Server functions and REST
//! handlers are thin wrappers around these.

pub mod admin;
pub mod email;
pub mod profile;
pub mod recovery;
pub mod registration;
pub mod sign_in;
pub mod two_factor;

use crate::server::auth::password;
use crate::server::db::entity::{user_settings, users};
use crate::server::error::AppError;
use crate::server::mail::OutgoingMail;
use crate::server::state::AppState;
use crate::types::{CurrentUser, Role};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

/// The shared view of a user row.
pub fn current_user(user: &users::Model) -> CurrentUser {
    CurrentUser {
        id: user.id,
        email: user.email.clone(),
        name: user.name.clone(),
        avatar_url: user.avatar_url.clone(),
        role: if user.role == users::ROLE_ADMIN { Role::Admin } else { Role::User },
        credits: user.credits_balance,
        email_verified: user.email_verified,
        two_factor_enabled: user.totp_enabled_at.is_some(),
    }
}

/// Finds an active user by normalised email.
pub async fn find_by_email(db: &impl ConnectionTrait, email: &str) -> Result<Option<users::Model>, AppError> {
    Ok(users::Entity::find().filter(users::Column::Email.eq(email)).one(db).await?)
}

/// Re-reads a user by id (their row may have changed since the request started).
pub async fn find_by_id(db: &impl ConnectionTrait, id: Uuid) -> Result<users::Model, AppError> {
    users::Entity::find_by_id(id).one(db).await?.ok_or(AppError::Unauthorized)
}

/// The user's settings row.
pub async fn settings_of(db: &impl ConnectionTrait, user_id: Uuid) -> Result<user_settings::Model, AppError> {
    user_settings::Entity::find()
        .filter(user_settings::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::internal(format!("user {user_id} has no settings row")))
}

/// Argon2 is deliberately slow: hash off the async workers.
pub async fn hash_password(plain: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || password::hash_password(&plain))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)
}

/// Checks `plain` against a stored hash off the async workers.
pub async fn password_matches(plain: String, stored_hash: String) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || password::verify_password(&plain, &stored_hash))
        .await
        .map_err(AppError::internal)
}

/// The same cost as [`password_matches`] for a user that does not exist.
pub async fn spend_dummy_verify(plain: String) -> Result<(), AppError> {
    tokio::task::spawn_blocking(move || password::verify_against_dummy(&plain)).await.map_err(AppError::internal)
}

/// Re-authentication for sensitive changes: the current password must match.
pub async fn require_password(user: &users::Model, plain: &str) -> Result<(), AppError> {
    if password_matches(plain.to_owned(), user.password_hash.clone()).await? {
        Ok(())
    } else {
        Err(AppError::invalid("current_password", "The password is incorrect."))
    }
}

/// Refuses a new password that breaks the policy, naming `field`.
pub fn check_new_password(field: &str, plain: &str) -> Result<(), AppError> {
    password::check_password_policy(plain).map_err(|e| AppError::invalid(field, e.to_string()))
}

/// Sends a mail without making the caller wait for (or learn from) the mail server: a slow or
/// failing server must neither delay the response nor reveal whether a mail was sent.
pub fn send_in_background(state: &AppState, mail: OutgoingMail) {
    let mailer = state.mailer.clone();
    tokio::spawn(async move {
        let to = mail.to.clone();
        if let Err(e) = mailer.send(mail).await {
            tracing::error!(error = %e, %to, "could not send mail");
        }
    });
}

/// An absolute link into the studio.
pub fn link(state: &AppState, path_and_query: &str) -> String {
    format!("{}{path_and_query}", state.config.server.public_url)
}
