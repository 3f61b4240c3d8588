//! Password hashing with argon2id, and the policy a new password must meet.
//!
//! Hashes are PHC strings (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`) that carry their own
//! parameters, so raising the cost later still verifies the hashes already stored.

use std::collections::HashSet;
use std::sync::LazyLock;

use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, PasswordHash, Version};

/// Argon2id memory cost in KiB (19 MiB), the OWASP recommendation for t = 2, p = 1.
pub const MEMORY_KIB: u32 = 19_456;
/// Argon2id passes over memory.
pub const ITERATIONS: u32 = 2;
/// Argon2id lanes.
pub const PARALLELISM: u32 = 1;

/// Fewest characters (Unicode scalar values, not bytes) a new password may have.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Most characters a new password may have.
pub const MAX_PASSWORD_CHARS: usize = 128;

// Bounds on the cost a stored hash may ask for: a corrupted or tampered row must not make a single
// login allocate gigabytes or run for minutes. They sit far above the parameters we hash with.
const MAX_VERIFY_MEMORY_KIB: u32 = 256 * 1024;
const MAX_VERIFY_ITERATIONS: u32 = 16;
const MAX_VERIFY_PARALLELISM: u32 = 8;

// An argon2id hash with our parameters, of a random password that was thrown away. `verify_against_dummy`
// checks against it so that a login for an unknown e-mail does the same work as one for a known e-mail.
const DUMMY_PHC: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$L9sH84P+/TS2K38KVzviqQ$emHsLHMRcLZCT4OI8F2aI96liabcQOz5DLVlS2sT9uw";

static HASHER: LazyLock<Argon2<'static>> = LazyLock::new(|| {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None).expect("constant argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
});

static COMMON_PASSWORDS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    include_str!("common-passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_lowercase)
        .collect()
});

/// Hashing a password failed; nothing the user can fix.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("could not hash the password: {0}")]
    Hash(argon2::password_hash::Error),
}

/// Why a new password was refused. `Display` is a message to show the person choosing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordPolicyError {
    #[error("Use at least {MIN_PASSWORD_CHARS} characters.")]
    TooShort,
    #[error("Use at most {MAX_PASSWORD_CHARS} characters.")]
    TooLong,
    #[error("This password is too common: choose one that is harder to guess.")]
    TooCommon,
}

/// Hashes `password` with argon2id (m = 19456 KiB, t = 2, p = 1) and a fresh random salt, returning
/// the PHC string to store. Takes tens of milliseconds of CPU in a release build: call it from
/// `tokio::task::spawn_blocking`, not on an async worker.
///
/// This does not apply the policy: call [`check_password_policy`] first for a new password.
///
/// # Errors
///
/// [`PasswordError::Hash`] if the salt cannot be drawn from the operating system or argon2 fails;
/// neither depends on the password.
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    HASHER.hash_password(password.as_bytes()).map(|hash| hash.to_string()).map_err(PasswordError::Hash)
}

/// Whether `password` matches the stored PHC string `phc`. False when it does not match, when `phc`
/// is not a well-formed hash, and when its parameters are beyond what we would ever have stored.
/// Costs as much as [`hash_password`] for a well-formed hash: run it off the async workers too.
#[must_use]
pub fn verify_password(password: &str, phc: &str) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    let Ok(params) = Params::try_from(&hash) else {
        return false;
    };
    if params.m_cost() > MAX_VERIFY_MEMORY_KIB
        || params.t_cost() > MAX_VERIFY_ITERATIONS
        || params.p_cost() > MAX_VERIFY_PARALLELISM
    {
        return false;
    }
    HASHER.verify_password(password.as_bytes(), &hash).is_ok()
}

/// Verifies `password` against a fixed hash that no password of ours matches, and throws the answer
/// away. Call it when a login names an unknown e-mail, in place of [`verify_password`], so that
/// answering "wrong e-mail or password" takes as long either way and does not reveal which
/// addresses have accounts.
pub fn verify_against_dummy(password: &str) {
    std::hint::black_box(verify_password(password, DUMMY_PHC));
}

/// Checks a new password: 8 to 128 characters (Unicode scalar values, not bytes: "é" is one),
/// and not one of the ~49,000 most common passwords, compared case-insensitively. Apply it when a
/// password is chosen or changed, never at login, so that older passwords keep working.
///
/// # Errors
///
/// The first rule the password breaks, in the order above.
pub fn check_password_policy(password: &str) -> Result<(), PasswordPolicyError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(PasswordPolicyError::TooShort);
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(PasswordPolicyError::TooLong);
    }
    if COMMON_PASSWORDS.contains(&password.to_lowercase()) {
        return Err(PasswordPolicyError::TooCommon);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    // Argon2 is slow in debug builds, so the tests share one hash.
    const PASSWORD: &str = "correct horse battery staple";
    static HASH: LazyLock<String> = LazyLock::new(|| hash_password(PASSWORD).expect("hashing works"));

    #[test]
    fn a_hashed_password_verifies() {
        assert!(verify_password(PASSWORD, &HASH));
    }

    #[test]
    fn a_wrong_password_does_not_verify() {
        assert!(!verify_password("correct horse battery stapler", &HASH));
    }

    #[test]
    fn a_malformed_hash_does_not_verify() {
        assert!(!verify_password(PASSWORD, ""));
        assert!(!verify_password(PASSWORD, "not a hash"));
        assert!(!verify_password(PASSWORD, "$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(!verify_password(PASSWORD, &HASH[..HASH.len() - 4]));
        assert!(!verify_password(PASSWORD, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$bm90IGEgcmVhbCBoYXNo"));
    }

    #[test]
    fn a_hash_asking_for_absurd_cost_is_refused_without_running_it() {
        let greedy = HASH.replacen("m=19456", "m=4000000000", 1);
        assert!(!verify_password(PASSWORD, &greedy));
    }

    #[test]
    fn the_phc_string_names_argon2id_with_our_parameters() {
        assert!(HASH.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{}", *HASH);
        let other = hash_password(PASSWORD).expect("hashing works");
        assert_ne!(*HASH, other, "each hash has its own salt");
    }

    #[test]
    fn the_dummy_hash_is_a_valid_argon2id_hash_with_our_parameters() {
        assert!(DUMMY_PHC.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        let hash = PasswordHash::new(DUMMY_PHC).expect("the dummy hash parses");
        assert!(hash.salt.is_some() && hash.hash.is_some());
        verify_against_dummy(PASSWORD);
    }

    #[test]
    fn the_policy_counts_characters_from_8_to_128() {
        assert_eq!(check_password_policy(&"x".repeat(7)), Err(PasswordPolicyError::TooShort));
        assert_eq!(check_password_policy(&"x".repeat(8)), Ok(()));
        assert_eq!(check_password_policy(&"x".repeat(128)), Ok(()));
        assert_eq!(check_password_policy(&"x".repeat(129)), Err(PasswordPolicyError::TooLong));
        assert_eq!(check_password_policy(""), Err(PasswordPolicyError::TooShort));
    }

    #[test]
    fn the_policy_counts_multibyte_characters_as_one_each() {
        // Seven two-byte characters are 14 bytes but still too short.
        assert_eq!(check_password_policy(&"é".repeat(7)), Err(PasswordPolicyError::TooShort));
        assert_eq!(check_password_policy(&"é".repeat(8)), Ok(()));
        // 128 four-byte characters are 512 bytes but still allowed.
        assert_eq!(check_password_policy(&"🔑".repeat(128)), Ok(()));
        assert_eq!(check_password_policy(&"🔑".repeat(129)), Err(PasswordPolicyError::TooLong));
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case() {
        for common in ["password123", "Password123", "PASSWORD1", "Qwerty123", "iloveyou", "Sunshine", "12345678"] {
            assert_eq!(check_password_policy(common), Err(PasswordPolicyError::TooCommon), "{common}");
        }
        assert_eq!(check_password_policy("plover-quince-arbor"), Ok(()));
    }

    #[test]
    fn the_common_password_list_has_at_least_10000_entries() {
        assert!(COMMON_PASSWORDS.len() >= 10_000, "{}", COMMON_PASSWORDS.len());
        assert!(COMMON_PASSWORDS.iter().all(|entry| *entry == entry.to_lowercase()));
    }

    #[test]
    fn policy_messages_tell_the_person_what_to_do() {
        assert_eq!(PasswordPolicyError::TooShort.to_string(), "Use at least 8 characters.");
        assert_eq!(PasswordPolicyError::TooLong.to_string(), "Use at most 128 characters.");
        assert_eq!(
            PasswordPolicyError::TooCommon.to_string(),
            "This password is too common: choose one that is harder to guess."
        );
    }
}
