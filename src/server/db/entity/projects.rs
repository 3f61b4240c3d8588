//! `projects`: a user's folders of images. The image count is computed, not stored.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "projects")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    /// References `images.id`; set to NULL when that image is deleted.
    pub cover_image_id: Option<Uuid>,
    /// JSON object; default `{}`.
    #[sea_orm(column_type = "JsonBinary")]
    pub settings: Json,
    /// JSON array of strings; default `[]`.
    #[sea_orm(column_type = "JsonBinary")]
    pub tags: Json,
    /// Default false.
    pub is_archived: bool,
    /// Default false.
    pub is_public: bool,
    pub created_at: DateTimeUtc,
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
        belongs_to = "super::images::Entity",
        from = "Column::CoverImageId",
        to = "super::images::Column::Id",
        on_delete = "SetNull"
    )]
    CoverImage,
    #[sea_orm(has_many = "super::images::Entity", via_rel = "Relation::Project")]
    Images,
    #[sea_orm(has_many = "super::generation_queue::Entity", via_rel = "Relation::Project")]
    GenerationQueue,
    #[sea_orm(has_many = "super::shared_projects::Entity", via_rel = "Relation::Project")]
    SharedProjects,
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

/// The images filed in the project (not the cover: use [`Relation::CoverImage`] for that).
impl Related<super::images::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Images.def()
    }
}

impl Related<super::generation_queue::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::GenerationQueue.def()
    }
}

impl Related<super::shared_projects::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SharedProjects.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
