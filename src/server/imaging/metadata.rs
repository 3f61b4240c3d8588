//! How an image was made (prompt, model, parameters, seed), carried inside the original file so a
//! downloaded picture still says where it came from. Only the container is edited: the pixel data is
//! copied byte for byte, never re-encoded.
//!
//! - PNG: an `iTXt` chunk with the keyword `atelier:generation` and the JSON as UTF-8 text, just
//!   before `IEND`. Bytes after `IEND` are not part of the image and are dropped.
//! - JPEG: a comment segment (`COM`) reading `atelier:generation ` followed by the JSON, after the
//!   `APPn` segments that open the file (JFIF and Exif readers expect those first). A segment holds at
//!   most 65,533 bytes; longer metadata is not embedded (the database row keeps all of it). A file
//!   without its end-of-image marker is refused as truncated, since the decoder accepts it.
//!   Bytes after that marker are kept (multi-picture files keep their other pictures there).
//! - WebP: left as it is. Nothing is embedded.
//!
//! Embedding again replaces our earlier chunk or segment instead of adding a second one.

mod jpeg_comment;
mod png_text;

use super::{ImageError, ImageFormat};
use serde::{Deserialize, Serialize};

/// The PNG keyword and JPEG comment prefix that mark our metadata.
pub const GENERATION_METADATA_KEY: &str = "atelier:generation";

/// What produced an image, as embedded in the original and returned by [`read_generation_metadata`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerationMetadata {
    pub prompt: String,
    #[serde(default)]
    pub negative_prompt: Option<String>,
    pub model: String,
    #[serde(default)]
    pub parameters: serde_json::Value,
    #[serde(default)]
    pub seed: Option<u64>,
}

/// The original bytes after embedding, and whether the metadata is in them (false for WebP and for
/// JPEG metadata too long for one comment segment).
#[derive(Debug)]
pub(super) struct WithMetadata {
    pub bytes: Vec<u8>,
    pub embedded: bool,
}

/// `original` (already decoded successfully, so of `format`) with `metadata` embedded; see the module
/// documentation for where it goes. Fails only on a container too damaged to walk.
pub(super) fn embed_generation_metadata(
    original: &[u8],
    format: ImageFormat,
    metadata: &GenerationMetadata,
) -> Result<WithMetadata, ImageError> {
    let json = serde_json::to_string(metadata).map_err(|err| ImageError::Encode { detail: err.to_string() })?;
    let damaged = |detail: String| ImageError::Unreadable { detail };
    match format {
        ImageFormat::Png => {
            let bytes = png_text::with_text(original, GENERATION_METADATA_KEY, &json).map_err(damaged)?;
            Ok(WithMetadata { bytes, embedded: true })
        }
        ImageFormat::Jpeg => {
            let comment = format!("{GENERATION_METADATA_KEY} {json}");
            let fits = comment.len() <= jpeg_comment::MAX_COMMENT_LEN;
            let prefix = format!("{GENERATION_METADATA_KEY} ");
            // Too long: still drop an earlier comment of ours, which would describe another generation.
            let bytes = jpeg_comment::with_comment(original, prefix.as_bytes(), fits.then_some(comment.as_bytes()))
                .map_err(damaged)?;
            Ok(WithMetadata { bytes, embedded: fits })
        }
        ImageFormat::Webp => Ok(WithMetadata { bytes: original.to_vec(), embedded: false }),
    }
}

/// The generation metadata embedded in an image by Atelier, if there is any and it is intact. Never
/// panics; anything unexpected reads as `None`.
pub fn read_generation_metadata(bytes: &[u8]) -> Option<GenerationMetadata> {
    let json = match ImageFormat::sniff(bytes)? {
        ImageFormat::Png => png_text::read_text(bytes, GENERATION_METADATA_KEY)?,
        ImageFormat::Jpeg => {
            let prefix = format!("{GENERATION_METADATA_KEY} ");
            let comment = jpeg_comment::read_comment(bytes, prefix.as_bytes())?;
            std::str::from_utf8(comment.strip_prefix(prefix.as_bytes())?).ok()?
        }
        ImageFormat::Webp => return None,
    };
    serde_json::from_str(json).ok()
}
