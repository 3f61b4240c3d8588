//! The one guarded door every user-supplied image passes through.
//!
//! [`decode_untrusted`] checks the size, the real format (from the bytes, never the name or the claimed
//! content type) and the dimensions before decoding, and decodes under explicit memory limits. Whatever
//! is stored or shown afterwards is re-encoded from the decoded pixels ([`encode_png`], [`encode_jpeg`],
//! [`encode_webp_lossless`]), so metadata and anything hidden in the original file are dropped.
//!
//! Decoding, resizing and encoding are CPU-bound and take up to a few hundred milliseconds for large
//! images: call them from `tokio::task::spawn_blocking`, not directly on the async runtime.

mod decode;
mod encode;
mod metadata;
mod perceptual_hash;
mod prepared;
mod thumbnail;

pub use decode::{ImageFormat, ImageLimits, SafeImage, decode_untrusted};
pub use encode::{encode_jpeg, encode_png, encode_webp_lossless};
pub use metadata::{GENERATION_METADATA_KEY, GenerationMetadata, read_generation_metadata};
pub use perceptual_hash::{hamming_distance, perceptual_hash};
pub use prepared::{Encoded, PREVIEW_SIDE, PreparedImage, THUMBNAIL_SIDE, prepare_generated};
pub use thumbnail::{square_avatar, thumbnail};

/// Why an image was refused. `Display` is a sentence to show the person who uploaded it; the detail of a
/// decoding or encoding failure is kept in the variant for the log.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("The file is larger than {}.", human_size(*max_bytes))]
    TooLarge { size: u64, max_bytes: u64 },
    #[error("Only PNG, JPEG and WebP images are accepted.")]
    UnsupportedFormat,
    #[error("The image is {width}×{height} pixels; the limit is {max_width}×{max_height}.")]
    DimensionsTooLarge { width: u32, height: u32, max_width: u32, max_height: u32 },
    /// The bytes look like a supported format but do not decode: truncated, corrupt, or using a feature
    /// of the format that the decoder does not support.
    #[error("The image could not be read: it may be damaged.")]
    Unreadable { detail: String },
    /// Encoding failed. Not the uploader's fault.
    #[error("The image could not be processed.")]
    Encode { detail: String },
}

impl ImageError {
    /// True when the upload itself is at fault (answer 4xx); false for our own failures (5xx).
    pub fn is_client_error(&self) -> bool {
        !matches!(self, Self::Encode { .. })
    }
}

/// "5 MB", "1.5 MB", "512 KB", "100 bytes": binary units, rounded down to one decimal.
fn human_size(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * KB;
    let (unit, name) = match bytes {
        b if b >= MB => (MB, "MB"),
        b if b >= KB => (KB, "KB"),
        b => return format!("{b} bytes"),
    };
    let tenths = u128::from(bytes) * 10 / u128::from(unit);
    match tenths % 10 {
        0 => format!("{} {name}", tenths / 10),
        rest => format!("{}.{rest} {name}", tenths / 10),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_sentences_a_person_can_act_on() {
        assert_eq!(
            ImageError::TooLarge { size: 6 << 20, max_bytes: 5 << 20 }.to_string(),
            "The file is larger than 5 MB."
        );
        assert_eq!(ImageError::UnsupportedFormat.to_string(), "Only PNG, JPEG and WebP images are accepted.");
        let too_big = ImageError::DimensionsTooLarge { width: 9000, height: 9000, max_width: 4096, max_height: 4096 };
        assert_eq!(too_big.to_string(), "The image is 9000×9000 pixels; the limit is 4096×4096.");
        let damaged = ImageError::Unreadable { detail: "unexpected end of file".into() };
        assert_eq!(damaged.to_string(), "The image could not be read: it may be damaged.");
        assert!(damaged.is_client_error());
        assert!(!ImageError::Encode { detail: String::new() }.is_client_error());
    }

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(human_size(5 * 1024 * 1024), "5 MB");
        assert_eq!(human_size(3 * 512 * 1024), "1.5 MB");
        assert_eq!(human_size(512 * 1024), "512 KB");
        assert_eq!(human_size(100), "100 bytes");
        assert_eq!(human_size(u64::MAX), "17592186044415.9 MB");
    }
}
