//! `user_settings`: one row per user (unique `user_id`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub user_id: Uuid,
    /// A fal.ai model id (`models.fal_model_id`), not a foreign key.
    #[sea_orm(column_type = "Text", nullable)]
    pub default_model_id: Option<String>,
    /// JSON object; default `{}`.
    #[sea_orm(column_type = "JsonBinary")]
    pub default_parameters: Json,
    /// Default `"system"`.
    #[sea_orm(column_type = "Text")]
    pub theme: String,
    /// Default `"grid"`.
    #[sea_orm(column_type = "Text")]
    pub gallery_view_mode: String,
    /// Default true.
    pub notifications_enabled: bool,
    /// JSON object; default `{}`.
    #[sea_orm(column_type = "JsonBinary")]
    pub settings: Json,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// IANA time zone name; default `"UTC"`.
    #[sea_orm(column_type = "Text")]
    pub timezone: String,
    /// BCP 47 language tag; default `"en"`.
    #[sea_orm(column_type = "Text")]
    pub language: String,
    /// The user's whole generation queue is paused: none of their jobs is claimed. Default false.
    pub queue_paused: bool,
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
