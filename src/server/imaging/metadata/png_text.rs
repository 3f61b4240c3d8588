//! PNG `iTXt` chunks: written and read by walking the chunk list, leaving every other chunk as it is.

const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
const INTERNATIONAL_TEXT: [u8; 4] = *b"iTXt";
const END: [u8; 4] = *b"IEND";
/// The PNG specification's limit for a chunk's data.
const MAX_CHUNK_LEN: usize = (1 << 31) - 1;

struct Chunk<'a> {
    kind: [u8; 4],
    data: &'a [u8],
    /// Length, type, data and CRC: the chunk as it appears in the file.
    whole: &'a [u8],
}

impl Chunk<'_> {
    fn crc_matches(&self) -> bool {
        let (covered, stored) = self.whole[4..].split_at(self.whole.len() - 8);
        crc32fast::hash(covered).to_be_bytes() == stored
    }

    /// An `iTXt` chunk whose keyword is `keyword`.
    fn is_text_for(&self, keyword: &str) -> bool {
        self.kind == INTERNATIONAL_TEXT
            && self.data.strip_prefix(keyword.as_bytes()).is_some_and(|rest| rest.first() == Some(&0))
    }
}

/// The chunks up to and including `IEND`; whatever follows `IEND` is not part of the image.
fn chunks(png: &[u8]) -> Result<Vec<Chunk<'_>>, String> {
    let mut rest = png.strip_prefix(SIGNATURE).ok_or("not a PNG file")?;
    let mut chunks = Vec::new();
    loop {
        let Some((header, after_header)) = rest.split_first_chunk::<8>() else {
            return Err("the PNG file ends before its IEND chunk".to_owned());
        };
        let len = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let kind = [header[4], header[5], header[6], header[7]];
        if len > MAX_CHUNK_LEN || after_header.len() < len + 4 {
            return Err(format!("the PNG chunk {} runs past the end of the file", String::from_utf8_lossy(&kind)));
        }
        let (whole, after) = rest.split_at(8 + len + 4);
        chunks.push(Chunk { kind, data: &whole[8..8 + len], whole });
        if kind == END {
            return Ok(chunks);
        }
        rest = after;
    }
}

/// `png` with one `iTXt` chunk `keyword` holding `text` (uncompressed, no language tag), just before
/// `IEND`. Earlier `iTXt` chunks with the same keyword are dropped, as are any bytes after `IEND`.
pub(super) fn with_text(png: &[u8], keyword: &str, text: &str) -> Result<Vec<u8>, String> {
    let chunks = chunks(png)?;
    // Keyword, null separator, compression flag and method, empty language tag and translated keyword.
    let mut data = Vec::with_capacity(keyword.len() + 5 + text.len());
    data.extend_from_slice(keyword.as_bytes());
    data.extend_from_slice(&[0, 0, 0, 0, 0]);
    data.extend_from_slice(text.as_bytes());
    if data.len() > MAX_CHUNK_LEN {
        return Err("the text is too long for a PNG chunk".to_owned());
    }

    let mut out = Vec::with_capacity(png.len() + data.len() + 12);
    out.extend_from_slice(SIGNATURE);
    for chunk in chunks.iter().filter(|chunk| !chunk.is_text_for(keyword)) {
        if chunk.kind == END {
            let crc_start = out.len() + 4;
            out.extend_from_slice(&(data.len() as u32).to_be_bytes());
            out.extend_from_slice(&INTERNATIONAL_TEXT);
            out.extend_from_slice(&data);
            let crc = crc32fast::hash(&out[crc_start..]);
            out.extend_from_slice(&crc.to_be_bytes());
        }
        out.extend_from_slice(chunk.whole);
    }
    Ok(out)
}

/// The text of the first intact, uncompressed `iTXt` chunk `keyword`.
pub(super) fn read_text<'a>(png: &'a [u8], keyword: &str) -> Option<&'a str> {
    let chunk = chunks(png).ok()?.into_iter().find(|chunk| chunk.is_text_for(keyword) && chunk.crc_matches())?;
    let after_keyword = &chunk.data[keyword.len() + 1..];
    let (&[compressed, _method], after_flags) = after_keyword.split_first_chunk::<2>()?;
    if compressed != 0 {
        return None;
    }
    let mut fields = after_flags.splitn(3, |&byte| byte == 0);
    let (_language, _translated_keyword, text) = (fields.next()?, fields.next()?, fields.next()?);
    std::str::from_utf8(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal valid chunk list: the signature, a 1×1 IHDR and IEND (no pixel data, which is all this
    /// module looks at).
    fn skeleton() -> Vec<u8> {
        let mut png = SIGNATURE.to_vec();
        for (kind, data) in [(*b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0][..]), (END, &[][..])] {
            png.extend_from_slice(&(data.len() as u32).to_be_bytes());
            png.extend_from_slice(&kind);
            png.extend_from_slice(data);
            let crc = crc32fast::hash(&png[png.len() - data.len() - 4..]);
            png.extend_from_slice(&crc.to_be_bytes());
        }
        png
    }

    #[test]
    fn text_goes_just_before_iend_with_a_correct_crc() {
        let png = with_text(&skeleton(), "atelier:generation", "{\"a\":\"é\"}").unwrap();
        let chunks = chunks(&png).unwrap();
        let kinds: Vec<_> = chunks.iter().map(|chunk| chunk.kind).collect();
        assert_eq!(kinds, [*b"IHDR", INTERNATIONAL_TEXT, END]);
        assert!(chunks.iter().all(Chunk::crc_matches));
        assert_eq!(read_text(&png, "atelier:generation"), Some("{\"a\":\"é\"}"));
        assert_eq!(read_text(&png, "atelier"), None, "a keyword is matched whole, not by prefix");
    }

    #[test]
    fn a_chunk_with_a_wrong_crc_is_not_read() {
        let mut png = with_text(&skeleton(), "k", "text").unwrap();
        let text_at = png.windows(4).position(|w| w == b"text").unwrap();
        png[text_at] = b'T';
        assert_eq!(read_text(&png, "k"), None);
    }

    #[test]
    fn broken_chunk_lists_are_refused_not_walked_past() {
        let whole = skeleton();
        assert!(with_text(&whole[..whole.len() - 12], "k", "v").unwrap_err().contains("ends before its IEND"));
        assert!(with_text(&whole[..whole.len() - 3], "k", "v").unwrap_err().contains("runs past the end"));
        let mut huge = whole.clone();
        huge[8..12].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(with_text(&huge, "k", "v").is_err());
        assert!(with_text(b"GIF89a", "k", "v").is_err());
        assert_eq!(read_text(&whole[..20], "k"), None);
    }

    #[test]
    fn bytes_after_iend_are_dropped() {
        let mut png = skeleton();
        png.extend_from_slice(b"<?php echo 1; ?>");
        let out = with_text(&png, "k", "v").unwrap();
        assert!(out.ends_with(b"IEND\xaeB`\x82"), "{:?}", &out[out.len() - 8..]);
    }
}
