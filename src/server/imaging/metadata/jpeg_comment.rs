//! JPEG comment segments (`COM`): written and read by walking the segments before the first scan,
//! leaving every other segment and all the compressed data as they are.

/// The most a segment can carry: its 16-bit length counts itself.
pub(super) const MAX_COMMENT_LEN: usize = u16::MAX as usize - 2;

const START_OF_IMAGE: [u8; 2] = [0xFF, 0xD8];
const START_OF_SCAN: u8 = 0xDA;
const END_OF_IMAGE: u8 = 0xD9;
const COMMENT: u8 = 0xFE;
const APPLICATION: std::ops::RangeInclusive<u8> = 0xE0..=0xEF;

struct Segment<'a> {
    marker: u8,
    payload: &'a [u8],
    /// Marker, length and payload: the segment as it appears in the file.
    whole: &'a [u8],
}

/// The segments between the start of the image and the first scan, and the file from that scan on.
fn header(jpeg: &[u8]) -> Result<(Vec<Segment<'_>>, &[u8]), String> {
    if !jpeg.starts_with(&START_OF_IMAGE) {
        return Err("not a JPEG file".to_owned());
    }
    let mut segments = Vec::new();
    let mut at = START_OF_IMAGE.len();
    loop {
        if jpeg.get(at) != Some(&0xFF) {
            return Err(format!("the JPEG file has no segment marker at byte {at}"));
        }
        // Any number of 0xFF fill bytes may precede a marker.
        while jpeg.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        let Some(&marker) = jpeg.get(at + 1) else {
            return Err("the JPEG file ends before its image data".to_owned());
        };
        let payload_len = match marker {
            START_OF_SCAN | END_OF_IMAGE => return Ok((segments, &jpeg[at..])),
            // Markers that stand alone, without a length.
            0x01 | 0xD0..=0xD7 => None,
            _ => {
                let Some(&[high, low]) = jpeg.get(at + 2..at + 4) else {
                    return Err("the JPEG file ends inside a segment header".to_owned());
                };
                let len = usize::from(u16::from_be_bytes([high, low]));
                Some(len.checked_sub(2).ok_or_else(|| format!("the JPEG segment at byte {at} has length {len}"))?)
            }
        };
        let (payload_start, end) = match payload_len {
            None => (at + 2, at + 2),
            Some(len) => (at + 4, at + 4 + len),
        };
        if end > jpeg.len() {
            return Err(format!("the JPEG segment at byte {at} runs past the end of the file"));
        }
        segments.push(Segment { marker, payload: &jpeg[payload_start..end], whole: &jpeg[at..end] });
        at = end;
    }
}

/// `jpeg` without its comments starting with `prefix`, and with `comment` (at most
/// [`MAX_COMMENT_LEN`] bytes), if given, after the `APPn` segments that open the file.
pub(super) fn with_comment(jpeg: &[u8], prefix: &[u8], comment: Option<&[u8]>) -> Result<Vec<u8>, String> {
    let (segments, from_scan) = header(jpeg)?;
    // The decoder paints missing scan data grey rather than failing, so a download cut short would
    // otherwise be kept as a half-grey picture. The compressed data cannot contain FF D9 (a literal FF
    // is written FF 00), so its presence means the file reached its end marker. Searched from the end,
    // where it is.
    if !from_scan.windows(2).rev().any(|pair| pair == [0xFF, END_OF_IMAGE]) {
        return Err("the JPEG file has no end-of-image marker: it is probably truncated".to_owned());
    }
    let kept: Vec<&Segment> =
        segments.iter().filter(|segment| !(segment.marker == COMMENT && segment.payload.starts_with(prefix))).collect();
    let opening_apps = kept.iter().take_while(|segment| APPLICATION.contains(&segment.marker)).count();

    let mut out = Vec::with_capacity(jpeg.len() + comment.map_or(0, |comment| comment.len() + 4));
    out.extend_from_slice(&START_OF_IMAGE);
    for segment in &kept[..opening_apps] {
        out.extend_from_slice(segment.whole);
    }
    if let Some(comment) = comment {
        let len = u16::try_from(comment.len() + 2)
            .map_err(|_| format!("a JPEG comment holds at most {MAX_COMMENT_LEN} bytes, not {}", comment.len()))?;
        out.extend_from_slice(&[0xFF, COMMENT]);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(comment);
    }
    for segment in &kept[opening_apps..] {
        out.extend_from_slice(segment.whole);
    }
    out.extend_from_slice(from_scan);
    Ok(out)
}

/// The whole text (prefix included) of the first comment before the first scan that starts with `prefix`.
pub(super) fn read_comment<'a>(jpeg: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    let (segments, _) = header(jpeg).ok()?;
    segments
        .into_iter()
        .find(|segment| segment.marker == COMMENT && segment.payload.starts_with(prefix))
        .map(|s| s.payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
        let mut bytes = vec![0xFF, marker];
        bytes.extend_from_slice(&(payload.len() as u16 + 2).to_be_bytes());
        bytes.extend_from_slice(payload);
        bytes
    }

    /// Not a picture: only the segment structure this module walks, then a pretend scan.
    fn skeleton() -> Vec<u8> {
        [
            START_OF_IMAGE.to_vec(),
            segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"),
            segment(0xE1, b"Exif\0\0"),
            segment(0xDB, &[0; 65]),
            segment(START_OF_SCAN, &[1, 1, 0, 0, 63, 0]),
            vec![0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD9],
        ]
        .concat()
    }

    fn markers(jpeg: &[u8]) -> Vec<u8> {
        header(jpeg).unwrap().0.iter().map(|segment| segment.marker).collect()
    }

    #[test]
    fn the_comment_follows_the_opening_app_segments_and_the_scan_is_untouched() {
        let original = skeleton();
        let out = with_comment(&original, b"k ", Some(b"k {}")).unwrap();
        assert_eq!(markers(&out), [0xE0, 0xE1, COMMENT, 0xDB]);
        assert_eq!(read_comment(&out, b"k "), Some(&b"k {}"[..]));
        let scan_at = original.len() - 16;
        assert!(out.ends_with(&original[scan_at..]));
        assert_eq!(out.len(), original.len() + 8);
    }

    #[test]
    fn writing_again_replaces_our_comment_and_keeps_others() {
        let mut original = skeleton();
        let other = segment(COMMENT, b"made with a camera");
        original.splice(2..2, other.iter().copied());
        let once = with_comment(&original, b"k ", Some(b"k first")).unwrap();
        let twice = with_comment(&once, b"k ", Some(b"k second")).unwrap();
        assert_eq!(markers(&twice), [COMMENT, COMMENT, 0xE0, 0xE1, 0xDB]);
        assert_eq!(read_comment(&twice, b"k "), Some(&b"k second"[..]));
        assert_eq!(read_comment(&twice, b"made"), Some(&b"made with a camera"[..]));
        let removed = with_comment(&twice, b"k ", None).unwrap();
        assert_eq!(read_comment(&removed, b"k "), None);
        assert_eq!(markers(&removed), [COMMENT, 0xE0, 0xE1, 0xDB]);
    }

    #[test]
    fn a_comment_longer_than_a_segment_is_refused() {
        let long = vec![b'x'; MAX_COMMENT_LEN + 1];
        assert!(with_comment(&skeleton(), b"k", Some(&long)).unwrap_err().contains("at most 65533 bytes"));
        let longest = vec![b'x'; MAX_COMMENT_LEN];
        let out = with_comment(&skeleton(), b"x", Some(&longest)).unwrap();
        assert_eq!(read_comment(&out, b"x").map(<[u8]>::len), Some(MAX_COMMENT_LEN));
    }

    #[test]
    fn broken_segment_lists_are_refused_not_walked_past() {
        let whole = skeleton();
        for broken in [&whole[..3], &whole[..5], &whole[..30], &[0xFF, 0xD8, 0x00][..], b"\xFF\xD8\xFF\xC0\x00\x01"] {
            assert!(with_comment(broken, b"k", Some(b"k")).is_err(), "{broken:?}");
            assert_eq!(read_comment(broken, b"k"), None);
        }
        assert!(with_comment(b"\x89PNG", b"k", None).is_err());
    }

    #[test]
    fn a_file_cut_short_inside_its_image_data_is_refused() {
        let whole = skeleton();
        let err = with_comment(&whole[..whole.len() - 2], b"k", None).unwrap_err();
        assert!(err.contains("probably truncated"), "{err}");
        // Data after the end marker (some cameras append previews) is no reason to refuse.
        let padded = [whole.as_slice(), &[0; 16]].concat();
        assert_eq!(with_comment(&padded, b"k", None).unwrap(), padded);
    }
}
