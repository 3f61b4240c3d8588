//! Reusable widgets.

pub mod icon;
pub mod logo;
pub mod service_worker;
pub mod theme_toggle;
