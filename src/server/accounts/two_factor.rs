//! Two-factor authentication (TOTP, RFC 6238) with single-use recovery codes.

use super::require_password;
use crate::server::auth::token::hash_token;
use crate::server::auth::totp;
use crate::server::db::entity::{recovery_codes, users};
use crate::server::error::AppError;
use crate::server::state::AppState;
use crate::types::TwoFactorEnrollment;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Set, TransactionTrait,
};
use uuid::Uuid;

const ISSUER: &str = "Atelier";

/// Step one: a new secret to scan. Two-factor stays off until a code from it is confirmed.
pub async fn start_enrollment(state: &AppState, user: &users::Model) -> Result<TwoFactorEnrollment, AppError> {
    if user.totp_enabled_at.is_some() {
        return Err(AppError::Conflict("Two-factor authentication is already on.".into()));
    }
    let secret = totp::new_secret();
    let otpauth_url = totp::otpauth_url(&secret, &user.email, ISSUER);
    let qr_svg = totp::qr_svg(&otpauth_url).map_err(AppError::internal)?;
    users::Entity::update_many()
        .col_expr(users::Column::TotpSecret, Expr::value(Some(secret.clone())))
        .filter(users::Column::Id.eq(user.id))
        .exec(&state.db)
        .await?;
    Ok(TwoFactorEnrollment { secret, otpauth_url, qr_svg })
}

/// Step two: a code from the app proves it was set up; two-factor turns on and the recovery codes
/// are returned, to be shown once.
pub async fn confirm_enrollment(state: &AppState, user: &users::Model, code: &str) -> Result<Vec<String>, AppError> {
    let user = super::find_by_id(&state.db, user.id).await?;
    if user.totp_enabled_at.is_some() {
        return Err(AppError::Conflict("Two-factor authentication is already on.".into()));
    }
    let secret = user
        .totp_secret
        .clone()
        .ok_or_else(|| AppError::invalid("code", "Start the set-up again: no authenticator secret is pending."))?;
    let now = Utc::now();
    let step = totp::verify_code(&secret, code, unix(now)).ok_or_else(|| {
        AppError::invalid("code", "That code is not right. Check the app shows Atelier and try again.")
    })?;
    let codes = totp::new_recovery_codes();
    let user_id = user.id;
    let txn = state.db.begin().await?;
    let mut active: users::ActiveModel = user.into();
    active.totp_enabled_at = Set(Some(now));
    active.totp_last_step = Set(Some(step as i64));
    active.updated_at = Set(now);
    active.update(&txn).await?;
    replace_recovery_codes(&txn, user_id, &codes, now).await?;
    txn.commit().await?;
    Ok(codes)
}

/// Turns two-factor off: needs the password and a current code (or a recovery code).
pub async fn disable(state: &AppState, user: &users::Model, password: &str, code: &str) -> Result<(), AppError> {
    let user = super::find_by_id(&state.db, user.id).await?;
    require_password(&user, password).await?;
    let now = Utc::now();
    let txn = state.db.begin().await?;
    if !check_second_factor(&txn, &user, code, now).await? {
        return Err(AppError::invalid("code", "That code is not right."));
    }
    users::Entity::update_many()
        .col_expr(users::Column::TotpSecret, Expr::value(Option::<String>::None))
        .col_expr(users::Column::TotpEnabledAt, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(users::Column::TotpLastStep, Expr::value(Option::<i64>::None))
        .filter(users::Column::Id.eq(user.id))
        .exec(&txn)
        .await?;
    recovery_codes::Entity::delete_many().filter(recovery_codes::Column::UserId.eq(user.id)).exec(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// Accepts a TOTP code (each time step once) or an unused recovery code (which is then used up).
pub async fn check_second_factor(
    db: &impl ConnectionTrait,
    user: &users::Model,
    code: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let Some(secret) = user.totp_secret.as_deref().filter(|_| user.totp_enabled_at.is_some()) else {
        return Ok(false);
    };
    if let Some(step) = totp::verify_code(secret, code, unix(now)) {
        let step = step as i64;
        // Compare-and-set on the last step, so one code cannot sign in twice, even concurrently.
        let accepted = users::Entity::update_many()
            .col_expr(users::Column::TotpLastStep, Expr::value(Some(step)))
            .filter(users::Column::Id.eq(user.id))
            .filter(
                Condition::any().add(users::Column::TotpLastStep.is_null()).add(users::Column::TotpLastStep.lt(step)),
            )
            .exec(db)
            .await?;
        return Ok(accepted.rows_affected == 1);
    }
    let used = recovery_codes::Entity::update_many()
        .col_expr(recovery_codes::Column::UsedAt, Expr::value(Some(now)))
        .filter(recovery_codes::Column::UserId.eq(user.id))
        .filter(recovery_codes::Column::CodeHash.eq(hash_token(&totp::normalize_recovery_code(code))))
        .filter(recovery_codes::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(used.rows_affected == 1)
}

/// How many recovery codes the user has left.
pub async fn recovery_codes_left(state: &AppState, user_id: Uuid) -> Result<u64, AppError> {
    use sea_orm::PaginatorTrait;
    Ok(recovery_codes::Entity::find()
        .filter(recovery_codes::Column::UserId.eq(user_id))
        .filter(recovery_codes::Column::UsedAt.is_null())
        .count(&state.db)
        .await?)
}

async fn replace_recovery_codes(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    codes: &[String],
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    recovery_codes::Entity::delete_many().filter(recovery_codes::Column::UserId.eq(user_id)).exec(db).await?;
    let rows = codes.iter().map(|code| recovery_codes::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        code_hash: Set(hash_token(&totp::normalize_recovery_code(code))),
        used_at: Set(None),
        created_at: Set(now),
    });
    recovery_codes::Entity::insert_many(rows).exec(db).await?;
    Ok(())
}

fn unix(now: DateTime<Utc>) -> u64 {
    u64::try_from(now.timestamp()).unwrap_or(0)
}
