//! `models`: the catalogue of fal.ai models.
//!
//! Other tables refer to a model by its `fal_model_id` text (no foreign key), so history survives
//! a model leaving the catalogue.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "models")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Unique, e.g. `"fal-ai/flux/dev"`.
    #[sea_orm(column_type = "Text", unique)]
    pub fal_model_id: String,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub display_name: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub category: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub version: Option<String>,
    /// JSON; default `{}`.
    #[sea_orm(column_type = "JsonBinary")]
    pub capabilities: Json,
    /// JSON object; default `{}`.
    #[sea_orm(column_type = "JsonBinary")]
    pub default_parameters: Json,
    /// Credits; default 0.
    pub cost_per_generation: i32,
    /// Default true.
    pub is_active: bool,
    /// Default false.
    pub is_featured: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
