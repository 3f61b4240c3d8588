//! `generation_queue`: generation jobs waiting for, or sent to, fal.ai.

use sea_orm::entity::prelude::*;

/// Values of [`Model::status`]. `STATUS_PENDING` is the column default.
pub const STATUS_PENDING: &str = "pending";
pub const STATUS_PROCESSING: &str = "processing";
pub const STATUS_COMPLETED: &str = "completed";
pub const STATUS_FAILED: &str = "failed";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "generation_queue")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    /// Set to NULL when the project is deleted.
    pub project_id: Option<Uuid>,
    #[sea_orm(column_type = "Text")]
    pub prompt: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub negative_prompt: Option<String>,
    /// The fal.ai model id.
    #[sea_orm(column_type = "Text")]
    pub model_id: String,
    /// JSON object; default `{}`.
    #[sea_orm(column_type = "JsonBinary")]
    pub parameters: Json,
    /// One of the `STATUS_*` constants; default [`STATUS_PENDING`].
    #[sea_orm(column_type = "Text")]
    pub status: String,
    /// Higher runs first; default 0.
    pub priority: i32,
    #[sea_orm(column_type = "Text", nullable)]
    pub fal_request_id: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub error_message: Option<String>,
    /// Default 0.
    pub retry_count: i32,
    pub created_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub completed_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
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
        belongs_to = "super::projects::Entity",
        from = "Column::ProjectId",
        to = "super::projects::Column::Id",
        on_delete = "SetNull"
    )]
    Project,
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl Related<super::projects::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Project.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
