//! One user's generated images: reading one with its family (parent and children), marking it a
//! favourite, and iterating on it. Every query is scoped to the owner and skips the trash.

mod files;
mod iterate;
mod library;
mod upload;
mod view;

pub use files::{ImageFiles, remove_files};
pub use iterate::{
    FAL_BACKGROUND_REMOVER, FAL_UPSCALER, MAX_VARIATIONS, OFFLINE_BACKGROUND_REMOVER, OFFLINE_UPSCALER,
    UPSCALE_FACTORS, iterate, iteration_request,
};
pub use library::{children, detail, favourites_among, live_image, owned_image, set_favourite};
pub use upload::{UPLOAD_FIELD, may_upload, upload_image};
pub use view::image_view;
