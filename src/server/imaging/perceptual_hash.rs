//! A 64-bit perceptual hash: pictures that look alike have hashes a few bits apart, whatever their
//! size or encoding, so near-duplicates can be found by Hamming distance.

use image::DynamicImage;
use image_hasher::{HashAlg, HasherConfig};

/// The gradient hash (`image_hasher`, 8×8, 64 bits) as 16 lowercase hex characters. The image is
/// reduced to 9×8 grey pixels first, so hashing a thumbnail gives (nearly) the hash of the full image
/// at a fraction of the cost.
pub fn perceptual_hash(image: &DynamicImage) -> String {
    let hasher = HasherConfig::new().hash_alg(HashAlg::Gradient).hash_size(8, 8).to_hasher();
    hex::encode(hasher.hash_image(image).as_bytes())
}

/// How many bits differ between two hashes from [`perceptual_hash`]: 0 for the same picture, up to
/// about 4 for the same picture resized or re-encoded, 10 or more for different pictures. `None` when
/// either is not hex or their lengths differ.
pub fn hamming_distance(a: &str, b: &str) -> Option<u32> {
    if a.len() != b.len() {
        return None;
    }
    let (a, b) = (hex::decode(a).ok()?, hex::decode(b).ok()?);
    Some(a.iter().zip(&b).map(|(x, y)| (x ^ y).count_ones()).sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_differing_bits() {
        assert_eq!(hamming_distance("0000000000000000", "0000000000000000"), Some(0));
        assert_eq!(hamming_distance("00000000000000ff", "0000000000000000"), Some(8));
        assert_eq!(hamming_distance("ffffffffffffffff", "0000000000000000"), Some(64));
        assert_eq!(hamming_distance("F0", "0f"), Some(8), "either case");
    }

    #[test]
    fn distance_of_malformed_hashes_is_none() {
        assert_eq!(hamming_distance("00", "0000"), None);
        assert_eq!(hamming_distance("zz", "00"), None);
        assert_eq!(hamming_distance("0", "1"), None, "odd length");
    }

    #[test]
    fn hash_is_sixteen_hex_characters() {
        let image = DynamicImage::ImageRgb8(image::RgbImage::from_fn(40, 30, |x, y| {
            image::Rgb([(x * 6) as u8, (y * 8) as u8, 0])
        }));
        let hash = perceptual_hash(&image);
        assert_eq!(hash.len(), 16);
        assert!(hash.bytes().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()), "{hash}");
    }
}
