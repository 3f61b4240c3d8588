//! Signing up, in and out; verifying an email; resetting a password.

pub mod forgot_password;
pub mod login;
pub mod register;
pub mod reset_password;
pub mod verify_email;
