//! `collections`: user-curated, ordered sets of images (through `collection_images`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "collections")]
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
    #[sea_orm(has_many = "super::collection_images::Entity", via_rel = "Relation::Collection")]
    CollectionImages,
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl Related<super::collection_images::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CollectionImages.def()
    }
}

/// The images in the collection, through `collection_images` (not the cover).
impl Related<super::images::Entity> for Entity {
    fn to() -> RelationDef {
        super::collection_images::Relation::Image.def()
    }

    fn via() -> Option<RelationDef> {
        Some(super::collection_images::Relation::Collection.def().rev())
    }
}

impl ActiveModelBehavior for ActiveModel {}
