//! One user's stream of events: what they missed (from the database), then what happens (from the
//! broadcast), each event once and in id order.

use super::store::{self, StoredEvent};
use crate::types::EventEnvelope;
use futures_util::Stream;
use sea_orm::DatabaseConnection;
use std::collections::VecDeque;
use tokio::sync::broadcast::{self, error::RecvError};
use uuid::Uuid;

pub struct Subscription {
    db: DatabaseConnection,
    user_id: Uuid,
    receiver: broadcast::Receiver<StoredEvent>,
    /// Every event of the user up to this id has been sent or queued in `pending`.
    last: i64,
    /// The database may hold events after `last` that the broadcast will not bring.
    catching_up: bool,
    pending: VecDeque<EventEnvelope>,
}

impl Subscription {
    /// `receiver` must have subscribed before the caller chose `after`, so that nothing falls
    /// between what the database replays and what the broadcast brings.
    pub fn new(db: DatabaseConnection, user_id: Uuid, receiver: broadcast::Receiver<StoredEvent>, after: i64) -> Self {
        Self { db, user_id, receiver, last: after, catching_up: true, pending: VecDeque::new() }
    }

    pub fn into_stream(self) -> impl Stream<Item = EventEnvelope> + Send + 'static {
        futures_util::stream::unfold(self, |mut subscription| async move {
            let next = subscription.next().await?;
            Some((next, subscription))
        })
    }

    /// The next event; `None` ends the stream (the bus is gone, or the database failed: the
    /// browser reconnects with the last id it saw and loses nothing).
    async fn next(&mut self) -> Option<EventEnvelope> {
        loop {
            if let Some(envelope) = self.pending.pop_front() {
                return Some(envelope);
            }
            if self.catching_up {
                self.read_page().await?;
                continue;
            }
            match self.receiver.recv().await {
                Ok(stored) if stored.user_id == self.user_id && stored.envelope.id > self.last => {
                    self.last = stored.envelope.id;
                    return Some(stored.envelope);
                }
                Ok(_) => {}
                // Events went by unseen: the database still has them.
                Err(RecvError::Lagged(_)) => self.catching_up = true,
                Err(RecvError::Closed) => return None,
            }
        }
    }

    async fn read_page(&mut self) -> Option<()> {
        let page = match store::for_user_after(&self.db, self.user_id, self.last).await {
            Ok(page) => page,
            Err(error) => {
                tracing::warn!(%error, user = %self.user_id, "could not read missed events; closing the stream");
                return None;
            }
        };
        self.catching_up = page.more;
        if let Some(last) = page.read_up_to {
            self.last = last;
        }
        self.pending.extend(page.events);
        Some(())
    }
}
