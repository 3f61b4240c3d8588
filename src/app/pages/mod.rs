//! One module per route.

pub mod auth;
pub mod dashboard;
pub mod landing;
pub mod not_found;
pub mod settings;
