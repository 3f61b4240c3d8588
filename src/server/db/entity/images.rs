//! `images`: generated or uploaded pictures. `deleted_at` marks a soft delete.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "images")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    /// Set to NULL when the project is deleted.
    pub project_id: Option<Uuid>,
    #[sea_orm(column_type = "Text")]
    pub file_path: String,
    #[sea_orm(column_type = "Text")]
    pub file_url: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub thumbnail_url: Option<String>,
    pub width: i32,
    pub height: i32,
    /// Bytes.
    pub file_size: i64,
    /// `"png"`, `"jpg"` or `"webp"`.
    #[sea_orm(column_type = "Text")]
    pub format: String,
    /// Default `""` (uploaded images).
    #[sea_orm(column_type = "Text")]
    pub prompt: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub negative_prompt: Option<String>,
    /// The fal.ai model id; NULL for uploaded images.
    #[sea_orm(column_type = "Text", nullable)]
    pub model_id: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub model_version: Option<String>,
    /// JSON object of the generation parameters; default `{}`.
    #[sea_orm(column_type = "JsonBinary")]
    pub parameters: Json,
    /// Seconds.
    pub generation_time: Option<f64>,
    /// Default 0.
    pub cost_credits: i32,
    /// The image this one derives from (variation, upscale); NULL when that is deleted.
    pub parent_image_id: Option<Uuid>,
    /// Default false.
    pub is_favorite: bool,
    /// 1 to 5 (CHECK constraint), or NULL when unrated.
    pub rating: Option<i16>,
    /// JSON array of strings; default `[]`. GIN-indexed on PostgreSQL.
    #[sea_orm(column_type = "JsonBinary")]
    pub tags: Json,
    /// JSON object; default `{}`.
    #[sea_orm(column_type = "JsonBinary")]
    pub metadata: Json,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub deleted_at: Option<DateTimeUtc>,
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
    #[sea_orm(belongs_to = "Entity", from = "Column::ParentImageId", to = "Column::Id", on_delete = "SetNull")]
    ParentImage,
    #[sea_orm(has_many = "super::collection_images::Entity", via_rel = "Relation::Image")]
    CollectionImages,
    #[sea_orm(has_many = "super::image_comments::Entity", via_rel = "Relation::Image")]
    ImageComments,
    #[sea_orm(has_many = "super::shared_images::Entity", via_rel = "Relation::Image")]
    SharedImages,
    #[sea_orm(has_many = "super::usage_logs::Entity", via_rel = "Relation::Image")]
    UsageLogs,
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

impl Related<super::collection_images::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CollectionImages.def()
    }
}

/// The collections the image belongs to, through `collection_images`.
impl Related<super::collections::Entity> for Entity {
    fn to() -> RelationDef {
        super::collection_images::Relation::Collection.def()
    }

    fn via() -> Option<RelationDef> {
        Some(super::collection_images::Relation::Image.def().rev())
    }
}

impl Related<super::image_comments::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ImageComments.def()
    }
}

impl Related<super::shared_images::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SharedImages.def()
    }
}

impl Related<super::usage_logs::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::UsageLogs.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
