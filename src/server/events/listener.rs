//! PostgreSQL only: `LISTEN atelier_events`, so that events published by other replicas sharing
//! the database reach this one's subscribers. A notification carries the new event's id; it only
//! wakes the relay, which reads the rows themselves.

use super::relay::Cursor;
use sea_orm::sqlx::Error;
use sea_orm::sqlx::postgres::{PgListener, PgPool};
use std::sync::Arc;
use std::time::Duration;

/// The channel every replica notifies after committing events.
pub const CHANNEL: &str = "atelier_events";

const FIRST_RETRY: Duration = Duration::from_millis(250);
const LONGEST_RETRY: Duration = Duration::from_secs(30);

/// Runs until the pool closes (or the task is aborted), reconnecting with backoff when the
/// connection drops. Each time it (re)starts listening it wakes the relay, which then reads every
/// row after the last one relayed: notifications missed while disconnected cost nothing.
pub async fn run(pool: PgPool, cursor: Arc<Cursor>) {
    let mut retry = FIRST_RETRY;
    loop {
        match listen(&pool, &cursor, &mut retry).await {
            Error::PoolClosed => return,
            error => tracing::warn!(%error, "lost the event notifications; reconnecting in {retry:?}"),
        }
        tokio::time::sleep(retry).await;
        retry = (retry * 2).min(LONGEST_RETRY);
    }
}

/// Listens until an error it cannot recover from; returns that error. Once listening, the next
/// retry starts from the shortest wait again.
async fn listen(pool: &PgPool, cursor: &Cursor, retry: &mut Duration) -> Error {
    let mut listener = match PgListener::connect_with(pool).await {
        Ok(listener) => listener,
        Err(error) => return error,
    };
    if let Err(error) = listener.listen(CHANNEL).await {
        return error;
    }
    *retry = FIRST_RETRY;
    cursor.wake();
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => {
                // Our own notifications come back too; most are already relayed.
                let already_relayed = notification.payload().parse::<i64>().is_ok_and(|id| id <= cursor.relayed());
                if !already_relayed {
                    cursor.wake();
                }
            }
            // The connection dropped and `PgListener` listens again on a new one: catch up.
            Ok(None) => cursor.wake(),
            Err(error) => return error,
        }
    }
}
