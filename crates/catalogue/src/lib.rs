//! Atelier's model catalogue. `models.toml` (beside this crate's `Cargo.toml`) declares every model;
//! the studio loads it into the `models` table at start-up, the fal emulator validates requests with it,
//! and the browser validates the generate form with the same [`validate`] before anything is sent.

mod catalogue;
mod cost;
pub mod size;
mod spec;
mod validate;

pub use catalogue::Catalogue;
pub use spec::*;
pub use validate::{FieldError, IMAGE_REF_PREFIX, MAX_LORA_SCALE, MAX_SEED, validate};
