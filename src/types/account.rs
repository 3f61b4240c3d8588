use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Admin,
}

/// The signed-in user as every page sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub avatar_url: Option<String>,
    pub role: Role,
    pub credits: i32,
    pub email_verified: bool,
    pub two_factor_enabled: bool,
}

impl CurrentUser {
    /// One or two letters for the avatar placeholder.
    pub fn initials(&self) -> String {
        let mut letters = self.name.split_whitespace().filter_map(|word| word.chars().next());
        let first = letters.next().or_else(|| self.email.chars().next()).unwrap_or('?');
        let second = letters.next_back();
        first.to_uppercase().chain(second.into_iter().flat_map(char::to_uppercase)).collect()
    }
}

/// One signed-in device, for the security page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub id: Uuid,
    pub device: String,
    pub ip_address: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub current: bool,
}

/// Per-user preferences kept in `user_settings`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preferences {
    pub theme: String,
    pub default_model: Option<String>,
    pub gallery_view: String,
    pub timezone: String,
    pub language: String,
}

/// What starting two-factor enrolment gives the user to scan or type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorEnrollment {
    pub secret: String,
    pub otpauth_url: String,
    pub qr_svg: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str, email: &str) -> CurrentUser {
        CurrentUser {
            id: Uuid::nil(),
            email: email.into(),
            name: name.into(),
            avatar_url: None,
            role: Role::User,
            credits: 0,
            email_verified: true,
            two_factor_enabled: false,
        }
    }

    #[test]
    fn initials_take_the_first_and_last_words() {
        assert_eq!(user("ada king lovelace", "a@x").initials(), "AL");
        assert_eq!(user("Grace", "g@x").initials(), "G");
        assert_eq!(user("  ", "zoe@x").initials(), "Z");
    }
}
