//! [`EventBus`]: publish a user's events, subscribe to them.

use super::relay::{self, Cursor};
use super::store::{self, StoredEvent};
use super::subscription::Subscription;
use super::{KEEP_ALIVE, KEEP_EVENTS_FOR, PRUNE_EVERY, listener};
use crate::server::error::AppError;
use crate::types::{EventEnvelope, StudioEvent};
use futures_util::Stream;
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr, Statement, TransactionTrait,
};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;
use tokio::task::AbortHandle;
use uuid::Uuid;

/// How many events a slow subscriber may fall behind before it re-reads them from the database.
const CAPACITY: usize = 1024;

/// The live-progress event bus. Cheap to clone; every clone is the same bus. Its background tasks
/// (the relay, the hourly pruning, on PostgreSQL the listener) stop when the last clone is dropped.
#[derive(Clone)]
pub struct EventBus {
    inner: Arc<Inner>,
    keep_alive: Duration,
}

struct Inner {
    sender: broadcast::Sender<StoredEvent>,
    cursor: Arc<Cursor>,
    tasks: Vec<AbortHandle>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl EventBus {
    /// Starts the bus on `db` and its background tasks. Must run inside the Tokio runtime.
    pub async fn start(db: DatabaseConnection) -> Result<Self, DbErr> {
        let (sender, _) = broadcast::channel(CAPACITY);
        let cursor = Arc::new(Cursor::new(store::latest_id(&db).await?));
        let mut tasks = vec![
            tokio::spawn(relay::run(db.clone(), cursor.clone(), sender.clone())).abort_handle(),
            tokio::spawn(prune_periodically(db.clone())).abort_handle(),
        ];
        if db.get_database_backend() == DatabaseBackend::Postgres {
            let pool = db.get_postgres_connection_pool().clone();
            tasks.push(tokio::spawn(listener::run(pool, cursor.clone())).abort_handle());
        }
        // Rows committed between reading the newest id and now.
        cursor.wake();
        Ok(Self { inner: Arc::new(Inner { sender, cursor, tasks }), keep_alive: KEEP_ALIVE })
    }

    /// The same bus, with streams sending a keep-alive comment after `every` of silence.
    pub fn with_keep_alive(self, every: Duration) -> Self {
        Self { keep_alive: every, ..self }
    }

    /// How long a stream may stay silent before it sends a keep-alive comment.
    pub fn keep_alive(&self) -> Duration {
        self.keep_alive
    }

    /// [`EventBus::publish`] for events that only report a change already made: a failure is logged,
    /// and a browser that misses the event sees the change when it next loads the page.
    pub async fn publish_or_log(&self, db: &DatabaseConnection, user_id: Uuid, event: StudioEvent) {
        if let Err(e) = self.publish(db, user_id, event).await {
            tracing::warn!(error = %e, "could not publish an event");
        }
    }

    /// Records `event` for `user_id` in its own transaction and delivers it to the user's streams
    /// on every replica. Returns the event id.
    pub async fn publish(&self, db: &DatabaseConnection, user_id: Uuid, event: StudioEvent) -> Result<i64, AppError> {
        let txn = db.begin().await?;
        let id = self.publish_in(&txn, user_id, event).await?;
        txn.commit().await?;
        self.announce(db, id).await;
        Ok(id)
    }

    /// Records `event` for `user_id` inside the caller's transaction, so the event exists only if
    /// the change it reports does. Returns the event id. Nothing is delivered yet: after
    /// committing, call [`EventBus::announce`] with the id (if the transaction rolls back, don't).
    ///
    /// ```text
    /// let txn = db.begin().await?;
    /// // ... the change itself ...
    /// let id = bus.publish_in(&txn, user_id, StudioEvent::JobStarted { job }).await?;
    /// txn.commit().await?;
    /// bus.announce(&db, id).await;
    /// ```
    ///
    /// On PostgreSQL this takes a studio-wide lock held until the transaction ends (so events
    /// commit in id order): publish last in the transaction, and commit promptly.
    pub async fn publish_in(
        &self,
        txn: &DatabaseTransaction,
        user_id: Uuid,
        event: StudioEvent,
    ) -> Result<i64, AppError> {
        Ok(store::insert(txn, user_id, &event).await?)
    }

    /// Delivers committed events, up to and including `id`, to their users' streams here and on
    /// the other replicas. Never fails: a failure is logged, and the next announcement (on any
    /// replica) delivers whatever this one did not.
    pub async fn announce(&self, db: &DatabaseConnection, id: i64) {
        self.inner.cursor.wake();
        if db.get_database_backend() == DatabaseBackend::Postgres {
            let notify = Statement::from_sql_and_values(
                DatabaseBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [listener::CHANNEL.into(), id.to_string().into()],
            );
            if let Err(error) = db.execute_raw(notify).await {
                tracing::warn!(%error, id, "could not notify the other replicas of an event");
            }
        }
    }

    /// The events of `user_id`, in id order, each once: first those with an id above `after` from
    /// the database, then live ones as they are published. Without `after`, only events published
    /// from now on. The stream ends if the bus stops or the database fails while it catches up; a
    /// client then reconnects with the last id it saw.
    pub fn subscribe(
        &self,
        db: &DatabaseConnection,
        user_id: Uuid,
        after: Option<i64>,
    ) -> impl Stream<Item = EventEnvelope> + Send + 'static {
        // "From now on" is read before subscribing and replayed from: whatever is relayed in
        // between comes from the database.
        let after = after.unwrap_or_else(|| self.inner.cursor.relayed());
        let receiver = self.inner.sender.subscribe();
        Subscription::new(db.clone(), user_id, receiver, after).into_stream()
    }
}

/// Deletes events older than [`KEEP_EVENTS_FOR`] at start-up and every [`PRUNE_EVERY`].
async fn prune_periodically(db: DatabaseConnection) {
    let mut ticks = tokio::time::interval(PRUNE_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let Ok(keep_for) = chrono::Duration::from_std(KEEP_EVENTS_FOR) else { return };
        match store::prune(&db, chrono::Utc::now() - keep_for).await {
            Ok(0) => {}
            Ok(pruned) => tracing::debug!(pruned, "pruned old events"),
            Err(error) => tracing::warn!(%error, "could not prune old events"),
        }
    }
}
