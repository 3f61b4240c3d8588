//! Sign-up and email verification.

use super::email::{messages, normalize_email, normalize_name};
use super::{check_new_password, hash_password, link, send_in_background};
use crate::server::auth::rate_limit::LimitedAction;
use crate::server::auth::session::ClientInfo;
use crate::server::auth::single_use::{self, Purpose};
use crate::server::db::entity::{user_settings, users};
use crate::server::error::AppError;
use crate::server::state::AppState;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::NotSet, Set, TransactionTrait};
use uuid::Uuid;

pub struct Registration {
    pub email: String,
    pub password: String,
    pub name: String,
}

/// Creates an account with the configured starting credits and mails a verification link. The user
/// signs in afterwards; until the address is verified they cannot generate (when configured so).
pub async fn register(state: &AppState, input: Registration, client: &ClientInfo) -> Result<users::Model, AppError> {
    let email = normalize_email(&input.email)?;
    state.rate_limiter.allow(LimitedAction::Register, client, &email)?;
    let name = normalize_name(&input.name)?;
    check_new_password("password", &input.password)?;
    if super::find_by_email(&state.db, &email).await?.is_some() {
        return Err(AppError::Conflict("An account with this email already exists. Sign in instead.".into()));
    }
    let password_hash = hash_password(input.password).await?;
    let now = Utc::now();
    let user_id = Uuid::now_v7();
    let txn = state.db.begin().await?;
    let user = new_user(NewUser {
        id: user_id,
        email: email.clone(),
        password_hash,
        name: name.clone(),
        credits: state.config.limits.starting_credits,
        role: users::ROLE_USER,
        email_verified: false,
        now,
    })
    .insert(&txn)
    .await
    .map_err(|e| {
        // Two sign-ups racing for one address: the unique index decides.
        if e.to_string().to_lowercase().contains("unique") {
            AppError::Conflict("An account with this email already exists. Sign in instead.".into())
        } else {
            e.into()
        }
    })?;
    insert_default_settings(&txn, user_id, now).await?;
    let token = single_use::issue(&txn, user_id, Purpose::VerifyEmail, None, now).await?;
    txn.commit().await?;
    send_in_background(
        state,
        messages::verify_email(&email, &name, &link(state, &format!("/verify-email?token={token}"))),
    );
    tracing::info!(%user_id, "account created");
    Ok(user)
}

/// What a new account starts with.
pub(super) struct NewUser {
    pub id: Uuid,
    pub email: String,
    pub password_hash: String,
    pub name: String,
    pub credits: u32,
    pub role: &'static str,
    pub email_verified: bool,
    pub now: chrono::DateTime<Utc>,
}

pub(super) fn new_user(new: NewUser) -> users::ActiveModel {
    users::ActiveModel {
        id: Set(new.id),
        email: Set(new.email),
        password_hash: Set(new.password_hash),
        name: Set(new.name),
        avatar_url: Set(None),
        created_at: Set(new.now),
        updated_at: Set(new.now),
        last_login: Set(None),
        email_verified: Set(new.email_verified),
        preferences: Set(serde_json::json!({})),
        credits_balance: Set(i32::try_from(new.credits).unwrap_or(i32::MAX)),
        subscription_tier: Set("free".into()),
        is_active: Set(true),
        role: Set(new.role.to_owned()),
        totp_secret: Set(None),
        totp_enabled_at: Set(None),
        totp_last_step: Set(None),
    }
}

/// Every account has one settings row from the start.
pub(super) async fn insert_default_settings(
    db: &impl sea_orm::ConnectionTrait,
    user_id: Uuid,
    now: chrono::DateTime<Utc>,
) -> Result<(), AppError> {
    user_settings::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        default_model_id: Set(None),
        default_parameters: Set(serde_json::json!({})),
        theme: Set("auto".into()),
        gallery_view_mode: Set("grid".into()),
        notifications_enabled: Set(true),
        settings: Set(serde_json::json!({})),
        timezone: Set("UTC".into()),
        language: Set("en".into()),
        queue_paused: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// What a verification link confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verified {
    Email,
    NewEmail,
}

/// Follows a link from a verification mail: confirms the address, or switches to a new one.
pub async fn verify_email(state: &AppState, token: &str, client: &ClientInfo) -> Result<Verified, AppError> {
    state.rate_limiter.allow(LimitedAction::Verify, client, "")?;
    let now = Utc::now();
    let invalid = || AppError::invalid("token", "This link is invalid or has expired. Ask for a new one.");
    let txn = state.db.begin().await?;
    let (token, verified) = match single_use::consume(&txn, token, Purpose::VerifyEmail, now).await? {
        Some(token) => (token, Verified::Email),
        None => (
            single_use::consume(&txn, token, Purpose::ChangeEmail, now).await?.ok_or_else(invalid)?,
            Verified::NewEmail,
        ),
    };
    let user = super::find_by_id(&txn, token.user_id).await.map_err(|_| invalid())?;
    let mut active: users::ActiveModel = user.into();
    active.email_verified = Set(true);
    active.updated_at = Set(now);
    if verified == Verified::NewEmail {
        let new_email = token.new_email.clone().ok_or_else(invalid)?;
        if super::find_by_email(&txn, &new_email).await?.is_some() {
            return Err(AppError::Conflict("Another account now uses this email.".into()));
        }
        active.email = Set(new_email);
    }
    active.id = Set(token.user_id);
    active.password_hash = NotSet;
    active.update(&txn).await?;
    txn.commit().await?;
    Ok(verified)
}

/// Mails a fresh verification link to a signed-in, unverified user.
pub async fn resend_verification(state: &AppState, user: &users::Model, client: &ClientInfo) -> Result<(), AppError> {
    state.rate_limiter.allow(LimitedAction::Verify, client, &user.email)?;
    if user.email_verified {
        return Ok(());
    }
    let token = single_use::issue(&state.db, user.id, Purpose::VerifyEmail, None, Utc::now()).await?;
    send_in_background(
        state,
        messages::verify_email(&user.email, &user.name, &link(state, &format!("/verify-email?token={token}"))),
    );
    Ok(())
}
