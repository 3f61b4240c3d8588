//! Pages for administrators.

pub mod models;
