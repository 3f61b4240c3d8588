//! The owner's images, read and marked in queries that name the owner and skip the trash.

use super::view::image_view;
use crate::server::db::entity::images;
use crate::server::error::AppError;
use crate::types::{ImageDetail, ImageView};
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select};
use uuid::Uuid;

/// The owner's images that are not in the trash.
fn live_images_of(owner: Uuid) -> Select<images::Entity> {
    images::Entity::find().filter(images::Column::UserId.eq(owner)).filter(images::Column::DeletedAt.is_null())
}

/// One of the owner's images, if `id` is one (not someone else's, not trashed).
pub async fn live_image(db: &impl ConnectionTrait, owner: Uuid, id: Uuid) -> Result<Option<images::Model>, AppError> {
    Ok(live_images_of(owner).filter(images::Column::Id.eq(id)).one(db).await?)
}

/// One of the owner's images; someone else's, a trashed or an unknown one is `NotFound`.
pub async fn owned_image(db: &impl ConnectionTrait, owner: Uuid, id: Uuid) -> Result<images::Model, AppError> {
    live_image(db, owner, id).await?.ok_or(AppError::NotFound("image"))
}

/// The images made from `id`, oldest first.
pub async fn children(db: &impl ConnectionTrait, owner: Uuid, id: Uuid) -> Result<Vec<images::Model>, AppError> {
    Ok(live_images_of(owner)
        .filter(images::Column::ParentImageId.eq(id))
        .order_by_asc(images::Column::CreatedAt)
        .order_by_asc(images::Column::Id)
        .all(db)
        .await?)
}

/// The image with the one it came from (while that is still the owner's and not trashed) and those
/// made from it.
pub async fn detail(db: &impl ConnectionTrait, owner: Uuid, id: Uuid) -> Result<ImageDetail, AppError> {
    let image = owned_image(db, owner, id).await?;
    let parent = match image.parent_image_id {
        Some(parent) => live_images_of(owner).filter(images::Column::Id.eq(parent)).one(db).await?,
        None => None,
    };
    let children = children(db, owner, id).await?;
    Ok(ImageDetail {
        image: image_view(image),
        parent: parent.map(image_view),
        children: children.into_iter().map(image_view).collect(),
    })
}

/// Which of `ids` are the owner's favourites (and not in the trash).
pub async fn favourites_among(db: &impl ConnectionTrait, owner: Uuid, ids: Vec<Uuid>) -> Result<Vec<Uuid>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(live_images_of(owner)
        .select_only()
        .column(images::Column::Id)
        .filter(images::Column::IsFavorite.eq(true))
        .filter(images::Column::Id.is_in(ids))
        .into_tuple()
        .all(db)
        .await?)
}

/// Marks the image a favourite (or not) and returns it as it is now.
pub async fn set_favourite(
    db: &impl ConnectionTrait,
    owner: Uuid,
    id: Uuid,
    favourite: bool,
) -> Result<ImageView, AppError> {
    let updated = images::Entity::update_many()
        .col_expr(images::Column::IsFavorite, Expr::value(favourite))
        .col_expr(images::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(images::Column::Id.eq(id))
        .filter(images::Column::UserId.eq(owner))
        .filter(images::Column::DeletedAt.is_null())
        .exec(db)
        .await?;
    if updated.rows_affected == 0 {
        return Err(AppError::NotFound("image"));
    }
    Ok(image_view(owned_image(db, owner, id).await?))
}
