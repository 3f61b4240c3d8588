use super::ImageError;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageReader, Limits};
use std::io::Cursor;

/// What an upload may be. Checked in this order: file size, format, dimensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageLimits {
    pub max_bytes: u64,
    pub max_width: u32,
    pub max_height: u32,
}

/// The formats accepted from users, recognised by their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageFormat {
    Png,
    Jpeg,
    Webp,
}

impl ImageFormat {
    /// The format the bytes are, whatever the file is called; `None` for anything not accepted.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
            Some(Self::Webp)
        } else {
            None
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Webp => "image/webp",
        }
    }

    /// Without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpg",
            Self::Webp => "webp",
        }
    }
}

impl From<ImageFormat> for image::ImageFormat {
    fn from(format: ImageFormat) -> Self {
        match format {
            ImageFormat::Png => Self::Png,
            ImageFormat::Jpeg => Self::Jpeg,
            ImageFormat::Webp => Self::WebP,
        }
    }
}

/// A decoded image that passed every check. `width` and `height` are those of `image`, after the
/// orientation recorded in the file (EXIF) was applied, so the picture is upright even though the
/// re-encoded copy carries no metadata.
#[derive(Debug, Clone)]
pub struct SafeImage {
    pub image: DynamicImage,
    pub format: ImageFormat,
    pub width: u32,
    pub height: u32,
}

/// Memory a decoder may use beyond the decoded pixels (chunk buffers, rows, colour profiles). Also the
/// whole budget for reading the header.
const DECODER_WORKSPACE: u64 = 32 * 1024 * 1024;
/// The widest pixel any accepted format decodes to: 16-bit RGBA.
const MAX_BYTES_PER_PIXEL: u64 = 8;

/// Decodes bytes received from a user, refusing (in this order) files over `max_bytes`, anything that is
/// not PNG, JPEG or WebP by its content, and images over the dimension limits, the last before any
/// pixel is decoded. Never panics on any input. CPU-bound: call from a blocking task.
pub fn decode_untrusted(bytes: &[u8], limits: &ImageLimits) -> Result<SafeImage, ImageError> {
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if size > limits.max_bytes {
        return Err(ImageError::TooLarge { size, max_bytes: limits.max_bytes });
    }
    let format = ImageFormat::sniff(bytes).ok_or(ImageError::UnsupportedFormat)?;

    let (width, height) = header_dimensions(bytes, format)?;
    if width == 0 || height == 0 {
        return Err(unreadable(format!("the header gives an empty image ({width}×{height})")));
    }
    // The orientation is not known yet and may turn the picture a quarter: refuse here only what fits
    // neither way round. The exact check follows once the orientation is read, still before decoding.
    if !fits(width, height, limits) && !fits(height, width, limits) {
        return Err(too_large(width, height, limits));
    }

    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.into());
    // Enforced by the decoder itself, so a file whose later data disagrees with its header cannot make
    // it allocate more than an image of the size already checked.
    let mut decode_limits = Limits::default();
    decode_limits.max_image_width = Some(width);
    decode_limits.max_image_height = Some(height);
    decode_limits.max_alloc = Some(
        (u64::from(width) * u64::from(height)).saturating_mul(MAX_BYTES_PER_PIXEL).saturating_add(DECODER_WORKSPACE),
    );
    reader.limits(decode_limits);
    let mut decoder = reader.into_decoder().map_err(unreadable)?;

    // A damaged EXIF block is no reason to refuse the picture: show it as stored.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let (width, height) = match orientation {
        Orientation::Rotate90 | Orientation::Rotate270 | Orientation::Rotate90FlipH | Orientation::Rotate270FlipH => {
            (height, width)
        }
        _ => (width, height),
    };
    if !fits(width, height, limits) {
        return Err(too_large(width, height, limits));
    }

    let mut image = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    image.apply_orientation(orientation);
    Ok(SafeImage { width: image.width(), height: image.height(), image, format })
}

/// Width and height from the header alone; no pixel data is decoded.
fn header_dimensions(bytes: &[u8], format: ImageFormat) -> Result<(u32, u32), ImageError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.into());
    // No dimension limit here, so the refusal can name the real size; memory stays bounded.
    let mut limits = Limits::default();
    limits.max_alloc = Some(DECODER_WORKSPACE);
    reader.limits(limits);
    reader.into_dimensions().map_err(unreadable)
}

fn fits(width: u32, height: u32, limits: &ImageLimits) -> bool {
    width <= limits.max_width && height <= limits.max_height
}

fn too_large(width: u32, height: u32, limits: &ImageLimits) -> ImageError {
    ImageError::DimensionsTooLarge { width, height, max_width: limits.max_width, max_height: limits.max_height }
}

fn unreadable(detail: impl ToString) -> ImageError {
    ImageError::Unreadable { detail: detail.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage, Rgba, RgbaImage};

    const LIMITS: ImageLimits = ImageLimits { max_bytes: 5 * 1024 * 1024, max_width: 4096, max_height: 4096 };

    fn sample(width: u32, height: u32) -> RgbaImage {
        RgbaImage::from_fn(width, height, |x, y| {
            Rgba([(x * 7) as u8, (y * 13) as u8, ((x + y) * 3) as u8, 255 - x as u8])
        })
    }

    fn encoded(image: &DynamicImage, format: image::ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    fn png(width: u32, height: u32) -> Vec<u8> {
        encoded(&DynamicImage::ImageRgba8(sample(width, height)), image::ImageFormat::Png)
    }

    /// A real PNG whose IHDR claims another size, with a correct CRC so only the size is a lie.
    fn png_claiming(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = png(4, 4);
        // Signature (8), IHDR length (4), "IHDR" (4), then width and height, then 5 bytes, then the CRC.
        assert_eq!(&bytes[12..16], b"IHDR");
        bytes[16..20].copy_from_slice(&width.to_be_bytes());
        bytes[20..24].copy_from_slice(&height.to_be_bytes());
        let crc = crc32fast::hash(&bytes[12..29]);
        bytes[29..33].copy_from_slice(&crc.to_be_bytes());
        bytes
    }

    #[test]
    fn accepts_png_jpeg_and_webp_by_their_bytes() {
        let image = DynamicImage::ImageRgba8(sample(40, 30));
        let rgb = DynamicImage::ImageRgb8(image.to_rgb8());
        let cases = [
            (encoded(&image, image::ImageFormat::Png), ImageFormat::Png, "image/png", "png"),
            (encoded(&rgb, image::ImageFormat::Jpeg), ImageFormat::Jpeg, "image/jpeg", "jpg"),
            (encoded(&image, image::ImageFormat::WebP), ImageFormat::Webp, "image/webp", "webp"),
        ];
        for (bytes, format, mime, extension) in cases {
            // Only bytes reach the door: a file called "photo.gif" sent as text/plain decodes the same.
            let safe = decode_untrusted(&bytes, &LIMITS).unwrap();
            assert_eq!(safe.format, format);
            assert_eq!((safe.width, safe.height), (40, 30));
            assert_eq!((safe.image.width(), safe.image.height()), (40, 30));
            assert_eq!((format.mime(), format.extension()), (mime, extension));
        }
    }

    #[test]
    fn refuses_other_formats_and_non_images() {
        let gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
        let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>";
        let riff_wave = b"RIFF\x24\x00\x00\x00WAVEfmt ";
        for bytes in [&gif[..], b"hello, this is text", svg, riff_wave, b"", b"\x89PN", b"RIFF"] {
            assert!(matches!(decode_untrusted(bytes, &LIMITS), Err(ImageError::UnsupportedFormat)), "{bytes:?}");
        }
    }

    #[test]
    fn refuses_huge_dimensions_from_the_header_before_decoding() {
        let bytes = png_claiming(100_000, 100_000);
        let err = decode_untrusted(&bytes, &LIMITS).unwrap_err();
        assert!(
            matches!(
                err,
                ImageError::DimensionsTooLarge { width: 100_000, height: 100_000, max_width: 4096, max_height: 4096 }
            ),
            "{err:?}"
        );
        assert_eq!(err.to_string(), "The image is 100000×100000 pixels; the limit is 4096×4096.");
        // One side over is enough.
        let wide = decode_untrusted(&png_claiming(4097, 10), &LIMITS).unwrap_err();
        assert!(matches!(wide, ImageError::DimensionsTooLarge { width: 4097, height: 10, .. }), "{wide:?}");
    }

    #[test]
    fn a_header_that_lies_within_the_limits_fails_as_damaged_not_as_a_huge_allocation() {
        // Claims 4000×4000 but holds 4×4 pixels of data.
        let err = decode_untrusted(&png_claiming(4000, 4000), &LIMITS).unwrap_err();
        assert!(matches!(err, ImageError::Unreadable { .. }), "{err:?}");
    }

    #[test]
    fn truncated_and_corrupt_files_are_unreadable() {
        let whole = png(64, 64);
        let jpeg = encoded(
            &DynamicImage::ImageRgb8(RgbImage::from_pixel(64, 64, Rgb([9, 99, 199]))),
            image::ImageFormat::Jpeg,
        );
        let webp = encoded(&DynamicImage::ImageRgba8(sample(64, 64)), image::ImageFormat::WebP);
        let mut flipped = whole.clone();
        let middle = flipped.len() / 2;
        flipped[middle] ^= 0xFF;
        for bytes in [
            &whole[..whole.len() / 2],
            &whole[..20],
            &jpeg[..jpeg.len() / 3],
            &jpeg[..4],
            &webp[..webp.len() / 2],
            &flipped,
        ] {
            let err = decode_untrusted(bytes, &LIMITS).unwrap_err();
            assert!(matches!(err, ImageError::Unreadable { .. }), "{} bytes: {err:?}", bytes.len());
            assert_eq!(err.to_string(), "The image could not be read: it may be damaged.");
        }
    }

    #[test]
    fn size_is_checked_before_anything_else() {
        let limits = ImageLimits { max_bytes: 100, ..LIMITS };
        // Neither an image nor small: the size is what is reported.
        let err = decode_untrusted(&[0u8; 101], &limits).unwrap_err();
        assert!(matches!(err, ImageError::TooLarge { size: 101, max_bytes: 100 }), "{err:?}");
        assert_eq!(err.to_string(), "The file is larger than 100 bytes.");
        let err =
            decode_untrusted(&png_claiming(100_000, 100_000), &ImageLimits { max_bytes: 10, ..LIMITS }).unwrap_err();
        assert!(matches!(err, ImageError::TooLarge { .. }), "{err:?}");
        // Exactly at the limit is allowed.
        let bytes = png(8, 8);
        let exact = ImageLimits { max_bytes: bytes.len() as u64, ..LIMITS };
        assert!(decode_untrusted(&bytes, &exact).is_ok());
    }

    #[test]
    fn sixteen_bit_and_grey_images_decode() {
        let grey16 =
            DynamicImage::ImageLuma16(image::ImageBuffer::from_fn(20, 10, |x, y| image::Luma([(x * y * 300) as u16])));
        let safe = decode_untrusted(&encoded(&grey16, image::ImageFormat::Png), &LIMITS).unwrap();
        assert_eq!(safe.image, grey16);
    }

    #[test]
    fn exif_orientation_is_applied() {
        // A 30×20 JPEG whose EXIF says "rotate 90° clockwise to display".
        let jpeg = encoded(
            &DynamicImage::ImageRgb8(RgbImage::from_pixel(30, 20, Rgb([200, 10, 10]))),
            image::ImageFormat::Jpeg,
        );
        let exif: &[u8] = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06\0\0\0\0\0\0";
        let mut rotated = jpeg[..2].to_vec();
        rotated.extend_from_slice(&[0xFF, 0xE1]);
        rotated.extend_from_slice(&u16::try_from(exif.len() + 2).unwrap().to_be_bytes());
        rotated.extend_from_slice(exif);
        rotated.extend_from_slice(&jpeg[2..]);
        let safe = decode_untrusted(&rotated, &LIMITS).unwrap();
        assert_eq!((safe.width, safe.height), (20, 30));

        // The rotated size is what is checked against the limits.
        let narrow = ImageLimits { max_width: 25, max_height: 40, ..LIMITS };
        assert!(decode_untrusted(&rotated, &narrow).is_ok());
        assert!(matches!(decode_untrusted(&jpeg, &narrow), Err(ImageError::DimensionsTooLarge { .. })));
    }

    #[test]
    fn never_panics_on_mangled_input() {
        let sources = [
            png(33, 17),
            encoded(
                &DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(sample(33, 17)).to_rgb8()),
                image::ImageFormat::Jpeg,
            ),
            encoded(&DynamicImage::ImageRgba8(sample(33, 17)), image::ImageFormat::WebP),
        ];
        // A cheap deterministic mangler: flip, zero and drop bytes at pseudo-random places.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for source in &sources {
            for _ in 0..300 {
                let mut bytes = source.clone();
                for _ in 0..1 + next() % 8 {
                    let at = (next() % bytes.len() as u64) as usize;
                    match next() % 3 {
                        0 => bytes[at] ^= 1 << (next() % 8),
                        1 => bytes[at] = 0xFF,
                        _ => bytes.truncate(at.max(12)),
                    }
                }
                let _ = decode_untrusted(&bytes, &LIMITS);
            }
        }
    }
}
