//! `users`: accounts.

use sea_orm::entity::prelude::*;

/// Value of [`Model::role`] for ordinary users (the default).
pub const ROLE_USER: &str = "user";
/// Value of [`Model::role`] for administrators.
pub const ROLE_ADMIN: &str = "admin";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Unique (case-sensitive in the database: store it normalised).
    #[sea_orm(column_type = "Text", unique)]
    pub email: String,
    #[sea_orm(column_type = "Text")]
    pub password_hash: String,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub avatar_url: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub last_login: Option<DateTimeUtc>,
    /// Default false.
    pub email_verified: bool,
    /// JSON object (theme, defaults); default `{}`.
    #[sea_orm(column_type = "JsonBinary")]
    pub preferences: Json,
    /// Default 0.
    pub credits_balance: i32,
    /// Default `"free"`.
    #[sea_orm(column_type = "Text")]
    pub subscription_tier: String,
    /// Default true.
    pub is_active: bool,
    /// [`ROLE_USER`] (default) or [`ROLE_ADMIN`], enforced by a CHECK constraint.
    #[sea_orm(column_type = "Text")]
    pub role: String,
    /// Base32 TOTP secret: set while enrolling in two-factor authentication and while it is on.
    #[sea_orm(column_type = "Text", nullable)]
    pub totp_secret: Option<String>,
    /// Two-factor authentication is on when set (the moment it was enabled).
    pub totp_enabled_at: Option<DateTimeUtc>,
    /// The last accepted TOTP time step (Unix time / 30 s): codes of this step or older ones are
    /// refused, so a code cannot be replayed.
    pub totp_last_step: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_one = "super::user_settings::Entity")]
    UserSettings,
    #[sea_orm(has_many = "super::sessions::Entity", via_rel = "Relation::User")]
    Sessions,
    #[sea_orm(has_many = "super::projects::Entity", via_rel = "Relation::User")]
    Projects,
    #[sea_orm(has_many = "super::images::Entity", via_rel = "Relation::User")]
    Images,
    #[sea_orm(has_many = "super::collections::Entity", via_rel = "Relation::User")]
    Collections,
    #[sea_orm(has_many = "super::prompts::Entity", via_rel = "Relation::User")]
    Prompts,
    #[sea_orm(has_many = "super::generation_queue::Entity", via_rel = "Relation::User")]
    GenerationQueue,
    #[sea_orm(has_many = "super::usage_logs::Entity", via_rel = "Relation::User")]
    UsageLogs,
    #[sea_orm(has_many = "super::image_comments::Entity", via_rel = "Relation::User")]
    ImageComments,
    #[sea_orm(has_many = "super::shared_projects::Entity", via_rel = "Relation::CreatedBy")]
    SharedProjects,
    #[sea_orm(has_many = "super::shared_images::Entity", via_rel = "Relation::CreatedBy")]
    SharedImages,
    #[sea_orm(has_many = "super::auth_tokens::Entity", via_rel = "Relation::User")]
    AuthTokens,
    #[sea_orm(has_many = "super::recovery_codes::Entity", via_rel = "Relation::User")]
    RecoveryCodes,
}

impl Related<super::user_settings::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::UserSettings.def()
    }
}

impl Related<super::sessions::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Sessions.def()
    }
}

impl Related<super::projects::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Projects.def()
    }
}

impl Related<super::images::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Images.def()
    }
}

impl Related<super::collections::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Collections.def()
    }
}

impl Related<super::prompts::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Prompts.def()
    }
}

impl Related<super::generation_queue::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::GenerationQueue.def()
    }
}

impl Related<super::usage_logs::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::UsageLogs.def()
    }
}

impl Related<super::image_comments::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ImageComments.def()
    }
}

impl Related<super::shared_projects::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SharedProjects.def()
    }
}

impl Related<super::shared_images::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SharedImages.def()
    }
}

impl Related<super::auth_tokens::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AuthTokens.def()
    }
}

impl Related<super::recovery_codes::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RecoveryCodes.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
