//! Where images come from: fal.ai through our own client, or the built-in offline renderer.

pub mod fal;
pub mod offline;
