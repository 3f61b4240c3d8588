//! Time-based one-time passwords (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps, one step of skew
//! either way) and the recovery codes that stand in for a lost authenticator.
//!
//! Secrets are base32 strings (RFC 4648, upper case, no padding), the form authenticator apps take.
//! Unlike passwords they must be stored readable, since verifying a code needs the secret itself.

use std::collections::HashSet;

use qrcode::QrCode;
use qrcode::render::svg;
use totp_rs::{Algorithm, Builder, Secret, Totp};

use super::token::{random_bytes, random_code};

/// Digits in a code.
pub const DIGITS: usize = 6;
/// Seconds in a time step.
pub const STEP_SECONDS: u64 = 30;
/// Steps before and after the current one whose codes are still accepted (clock drift, slow typing).
pub const SKEW_STEPS: u16 = 1;
/// Recovery codes issued at a time.
pub const RECOVERY_CODE_COUNT: usize = 10;

// No 0/o, 1/l/i: a code copied from paper must not be ambiguous.
const RECOVERY_ALPHABET: &str = "23456789abcdefghjkmnpqrstuvwxyz";
const RECOVERY_HALF_LEN: usize = 4;

/// Building the QR code failed.
#[derive(Debug, thiserror::Error)]
pub enum TotpError {
    #[error("could not draw the QR code: {0}")]
    Qr(qrcode::types::QrError),
}

/// A new 160-bit secret, base32-encoded: 32 characters from `A`–`Z` and `2`–`7`.
///
/// # Panics
///
/// If the operating system's random number generator fails.
pub fn new_secret() -> String {
    Secret::from(random_bytes::<20>()).to_base32()
}

/// The `otpauth://totp/...` URL an authenticator app scans to add the account, as in
/// `otpauth://totp/Atelier:ada%40example.com?secret=...&issuer=Atelier&algorithm=SHA1&digits=6&period=30`.
///
/// The issuer and account are percent-encoded. The key URI format forbids colons in either (the label
/// joins them with one), so any colon is removed rather than producing a URL apps would misread.
pub fn otpauth_url(secret: &str, account_email: &str, issuer: &str) -> String {
    let issuer = percent_encode(&issuer.replace(':', ""));
    let account = percent_encode(&account_email.replace(':', ""));
    let secret = percent_encode(&normalize_secret(secret));
    format!(
        "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}\
         &period={STEP_SECONDS}"
    )
}

/// `otpauth_url` drawn as a QR code: an `<svg>` element (no XML prolog, so it can be inlined in HTML),
/// at least 200 px square, dark modules `#111827` on white with the standard quiet zone around them.
///
/// # Errors
///
/// [`TotpError::Qr`] when the text is too long for any QR code (about 2,300 bytes), which the
/// `otpauth_url` of a sane e-mail address never is.
pub fn qr_svg(otpauth_url: &str) -> Result<String, TotpError> {
    let code = QrCode::new(otpauth_url.as_bytes()).map_err(TotpError::Qr)?;
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .dark_color(svg::Color("#111827"))
        .light_color(svg::Color("#ffffff"))
        .build();
    let start = image.find("<svg").unwrap_or(0);
    Ok(image[start..].to_owned())
}

/// Checks a code the user typed against `secret` at `unix_time` (seconds), accepting the codes of the
/// current step and of one step either side. Spaces are ignored ("123 456" is fine); anything but six
/// ASCII digits is refused, as is a malformed secret.
///
/// Returns the matched time step (`unix_time / 30`, give or take one). RFC 6238 asks that a code be
/// accepted only once: store the last accepted step per user and refuse a step that is not greater.
#[must_use]
pub fn verify_code(secret: &str, code: &str, unix_time: u64) -> Option<u64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    totp(secret, DIGITS)?.check(&code, unix_time)
}

/// The code an authenticator shows for `secret` at `unix_time`, or `None` if the secret is malformed.
/// For tests and diagnostics: the server never needs to show a code.
pub fn current_code(secret: &str, unix_time: u64) -> Option<String> {
    Some(totp(secret, DIGITS)?.generate(unix_time).to_string())
}

/// Ten new recovery codes, such as `k7m2-9xq4`: eight characters from a 31-symbol alphabet without
/// look-alikes (about 40 bits each), shown with a dash in the middle. Store
/// `token::hash_token(&normalize_recovery_code(code))` for each and show the codes once.
///
/// # Panics
///
/// If the operating system's random number generator fails.
pub fn new_recovery_codes() -> Vec<String> {
    let mut seen = HashSet::with_capacity(RECOVERY_CODE_COUNT);
    let mut codes = Vec::with_capacity(RECOVERY_CODE_COUNT);
    while codes.len() < RECOVERY_CODE_COUNT {
        let code = random_code(2 * RECOVERY_HALF_LEN, RECOVERY_ALPHABET);
        if seen.insert(code.clone()) {
            codes.push(format!("{}-{}", &code[..RECOVERY_HALF_LEN], &code[RECOVERY_HALF_LEN..]));
        }
    }
    codes
}

/// The canonical form of a recovery code as typed: lower case, without spaces or dashes. Apply it
/// before hashing, both when storing a new code and when checking one.
pub fn normalize_recovery_code(input: &str) -> String {
    input.chars().filter(|c| !c.is_whitespace() && *c != '-').flat_map(char::to_lowercase).collect()
}

fn totp(secret: &str, digits: usize) -> Option<Totp> {
    let secret = Secret::try_from_base32(normalize_secret(secret)).ok()?;
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(u8::try_from(digits).ok()?)
        .with_step_duration(STEP_SECONDS)
        .with_skew(SKEW_STEPS)
        .with_secret(secret)
        .build()
        .ok()
}

// Authenticator apps and people write secrets in groups, in lower case or with padding.
fn normalize_secret(secret: &str) -> String {
    secret.chars().filter(|c| !c.is_whitespace() && *c != '=').map(|c| c.to_ascii_uppercase()).collect()
}

fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::token::hash_token;
    use super::*;

    // RFC 6238 appendix B: the ASCII secret "12345678901234567890".
    const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn the_rfc_6238_secret_is_its_ascii_key_in_base32() {
        assert_eq!(Secret::from(b"12345678901234567890".to_vec()).to_base32(), RFC_SECRET);
    }

    #[test]
    fn codes_match_the_rfc_6238_sha1_test_vectors() {
        let vectors = [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ];
        let eight_digits = totp(RFC_SECRET, 8).expect("the RFC secret is valid");
        for (time, expected) in vectors {
            assert_eq!(eight_digits.generate(time).to_string(), expected, "T = {time}");
            let six = &expected[2..];
            assert_eq!(current_code(RFC_SECRET, time).as_deref(), Some(six), "T = {time}");
            assert_eq!(verify_code(RFC_SECRET, six, time), Some(time / STEP_SECONDS), "T = {time}");
        }
    }

    #[test]
    fn a_code_one_step_away_is_accepted_and_two_steps_away_is_refused() {
        let secret = new_secret();
        let now = 1_700_000_000;
        let step = now / STEP_SECONDS;
        let code = current_code(&secret, now).expect("a new secret is valid");
        assert_eq!(verify_code(&secret, &code, now), Some(step));
        assert_eq!(verify_code(&secret, &code, now + STEP_SECONDS), Some(step));
        assert_eq!(verify_code(&secret, &code, now - STEP_SECONDS), Some(step));
        // A different code could collide one time in a million; these are fixed by the RFC secret.
        let rfc_code = current_code(RFC_SECRET, 59).expect("the RFC secret is valid");
        assert_eq!(verify_code(RFC_SECRET, &rfc_code, 59 + 2 * STEP_SECONDS), None);
        assert_eq!(verify_code(RFC_SECRET, &rfc_code, 59 + 3 * STEP_SECONDS), None);
        let later = current_code(RFC_SECRET, 1_111_111_109).expect("the RFC secret is valid");
        assert_eq!(verify_code(RFC_SECRET, &later, 1_111_111_109 - 2 * STEP_SECONDS), None);
        assert_eq!(verify_code(RFC_SECRET, &later, 1_111_111_109 + 2 * STEP_SECONDS), None);
    }

    #[test]
    fn the_matched_step_is_the_step_of_the_code_not_of_the_clock() {
        let code = current_code(RFC_SECRET, 1_111_111_109).expect("the RFC secret is valid");
        let step = 1_111_111_109 / STEP_SECONDS;
        assert_eq!(verify_code(RFC_SECRET, &code, 1_111_111_109 + STEP_SECONDS), Some(step));
    }

    #[test]
    fn spaces_in_a_code_are_ignored() {
        assert_eq!(verify_code(RFC_SECRET, "287 082", 59), Some(1));
        assert_eq!(verify_code(RFC_SECRET, " 287082 ", 59), Some(1));
    }

    #[test]
    fn malformed_codes_are_refused() {
        for code in ["", "28708", "2870822", "28708a", "+87082", "-87082", "287-082", "２８７０８２", "94287082"]
        {
            assert_eq!(verify_code(RFC_SECRET, code, 59), None, "{code:?}");
        }
    }

    #[test]
    fn a_malformed_or_short_secret_is_refused() {
        assert_eq!(verify_code("not base32!", "287082", 59), None);
        assert_eq!(verify_code("", "287082", 59), None);
        // Ten bytes: below the RFC's 128-bit minimum.
        assert_eq!(verify_code("GEZDGNBVGY3TQOJQ", "287082", 59), None);
        assert_eq!(current_code("not base32!", 59), None);
    }

    #[test]
    fn secrets_are_accepted_in_lower_case_groups_and_with_padding() {
        assert_eq!(verify_code("gezd gnbv gy3t qojq gezd gnbv gy3t qojq", "287082", 59), Some(1));
        assert_eq!(verify_code("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ====", "287082", 59), Some(1));
    }

    #[test]
    fn a_new_secret_is_160_bits_of_base32() {
        let secret = new_secret();
        assert_eq!(secret.len(), 32);
        assert!(secret.bytes().all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)));
        assert_eq!(Secret::try_from_base32(&secret).expect("valid base32").as_ref().len(), 20);
        assert_ne!(secret, new_secret());
    }

    #[test]
    fn the_otpauth_url_names_the_issuer_account_and_secret() {
        let url = otpauth_url(RFC_SECRET, "ada+test@example.com", "Atelier Studio");
        assert_eq!(
            url,
            "otpauth://totp/Atelier%20Studio:ada%2Btest%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\
             &issuer=Atelier%20Studio&algorithm=SHA1&digits=6&period=30"
        );
    }

    #[test]
    fn colons_are_removed_from_the_label() {
        let url = otpauth_url(RFC_SECRET, "a:b@example.com", "At:elier");
        assert!(url.starts_with("otpauth://totp/Atelier:ab%40example.com?"), "{url}");
    }

    #[test]
    fn the_otpauth_url_round_trips_through_an_authenticator_parser() {
        let url = otpauth_url(RFC_SECRET, "ada@example.com", "Atelier");
        let query = url.split_once('?').expect("a query").1;
        let secret = query.split('&').find_map(|pair| pair.strip_prefix("secret=")).expect("a secret");
        assert_eq!(secret, RFC_SECRET);
    }

    #[test]
    fn the_qr_code_is_an_svg_of_at_least_200_pixels() {
        let svg = qr_svg(&otpauth_url(&new_secret(), "ada@example.com", "Atelier")).expect("fits in a QR code");
        assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
        assert!(svg.ends_with("</svg>"));
        assert!(svg.contains(r##"fill="#111827""##) && svg.contains(r##"fill="#ffffff""##));
        let width: u32 = svg
            .split_once(r#"width=""#)
            .and_then(|(_, rest)| rest.split_once('"'))
            .and_then(|(width, _)| width.parse().ok())
            .expect("a width");
        assert!(width >= 200, "{width}");
    }

    #[test]
    fn text_too_long_for_a_qr_code_is_an_error() {
        assert!(qr_svg(&"x".repeat(5000)).is_err());
    }

    #[test]
    fn recovery_codes_are_ten_unique_well_formed_codes() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODE_COUNT);
        assert_eq!(codes.iter().collect::<HashSet<_>>().len(), RECOVERY_CODE_COUNT);
        for code in &codes {
            let (left, right) = code.split_once('-').expect("a dash");
            assert_eq!((left.len(), right.len()), (4, 4), "{code}");
            assert!(left.chars().chain(right.chars()).all(|c| RECOVERY_ALPHABET.contains(c)), "{code}");
        }
        assert!(!RECOVERY_ALPHABET.contains(['0', 'o', '1', 'l', 'i']));
    }

    #[test]
    fn recovery_codes_normalize_to_what_was_issued() {
        assert_eq!(normalize_recovery_code("k7m2-9xq4"), "k7m29xq4");
        assert_eq!(normalize_recovery_code(" K7M2 9XQ4 "), "k7m29xq4");
        assert_eq!(normalize_recovery_code("k7m2 - 9xq4"), "k7m29xq4");
        let code = &new_recovery_codes()[0];
        assert_eq!(
            hash_token(&normalize_recovery_code(&code.to_uppercase())),
            hash_token(&normalize_recovery_code(code))
        );
    }
}
