//! `job_events` rows: writing an event, reading events back in id order, pruning old ones.

use crate::server::db::entity::job_events;
use crate::types::{EventEnvelope, StudioEvent};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

/// The most rows one read returns; callers page on by the last id.
pub const PAGE: u64 = 500;

/// Key of the transaction-level advisory lock every event insert takes on PostgreSQL ("atelier"
/// "events" in ASCII, give or take), so that ids commit in the order they are handed out.
const EVENT_ORDER_LOCK: i64 = 0x6174_656c_6576;

/// An event as the bus hands it around: its owner and the envelope.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub user_id: Uuid,
    pub envelope: EventEnvelope,
}

/// Inserts `event` for `user_id` inside `txn` and returns its id.
///
/// On PostgreSQL it first takes a transaction-level advisory lock, held until `txn` ends: a
/// sequence hands out ids before commit, so without it a reader could see id 8 while 7 is still
/// uncommitted and a stream resuming after 8 would skip 7 for good.
pub async fn insert(txn: &DatabaseTransaction, user_id: Uuid, event: &StudioEvent) -> Result<i64, DbErr> {
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({EVENT_ORDER_LOCK})")).await?;
    }
    let payload = serde_json::to_value(event).map_err(|e| DbErr::Custom(format!("event to JSON: {e}")))?;
    let row = job_events::ActiveModel {
        user_id: Set(user_id),
        job_id: Set(event.job()),
        kind: Set(event.kind().to_owned()),
        payload: Set(payload),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(row.id)
}

/// One read of events in id order.
pub struct Page<T> {
    pub events: Vec<T>,
    /// The id of the last row read, if any (rows that no longer decode are skipped but read past).
    pub read_up_to: Option<i64>,
    /// The page was full: there may be more after [`Page::read_up_to`].
    pub more: bool,
}

/// Up to [`PAGE`] events of one user with ids above `after`, oldest first.
pub async fn for_user_after(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    after: i64,
) -> Result<Page<EventEnvelope>, DbErr> {
    let rows = job_events::Entity::find()
        .filter(job_events::Column::UserId.eq(user_id))
        .filter(job_events::Column::Id.gt(after))
        .order_by_asc(job_events::Column::Id)
        .limit(PAGE)
        .all(db)
        .await?;
    let page = page_of(rows);
    Ok(Page {
        events: page.events.into_iter().map(|stored| stored.envelope).collect(),
        read_up_to: page.read_up_to,
        more: page.more,
    })
}

/// Up to [`PAGE`] events of every user with ids above `after`, oldest first.
pub async fn all_after(db: &impl ConnectionTrait, after: i64) -> Result<Page<StoredEvent>, DbErr> {
    let rows = job_events::Entity::find()
        .filter(job_events::Column::Id.gt(after))
        .order_by_asc(job_events::Column::Id)
        .limit(PAGE)
        .all(db)
        .await?;
    Ok(page_of(rows))
}

fn page_of(rows: Vec<job_events::Model>) -> Page<StoredEvent> {
    let read_up_to = rows.last().map(|row| row.id);
    let more = rows.len() as u64 == PAGE;
    Page { events: rows.into_iter().filter_map(decode).collect(), read_up_to, more }
}

/// The id of the newest event, 0 when there is none.
pub async fn latest_id(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    let newest = job_events::Entity::find()
        .select_only()
        .column(job_events::Column::Id)
        .order_by_desc(job_events::Column::Id)
        .limit(1)
        .into_tuple::<i64>()
        .one(db)
        .await?;
    Ok(newest.unwrap_or(0))
}

/// Deletes the events created before `older_than`; returns how many went.
pub async fn prune(db: &impl ConnectionTrait, older_than: DateTime<Utc>) -> Result<u64, DbErr> {
    let result =
        job_events::Entity::delete_many().filter(job_events::Column::CreatedAt.lt(older_than)).exec(db).await?;
    Ok(result.rows_affected)
}

/// A row as an event. A payload this build cannot read (written by a newer version, say) is
/// logged and skipped rather than stopping every stream behind it.
fn decode(row: job_events::Model) -> Option<StoredEvent> {
    match serde_json::from_value::<StudioEvent>(row.payload) {
        Ok(event) => Some(StoredEvent { user_id: row.user_id, envelope: EventEnvelope { id: row.id, event } }),
        Err(error) => {
            tracing::warn!(id = row.id, kind = %row.kind, %error, "skipping an event this build cannot read");
            None
        }
    }
}
