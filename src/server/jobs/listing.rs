//! Reading jobs: a user's own, or everyone's for the administrators' view of the whole queue.

use super::Scope;
use crate::server::db::entity::generation_queue;
use crate::server::error::AppError;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

/// Which jobs to list. The default lists all of them (up to `limit`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JobFilter {
    /// Only jobs in one of these statuses (`generation_queue::STATUS_*`); empty means any.
    pub statuses: Vec<&'static str>,
    pub batch_id: Option<Uuid>,
    /// At most this many; `None` for all.
    pub limit: Option<u64>,
}

/// One of the user's jobs; another user's is `NotFound`.
pub async fn get_for_user(
    db: &DatabaseConnection,
    user_id: Uuid,
    job_id: Uuid,
) -> Result<generation_queue::Model, AppError> {
    find_scoped(db, Scope::Owner(user_id), job_id).await?.ok_or(AppError::NotFound("job"))
}

/// Any user's job (administrators, and workers).
pub async fn get_any(db: &DatabaseConnection, job_id: Uuid) -> Result<generation_queue::Model, AppError> {
    find_scoped(db, Scope::Any, job_id).await?.ok_or(AppError::NotFound("job"))
}

/// The user's jobs in queue order: the order they are claimed in (`priority` descending, then
/// `position`, then age).
pub async fn list_for_user(
    db: &DatabaseConnection,
    user_id: Uuid,
    filter: &JobFilter,
) -> Result<Vec<generation_queue::Model>, AppError> {
    list_scoped(db, Scope::Owner(user_id), filter).await
}

/// Every user's jobs, in the same order (administrators).
pub async fn list_all(db: &DatabaseConnection, filter: &JobFilter) -> Result<Vec<generation_queue::Model>, AppError> {
    list_scoped(db, Scope::Any, filter).await
}

async fn list_scoped(
    db: &DatabaseConnection,
    scope: Scope,
    filter: &JobFilter,
) -> Result<Vec<generation_queue::Model>, AppError> {
    let mut query = in_queue_order(scoped(generation_queue::Entity::find(), scope));
    if !filter.statuses.is_empty() {
        query = query.filter(generation_queue::Column::Status.is_in(filter.statuses.iter().copied()));
    }
    if let Some(batch_id) = filter.batch_id {
        query = query.filter(generation_queue::Column::BatchId.eq(batch_id));
    }
    if let Some(limit) = filter.limit {
        query = query.limit(limit);
    }
    Ok(query.all(db).await?)
}

pub(super) async fn find_scoped(
    db: &impl ConnectionTrait,
    scope: Scope,
    job_id: Uuid,
) -> Result<Option<generation_queue::Model>, AppError> {
    Ok(scoped(generation_queue::Entity::find_by_id(job_id), scope).one(db).await?)
}

fn scoped(query: Select<generation_queue::Entity>, scope: Scope) -> Select<generation_queue::Entity> {
    match scope {
        Scope::Owner(user_id) => query.filter(generation_queue::Column::UserId.eq(user_id)),
        Scope::Any => query,
    }
}

/// The claim order.
pub(super) fn in_queue_order(query: Select<generation_queue::Entity>) -> Select<generation_queue::Entity> {
    query
        .order_by_desc(generation_queue::Column::Priority)
        .order_by_asc(generation_queue::Column::Position)
        .order_by_asc(generation_queue::Column::Id)
}
