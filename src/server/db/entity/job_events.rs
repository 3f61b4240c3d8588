//! `job_events`: what happened to a user's generation jobs, in order, for the live-progress stream.
//!
//! [`Model::id`] is the SSE event id: a browser reconnecting with `Last-Event-ID: n` is sent the
//! user's events with `id > n`, whichever replica it reaches, since they all share the database.
//!
//! Ids are handed out in insertion order, but on PostgreSQL concurrent transactions may commit
//! out of that order: a reader can see id 8 while id 7 is still uncommitted, and resuming after 8
//! would then skip 7. Writers or readers must close that gap (for example, insert events under
//! one transaction-level advisory lock, or hold back ids past a gap for a moment). SQLite has a
//! single writer, so its order of commit is its order of ids.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "job_events")]
pub struct Model {
    /// Assigned by the database, always greater than every id before it (even deleted ones).
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The owner: the stream of one user only ever reads their events. Events go with the user.
    pub user_id: Uuid,
    /// The job concerned, if any. Not a foreign key: an event outlives its job.
    pub job_id: Option<Uuid>,
    /// The SSE event name (`progress`, `completed`, ...).
    #[sea_orm(column_type = "Text")]
    pub kind: String,
    /// JSON object, the SSE event data; default `{}`.
    #[sea_orm(column_type = "JsonBinary")]
    pub payload: Json,
    /// Old events are pruned by this (index `idx_job_events_created_at`).
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::UserId",
        to = "super::users::Column::Id",
        on_delete = "Cascade"
    )]
    User,
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
