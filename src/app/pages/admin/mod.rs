//! Pages for administrators.

pub mod models;
pub mod queue;
