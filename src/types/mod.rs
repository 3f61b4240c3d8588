//! Data shared by the browser and the server: what server functions take and return.

mod error;
mod studio;

pub use error::ApiError;
pub use studio::{ProviderMode, StudioStatus};
