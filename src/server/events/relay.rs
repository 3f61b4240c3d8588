//! The relay: the one task that feeds the in-process broadcast, by reading new `job_events` rows
//! in id order whenever it is woken.
//!
//! Why read back from the database instead of broadcasting what a publisher just wrote: two
//! publishers (two tasks here, or this replica and another) commit ids 8 and 9 in order, but may
//! announce them in either order; a stream that has sent 9 can no longer send 8 (a browser
//! resuming after 9 would never see it). Rows become visible in id order (one writer on SQLite,
//! the advisory lock of [`super::store::insert`] on PostgreSQL), so reading them back gives every
//! subscriber one gap-free order. Wake-ups coalesce: a burst of events costs a read or two.

use super::store::{self, StoredEvent};
use sea_orm::DatabaseConnection;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;
use tokio::sync::{Notify, broadcast};

/// How long the relay waits before reading again after the database failed it.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// What the bus handle, the relay task and the PostgreSQL listener share.
pub struct Cursor {
    wake: Notify,
    /// The id of the newest event broadcast (or skipped as unreadable).
    relayed: AtomicI64,
}

impl Cursor {
    pub fn new(relayed: i64) -> Self {
        Self { wake: Notify::new(), relayed: AtomicI64::new(relayed) }
    }

    /// Asks the relay to read what is new. A wake-up while it is reading is kept, not lost.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub fn relayed(&self) -> i64 {
        self.relayed.load(Ordering::Acquire)
    }
}

/// Runs until aborted: on each wake-up, broadcasts every row after the cursor.
pub async fn run(db: DatabaseConnection, cursor: std::sync::Arc<Cursor>, sender: broadcast::Sender<StoredEvent>) {
    loop {
        cursor.wake.notified().await;
        loop {
            match store::all_after(&db, cursor.relayed()).await {
                Ok(page) => {
                    for event in page.events {
                        // No subscriber is not an error: nobody is watching.
                        let _ = sender.send(event);
                    }
                    if let Some(last) = page.read_up_to {
                        cursor.relayed.store(last, Ordering::Release);
                    }
                    if !page.more {
                        break;
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, "could not read new events; retrying");
                    tokio::time::sleep(RETRY_AFTER).await;
                }
            }
        }
    }
}
