//! A generated image made ready to store: the original with its generation metadata, a thumbnail and
//! a preview, a perceptual hash and a checksum. Pure computation; the caller stores the results.

use super::metadata::{GenerationMetadata, embed_generation_metadata};
use super::perceptual_hash::perceptual_hash;
use super::thumbnail::{has_transparency, thumbnail};
use super::{ImageError, ImageFormat, ImageLimits, decode_untrusted, encode_jpeg, encode_webp_lossless};
use image::DynamicImage;
use sha2::{Digest, Sha256};
use std::borrow::Cow;

/// The longest side of a thumbnail (gallery grids).
pub const THUMBNAIL_SIDE: u32 = 256;
/// The longest side of a preview (the image viewer, before the original is asked for).
pub const PREVIEW_SIDE: u32 = 1024;
const JPEG_QUALITY: u8 = 82;

/// An encoded derivative of an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    pub bytes: Vec<u8>,
    pub mime: &'static str,
    /// Without the dot.
    pub extension: &'static str,
    pub width: u32,
    pub height: u32,
}

/// Everything stored for one generated image.
#[derive(Debug, Clone)]
pub struct PreparedImage {
    /// The provider's bytes with the generation metadata embedded (see [`super::read_generation_metadata`]);
    /// the pixel data is not re-encoded.
    pub original: Vec<u8>,
    pub original_format: ImageFormat,
    /// Upright (after the EXIF orientation), as shown.
    pub width: u32,
    pub height: u32,
    /// Some pixel is not fully opaque (an alpha channel that is opaque everywhere does not count); then
    /// the derivatives are lossless WebP, otherwise JPEG.
    pub has_alpha: bool,
    /// The longer side [`THUMBNAIL_SIDE`] pixels, or the image's own size if smaller.
    pub thumbnail: Encoded,
    /// The longer side [`PREVIEW_SIDE`] pixels, or the image's own size if smaller.
    pub preview: Encoded,
    /// 16 hex characters; compare with [`super::hamming_distance`].
    pub perceptual_hash: String,
    /// Of `original`, lowercase hex.
    pub sha256: String,
    /// False when the metadata could not be put in the file: WebP originals, and JPEG originals whose
    /// metadata is longer than one comment segment (64 KB).
    pub metadata_embedded: bool,
}

/// Checks and decodes a provider's output through [`decode_untrusted`] (once), then makes the
/// derivatives, hashes and embeds `metadata`. Fails with the same errors as `decode_untrusted`, or
/// `Unreadable` when the file decodes but its container is damaged (a JPEG without its end marker,
/// probably truncated, decodes with grey where data is missing). CPU-bound (tens of milliseconds for
/// 1024²): call from a blocking task.
pub fn prepare_generated(
    bytes: &[u8],
    limits: &ImageLimits,
    metadata: &GenerationMetadata,
) -> Result<PreparedImage, ImageError> {
    let decoded = decode_untrusted(bytes, limits)?;
    // Cheap, and refuses a JPEG cut short (which decodes): done before the costly part.
    let original = embed_generation_metadata(bytes, decoded.format, metadata)?;
    let has_alpha = has_transparency(&decoded.image);
    let pixels = without_opaque_alpha(decoded.image, has_alpha);

    let preview = fit_within(&pixels, PREVIEW_SIDE);
    let thumbnail = fit_within(&preview, THUMBNAIL_SIDE);
    let perceptual_hash = perceptual_hash(&thumbnail);
    let thumbnail = encode_derivative(&thumbnail, has_alpha)?;
    let preview = encode_derivative(&preview, has_alpha)?;

    let sha256 = hex::encode(Sha256::digest(&original.bytes));
    Ok(PreparedImage {
        original: original.bytes,
        original_format: decoded.format,
        width: decoded.width,
        height: decoded.height,
        has_alpha,
        thumbnail,
        preview,
        perceptual_hash,
        sha256,
        metadata_embedded: original.embedded,
    })
}

/// An alpha channel that is opaque everywhere only costs time: resizing and JPEG encoding handle three
/// channels faster than four, and need not composite over white.
fn without_opaque_alpha(image: DynamicImage, has_alpha: bool) -> DynamicImage {
    match image {
        DynamicImage::ImageRgba8(_) if !has_alpha => DynamicImage::ImageRgb8(image.to_rgb8()),
        DynamicImage::ImageLumaA8(_) if !has_alpha => DynamicImage::ImageLuma8(image.to_luma8()),
        image => image,
    }
}

/// Scaled down so the longer side is `max_side`; borrowed, not copied, when it already fits.
fn fit_within(image: &DynamicImage, max_side: u32) -> Cow<'_, DynamicImage> {
    if image.width() <= max_side && image.height() <= max_side {
        Cow::Borrowed(image)
    } else {
        Cow::Owned(thumbnail(image, max_side))
    }
}

/// Lossless WebP keeps transparency (cut-out subjects); JPEG is far smaller for everything else.
fn encode_derivative(image: &DynamicImage, has_alpha: bool) -> Result<Encoded, ImageError> {
    let (bytes, format) = if has_alpha {
        (encode_webp_lossless(image)?, ImageFormat::Webp)
    } else {
        (encode_jpeg(image, JPEG_QUALITY)?, ImageFormat::Jpeg)
    };
    Ok(Encoded {
        bytes,
        mime: format.mime(),
        extension: format.extension(),
        width: image.width(),
        height: image.height(),
    })
}
