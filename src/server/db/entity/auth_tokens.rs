//! `auth_tokens`: single-use tokens mailed to a user (email verification, password reset, email
//! change) or handed out between the password and the second factor of a login.

use sea_orm::entity::prelude::*;

/// [`Model::purpose`] of a token that confirms the account's email address.
pub const PURPOSE_VERIFY_EMAIL: &str = "verify_email";
/// [`Model::purpose`] of a token that lets the user choose a new password.
pub const PURPOSE_RESET_PASSWORD: &str = "reset_password";
/// [`Model::purpose`] of a token that confirms [`Model::new_email`] before it replaces the
/// account's email.
pub const PURPOSE_CHANGE_EMAIL: &str = "change_email";
/// [`Model::purpose`] of a token issued once the password is checked, exchanged for a session
/// with a TOTP or recovery code.
pub const PURPOSE_LOGIN_2FA: &str = "login_2fa";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "auth_tokens")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    /// One of the `PURPOSE_*` constants (not constrained by the database, like
    /// `generation_queue.status`, so a new purpose needs no migration).
    #[sea_orm(column_type = "Text")]
    pub purpose: String,
    /// Unique (index `idx_auth_tokens_token_hash`); the SHA-256 hex of the token (the raw token
    /// is never stored).
    #[sea_orm(column_type = "Text", unique)]
    pub token_hash: String,
    /// The address to switch to, for [`PURPOSE_CHANGE_EMAIL`].
    #[sea_orm(column_type = "Text", nullable)]
    pub new_email: Option<String>,
    pub expires_at: DateTimeUtc,
    /// Set when the token is redeemed; a used token is refused.
    pub used_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::UserId",
        to = "super::users::Column::Id",
        on_delete = "Cascade"
    )]
    User,
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
