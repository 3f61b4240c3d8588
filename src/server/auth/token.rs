//! Random secret tokens (sessions, e-mail links, recovery codes) and the hashes we store for them.
//!
//! A token is shown to its owner once and only its SHA-256 hash is stored, so a leaked table cannot be
//! replayed. The tokens carry 256 bits of entropy, which is why a fast hash is enough here (passwords
//! need argon2 because people choose them).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Number of random bytes in a [`SecretToken`].
pub const TOKEN_BYTES: usize = 32;

/// A freshly generated secret token: the plain value for its owner and the hash to store.
///
/// `Debug` is deliberately not derived, so the plain value cannot end up in a log by accident.
pub struct SecretToken {
    plain: String,
    hash: String,
}

impl SecretToken {
    /// Draws 32 bytes from the operating system's random number generator.
    ///
    /// # Panics
    ///
    /// If the operating system's random number generator fails (see [`random_bytes`]).
    pub fn generate() -> Self {
        let plain = URL_SAFE_NO_PAD.encode(random_bytes::<TOKEN_BYTES>());
        let hash = hash_token(&plain);
        Self { plain, hash }
    }

    /// The token to hand to its owner (in a cookie, a link or on screen): 43 base64url characters,
    /// without padding. Never store it.
    pub fn plain(&self) -> &str {
        &self.plain
    }

    /// The value to store: 64 lowercase hex characters, equal to `hash_token(self.plain())`.
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// Splits the token into `(plain, hash)`.
    pub fn into_parts(self) -> (String, String) {
        (self.plain, self.hash)
    }
}

/// The lowercase hex SHA-256 of `plain`'s UTF-8 bytes: hash a presented token with this, then look the
/// hash up. The lookup itself need not be constant-time, since the stored value is a hash.
pub fn hash_token(plain: &str) -> String {
    hex(&Sha256::digest(plain.as_bytes()))
}

/// Compares two strings in time that depends only on their lengths, not on where they differ.
#[must_use]
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// A string of `len` characters drawn uniformly and independently from `alphabet`.
///
/// # Panics
///
/// If `alphabet` is empty or has more than 256 characters (a programming error, as alphabets are
/// constants), or if the operating system's random number generator fails.
pub fn random_code(len: usize, alphabet: &str) -> String {
    let symbols: Vec<char> = alphabet.chars().collect();
    assert!(!symbols.is_empty() && symbols.len() <= 256, "an alphabet needs 1 to 256 characters");
    // Bytes at or above the largest multiple of the alphabet's size are redrawn, so that every
    // symbol is equally likely (a plain `byte % n` would favour the first symbols).
    let limit = 256 - 256 % symbols.len();
    let mut code = String::with_capacity(len);
    let mut drawn = 0;
    while drawn < len {
        for byte in random_bytes::<32>() {
            if usize::from(byte) < limit && drawn < len {
                code.push(symbols[usize::from(byte) % symbols.len()]);
                drawn += 1;
            }
        }
    }
    code
}

/// `N` bytes from the operating system's random number generator.
///
/// # Panics
///
/// If the generator fails. On the platforms we run on this means the kernel cannot provide
/// randomness at all, and no secret made without it would be safe to hand out.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the operating system's random number generator failed");
    bytes
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn a_token_is_43_base64url_characters() {
        let token = SecretToken::generate();
        assert_eq!(token.plain().len(), 43);
        assert!(token.plain().bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    }

    #[test]
    fn tokens_are_unique_over_a_thousand_draws() {
        let plains: HashSet<String> = (0..1000).map(|_| SecretToken::generate().into_parts().0).collect();
        assert_eq!(plains.len(), 1000);
    }

    #[test]
    fn the_stored_hash_is_64_lowercase_hex_characters_of_the_plain_token() {
        let (plain, hash) = SecretToken::generate().into_parts();
        assert_eq!(hash.len(), 64);
        assert!(hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        assert_eq!(hash, hash_token(&plain));
    }

    #[test]
    fn hash_token_is_the_sha256_of_the_string() {
        assert_eq!(hash_token("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(hash_token(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    #[test]
    fn constant_time_eq_compares_whole_strings() {
        assert!(constant_time_eq("", ""));
        assert!(constant_time_eq("same value", "same value"));
        assert!(!constant_time_eq("same value", "same valuf"));
        assert!(!constant_time_eq("short", "shorter"));
        assert!(!constant_time_eq("abc", ""));
    }

    #[test]
    fn random_code_has_the_requested_length_and_uses_only_the_alphabet() {
        let code = random_code(50, "xyz");
        assert_eq!(code.chars().count(), 50);
        assert!(code.chars().all(|c| "xyz".contains(c)));
        assert_eq!(random_code(0, "xyz"), "");
        assert_eq!(random_code(3, "é"), "ééé");
    }

    #[test]
    fn random_code_uses_every_symbol_of_a_31_symbol_alphabet() {
        const ALPHABET: &str = "23456789abcdefghjkmnpqrstuvwxyz";
        let seen: HashSet<char> = random_code(2000, ALPHABET).chars().collect();
        assert_eq!(seen.len(), ALPHABET.len());
    }
}
