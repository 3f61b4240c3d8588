use std::fmt;

/// A validated storage key: `/`-separated segments of ASCII letters, digits, `-`, `_` and `.`, none of
/// them empty, `.` or `..`, and none starting with a dot. Such a key is a safe relative path on every
/// store, so nothing a user sends can escape the store's root.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlobKey(String);

/// Why a string is not a usable key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid storage key: {0}")]
pub struct InvalidKey(pub &'static str);

const MAX_KEY_LEN: usize = 512;

impl BlobKey {
    pub fn parse(raw: &str) -> Result<Self, InvalidKey> {
        if raw.is_empty() {
            return Err(InvalidKey("empty"));
        }
        if raw.len() > MAX_KEY_LEN {
            return Err(InvalidKey("longer than 512 bytes"));
        }
        for segment in raw.split('/') {
            if segment.is_empty() {
                return Err(InvalidKey("empty segment"));
            }
            if segment.starts_with('.') {
                return Err(InvalidKey("segment starts with a dot"));
            }
            if !segment.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')) {
                return Err(InvalidKey("only letters, digits, '-', '_' and '.' are allowed"));
            }
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this key lies under `prefix` (a whole-segment match: `a/b` is under `a`, `ab/c` is not).
    pub fn is_under(&self, prefix: &BlobKey) -> bool {
        self.0.len() > prefix.0.len() && self.0.starts_with(&prefix.0) && self.0.as_bytes()[prefix.0.len()] == b'/'
    }
}

impl fmt::Display for BlobKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_keys_are_accepted() {
        for key in ["images/0192/abc.png", "avatars/u1/thumb_256.webp", "a"] {
            assert_eq!(BlobKey::parse(key).unwrap().as_str(), key);
        }
    }

    #[test]
    fn traversal_and_odd_characters_are_refused() {
        for key in [
            "",
            "../etc/passwd",
            "a/../../b",
            "/abs",
            "a//b",
            "a/",
            ".hidden",
            "a/.b",
            "a\\b",
            "a b",
            "a/%2e%2e",
            "ü",
            "a\0b",
        ] {
            assert!(BlobKey::parse(key).is_err(), "{key:?} should be refused");
        }
        assert!(BlobKey::parse(&"a".repeat(513)).is_err());
    }

    #[test]
    fn prefixes_match_whole_segments() {
        let key = BlobKey::parse("users/ab/c.png").unwrap();
        assert!(key.is_under(&BlobKey::parse("users").unwrap()));
        assert!(key.is_under(&BlobKey::parse("users/ab").unwrap()));
        assert!(!key.is_under(&BlobKey::parse("users/a").unwrap()));
        assert!(!key.is_under(&key));
    }
}
