//! Sharing one image by link: issue a link, list an image's links, revoke one.

use crate::types::{ApiError, ImageShare};
use leptos::prelude::*;
use uuid::Uuid;

/// Issues a link to one of the user's images, for `days` (1 to 365), or until revoked when absent.
#[server]
pub async fn share_image(image_id: Uuid, days: Option<u32>) -> Result<ImageShare, ApiError> {
    use ssr::*;
    let (state, user) = caller()?;
    Ok(view(shares::grant(&state.db, user, image_id, days).await?))
}

/// The links to one of the user's images, newest first.
#[server]
pub async fn list_image_shares(image_id: Uuid) -> Result<Vec<ImageShare>, ApiError> {
    use ssr::*;
    let (state, user) = caller()?;
    Ok(shares::list(&state.db, user, image_id).await?.into_iter().map(view).collect())
}

/// Ends a link at once.
#[server]
pub async fn revoke_image_share(id: Uuid) -> Result<(), ApiError> {
    use ssr::*;
    let (state, user) = caller()?;
    Ok(shares::revoke(&state.db, user, id).await?)
}

#[cfg(feature = "ssr")]
mod ssr {
    pub use crate::api::ssr::caller;
    use crate::server::db::entity::shared_images;
    pub use crate::server::shares;
    use crate::types::ImageShare;

    pub fn view(share: shared_images::Model) -> ImageShare {
        ImageShare {
            id: share.id,
            image_id: share.image_id,
            original_url: ImageShare::file_path(&share.share_token, "original"),
            preview_url: ImageShare::file_path(&share.share_token, "preview"),
            expires_at: share.expires_at,
            created_at: share.created_at,
        }
    }
}
