//! Live progress: every [`StudioEvent`](crate::types::StudioEvent) of a user is a `job_events` row
//! (its id is the SSE event id), broadcast in-process to that user's open streams, and, when
//! replicas share a PostgreSQL database, to theirs through `LISTEN`/`NOTIFY`.
//!
//! - `store`: the rows (insert under the ordering lock, read in id order, prune).
//! - [`EventBus`]: publish, subscribe.
//! - `relay`: the single task that broadcasts new rows in id order.
//! - `subscription`: one user's stream, replay then live.
//! - `listener`: PostgreSQL notifications from the other replicas.

mod bus;
mod listener;
mod relay;
mod store;
mod subscription;

pub use bus::EventBus;
pub use listener::CHANNEL;

use crate::server::error::AppError;
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use std::time::Duration;

/// Events older than this are deleted: a browser away longer reloads its pages instead.
pub const KEEP_EVENTS_FOR: Duration = Duration::from_secs(24 * 60 * 60);
/// How often the bus deletes old events.
pub const PRUNE_EVERY: Duration = Duration::from_secs(60 * 60);
/// A silent stream sends a comment this often, so proxies keep it open and browsers notice a dead one.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Deletes the events created before `older_than`; returns how many went. The bus does this by
/// itself every [`PRUNE_EVERY`] for events older than [`KEEP_EVENTS_FOR`].
pub async fn prune(db: &impl ConnectionTrait, older_than: DateTime<Utc>) -> Result<u64, AppError> {
    Ok(store::prune(db, older_than).await?)
}
