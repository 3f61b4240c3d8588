//! One module per route.

pub mod dashboard;
pub mod landing;
pub mod not_found;
