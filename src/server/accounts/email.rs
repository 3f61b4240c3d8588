//! Email addresses as account identifiers, and the messages the studio sends about accounts.

use crate::server::error::AppError;

/// Trims and lowercases an address and checks it looks deliverable: one `@`, a local part, and a
/// domain with a dot. Deliverability itself is proven by the verification mail.
pub fn normalize_email(raw: &str) -> Result<String, AppError> {
    let email = raw.trim().to_lowercase();
    let invalid = || AppError::invalid("email", "Enter an email address such as name@example.com.");
    if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid());
    }
    let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !domain.contains('@');
    if local.is_empty() || local.len() > 64 || !domain_ok {
        return Err(invalid());
    }
    Ok(email)
}

/// A display name: 1 to 100 characters after trimming.
pub fn normalize_name(raw: &str) -> Result<String, AppError> {
    let name = raw.trim();
    match name.chars().count() {
        0 => Err(AppError::invalid("name", "Enter your name.")),
        1..=100 => Ok(name.to_owned()),
        _ => Err(AppError::invalid("name", "Use at most 100 characters.")),
    }
}

/// The mails the account flows send.
pub mod messages {
    use crate::server::mail::OutgoingMail;

    pub fn verify_email(to: &str, name: &str, link: &str) -> OutgoingMail {
        OutgoingMail::text(
            to,
            "Confirm your email for Atelier",
            format!(
                "Hello {name},\n\nWelcome to Atelier. Confirm your email address by opening this link:\n\n{link}\n\n\
                 The link works once and expires in 24 hours. If you did not sign up, ignore this message.\n"
            ),
        )
    }

    pub fn reset_password(to: &str, link: &str) -> OutgoingMail {
        OutgoingMail::text(
            to,
            "Reset your Atelier password",
            format!(
                "Someone asked to reset the password of the Atelier account for this address.\n\n\
                 To choose a new password, open this link:\n\n{link}\n\n\
                 The link works once and expires in 1 hour. If it was not you, ignore this message: \
                 your password stays as it is.\n"
            ),
        )
    }

    pub fn confirm_new_email(to: &str, link: &str) -> OutgoingMail {
        OutgoingMail::text(
            to,
            "Confirm your new email for Atelier",
            format!(
                "Open this link to make this address the one you sign in to Atelier with:\n\n{link}\n\n\
                 The link works once and expires in 24 hours.\n"
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_trimmed_and_lowercased() {
        assert_eq!(normalize_email("  Ada@Example.COM ").unwrap(), "ada@example.com");
    }

    #[test]
    fn malformed_addresses_are_refused_with_the_field_named() {
        for bad in ["", "ada", "ada@", "@example.com", "ada@example", "ada@.com", "a b@example.com", "ada@ex..com"] {
            match normalize_email(bad) {
                Err(AppError::Invalid { field, .. }) => assert_eq!(field, "email", "{bad}"),
                other => panic!("{bad:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(normalize_name("  Ada Lovelace ").unwrap(), "Ada Lovelace");
        assert!(normalize_name("   ").is_err());
        assert!(normalize_name(&"x".repeat(101)).is_err());
        assert!(normalize_name(&"é".repeat(100)).is_ok());
    }
}
