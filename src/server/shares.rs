//! Share grants: a link that lets whoever holds it see one image (its original, preview and
//! thumbnail), until it expires, its owner revokes it, or the image goes to the trash.
//!
//! The token is the link itself, so it is stored as issued and shown to the owner again; it carries
//! 256 random bits.

use crate::server::auth::token::{TOKEN_BYTES, random_bytes};
use crate::server::db::entity::{images, shared_images};
use crate::server::error::AppError;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

/// The longest a link may be given to live; `None` keeps it until revoked.
pub const MAX_DAYS: u32 = 365;

/// Issues a link to one of the owner's images, valid for `days` (none: until revoked).
pub async fn grant(
    db: &impl ConnectionTrait,
    owner: Uuid,
    image_id: Uuid,
    days: Option<u32>,
) -> Result<shared_images::Model, AppError> {
    if let Some(days) = days
        && !(1..=MAX_DAYS).contains(&days)
    {
        return Err(AppError::invalid("days", format!("A link can last from 1 to {MAX_DAYS} days, or until revoked.")));
    }
    owned_live_image(db, owner, image_id).await?;
    let now = Utc::now();
    let share = shared_images::ActiveModel {
        id: Set(Uuid::now_v7()),
        image_id: Set(image_id),
        share_token: Set(URL_SAFE_NO_PAD.encode(random_bytes::<TOKEN_BYTES>())),
        created_by: Set(owner),
        expires_at: Set(days.map(|days| now + Duration::days(i64::from(days)))),
        view_count: Set(0),
        created_at: Set(now),
    };
    Ok(share.insert(db).await?)
}

/// The owner's links to one of their images, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    owner: Uuid,
    image_id: Uuid,
) -> Result<Vec<shared_images::Model>, AppError> {
    Ok(shared_images::Entity::find()
        .filter(shared_images::Column::ImageId.eq(image_id))
        .filter(shared_images::Column::CreatedBy.eq(owner))
        .order_by_desc(shared_images::Column::CreatedAt)
        .order_by_desc(shared_images::Column::Id)
        .all(db)
        .await?)
}

/// Ends one of the owner's links at once.
pub async fn revoke(db: &impl ConnectionTrait, owner: Uuid, share_id: Uuid) -> Result<(), AppError> {
    let deleted = shared_images::Entity::delete_many()
        .filter(shared_images::Column::Id.eq(share_id))
        .filter(shared_images::Column::CreatedBy.eq(owner))
        .exec(db)
        .await?;
    if deleted.rows_affected == 0 { Err(AppError::NotFound("link")) } else { Ok(()) }
}

/// The image a link opens, if the link is live and the image is not in the trash. Unknown,
/// expired and revoked links all read as `NotFound`.
pub async fn shared_image(
    db: &impl ConnectionTrait,
    token: &str,
    now: DateTime<Utc>,
) -> Result<images::Model, AppError> {
    let found = shared_images::Entity::find()
        .filter(shared_images::Column::ShareToken.eq(token))
        .find_also_related(images::Entity)
        .one(db)
        .await?;
    match found {
        Some((share, Some(image)))
            if share.expires_at.is_none_or(|expires| expires > now) && image.deleted_at.is_none() =>
        {
            Ok(image)
        }
        _ => Err(AppError::NotFound("shared image")),
    }
}

async fn owned_live_image(db: &impl ConnectionTrait, owner: Uuid, image_id: Uuid) -> Result<(), AppError> {
    images::Entity::find_by_id(image_id)
        .filter(images::Column::UserId.eq(owner))
        .filter(images::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .map(|_| ())
        .ok_or(AppError::NotFound("image"))
}
