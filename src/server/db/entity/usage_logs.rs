//! `usage_logs`: one row per billable action.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "usage_logs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    /// Set to NULL when the image is deleted (the log stays).
    pub image_id: Option<Uuid>,
    /// `"generate"`, `"upscale"`, `"variation"`, ...
    #[sea_orm(column_type = "Text")]
    pub action: String,
    /// The fal.ai model id.
    #[sea_orm(column_type = "Text", nullable)]
    pub model_id: Option<String>,
    /// Default 0.
    pub credits_used: i32,
    /// Seconds.
    pub generation_time: Option<f64>,
    /// Default false.
    pub success: bool,
    #[sea_orm(column_type = "Text", nullable)]
    pub error_message: Option<String>,
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
    #[sea_orm(
        belongs_to = "super::images::Entity",
        from = "Column::ImageId",
        to = "super::images::Column::Id",
        on_delete = "SetNull"
    )]
    Image,
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl Related<super::images::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Image.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
