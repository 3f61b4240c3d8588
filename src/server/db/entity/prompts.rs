//! `prompts`: the prompt library.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "prompts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub prompt_text: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub negative_prompt: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub category: Option<String>,
    /// JSON array of strings; default `[]`.
    #[sea_orm(column_type = "JsonBinary")]
    pub tags: Json,
    /// Default false.
    pub is_favorite: bool,
    /// Default false.
    pub is_public: bool,
    /// Default 0.
    pub usage_count: i32,
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
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
