//! One module per route.

pub mod admin;
pub mod auth;
pub mod dashboard;
pub mod generate;
pub mod image;
pub mod landing;
pub mod models;
pub mod not_found;
pub mod queue;
pub mod settings;
