//! Authentication building blocks: passwords, tokens, sessions, TOTP, rate limits, and the request
//! layer that finds the signed-in user.

pub mod current;
pub mod password;
pub mod rate_limit;
pub mod session;
pub mod single_use;
pub mod token;
pub mod totp;

pub use current::{CurrentSession, client_info, require_admin, require_user, signed_in};
