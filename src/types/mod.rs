//! Data shared by the browser and the server: what server functions take and return.

mod account;
mod auth;
mod error;
mod events;
mod images;
mod jobs;
mod models;
mod presets;
mod shares;
mod studio;

pub use account::{CurrentUser, Preferences, Role, SessionInfo, TwoFactorEnrollment};
pub use auth::{SignInResult, safe_next};
pub use error::ApiError;
pub use events::{EventEnvelope, StudioEvent};
pub use images::{IMAGE_REF_PREFIX, ImageDetail, ImageView, Iteration, ONE_CLICK, OneClick};
pub use jobs::{GenerationRequest, Job, JobAction, JobStatus, MyQueue, QueueEntry, QueueMove};
pub use models::{ModelAvailability, ModelInfo};
pub use presets::Preset;
pub use shares::ImageShare;
pub use studio::{ProviderMode, StudioStatus};
