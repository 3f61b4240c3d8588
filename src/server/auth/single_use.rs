//! Single-use tokens for email verification, password reset, email change and the second step of a
//! two-factor sign-in. Only their SHA-256 is stored; using one is an atomic compare-and-set.

use crate::server::auth::token::{SecretToken, hash_token};
use crate::server::db::entity::auth_tokens;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

/// What a token lets its holder do, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    VerifyEmail,
    ResetPassword,
    ChangeEmail,
    TwoFactorLogin,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::VerifyEmail => auth_tokens::PURPOSE_VERIFY_EMAIL,
            Purpose::ResetPassword => auth_tokens::PURPOSE_RESET_PASSWORD,
            Purpose::ChangeEmail => auth_tokens::PURPOSE_CHANGE_EMAIL,
            Purpose::TwoFactorLogin => auth_tokens::PURPOSE_LOGIN_2FA,
        }
    }

    pub fn lifetime(self) -> Duration {
        match self {
            Purpose::VerifyEmail | Purpose::ChangeEmail => Duration::hours(24),
            Purpose::ResetPassword => Duration::hours(1),
            Purpose::TwoFactorLogin => Duration::minutes(10),
        }
    }
}

/// Issues a token for `user_id`; returns the plain token to send. Earlier unused tokens of the same
/// purpose stop working, so only the newest link in the inbox counts.
pub async fn issue(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    purpose: Purpose,
    new_email: Option<String>,
    now: DateTime<Utc>,
) -> Result<String, DbErr> {
    revoke(db, user_id, purpose).await?;
    let token = SecretToken::generate();
    auth_tokens::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        purpose: Set(purpose.as_str().to_owned()),
        token_hash: Set(token.hash().to_owned()),
        new_email: Set(new_email),
        expires_at: Set(now + purpose.lifetime()),
        used_at: Set(None),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(token.plain().to_owned())
}

/// Uses a token: succeeds at most once, only before it expires, only for its purpose.
pub async fn consume(
    db: &impl ConnectionTrait,
    plain: &str,
    purpose: Purpose,
    now: DateTime<Utc>,
) -> Result<Option<auth_tokens::Model>, DbErr> {
    let hash = hash_token(plain.trim());
    let claimed = auth_tokens::Entity::update_many()
        .col_expr(auth_tokens::Column::UsedAt, Expr::value(Some(now)))
        .filter(auth_tokens::Column::TokenHash.eq(hash.as_str()))
        .filter(auth_tokens::Column::Purpose.eq(purpose.as_str()))
        .filter(auth_tokens::Column::UsedAt.is_null())
        .filter(auth_tokens::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    if claimed.rows_affected != 1 {
        return Ok(None);
    }
    auth_tokens::Entity::find().filter(auth_tokens::Column::TokenHash.eq(hash)).one(db).await
}

/// The live token, without using it: a two-factor sign-in may need several tries at its code, and
/// the reset page checks its link before showing the form.
pub async fn find_live(
    db: &impl ConnectionTrait,
    plain: &str,
    purpose: Purpose,
    now: DateTime<Utc>,
) -> Result<Option<auth_tokens::Model>, DbErr> {
    auth_tokens::Entity::find()
        .filter(auth_tokens::Column::TokenHash.eq(hash_token(plain.trim())))
        .filter(auth_tokens::Column::Purpose.eq(purpose.as_str()))
        .filter(auth_tokens::Column::UsedAt.is_null())
        .filter(auth_tokens::Column::ExpiresAt.gt(now))
        .one(db)
        .await
}

/// Drops the user's unused tokens of one purpose.
pub async fn revoke(db: &impl ConnectionTrait, user_id: Uuid, purpose: Purpose) -> Result<(), DbErr> {
    auth_tokens::Entity::delete_many()
        .filter(auth_tokens::Column::UserId.eq(user_id))
        .filter(auth_tokens::Column::Purpose.eq(purpose.as_str()))
        .filter(auth_tokens::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}
