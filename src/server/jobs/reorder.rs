//! Moving a waiting job within its user's queue.
//!
//! Positions are fractional: a moved job takes the midpoint of its new neighbours' positions, so
//! one row changes. When two neighbours get too close for a midpoint between them (after dozens
//! of moves into the same gap), the user's waiting jobs are renumbered 1 apart, in order, first.

use super::listing::{find_scoped, in_queue_order};
use super::{Scope, begin_write, wrong_state};
use crate::server::db::entity::generation_queue::{self, STATUS_PAUSED, STATUS_PENDING};
use crate::server::error::AppError;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QuerySelect, Set,
};
use uuid::Uuid;

/// Neighbours closer than this get renumbered rather than split again.
const MIN_GAP: f64 = 1e-9;

/// Where to move a job, relative to the user's other waiting (`pending` or `paused`) jobs in
/// queue order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    /// One place earlier.
    Up,
    /// One place later.
    Down,
    /// First.
    Top,
    /// Last.
    Bottom,
    /// Just before this other waiting job of the same user.
    Before(Uuid),
}

/// Moves one of the user's waiting jobs. The queue order is the claim order (`priority` first),
/// so a job moved next to a job of another priority takes that job's priority: it then runs where
/// it is shown. Moving the first job up (or the last down) changes nothing.
pub async fn reorder(
    db: &DatabaseConnection,
    user_id: Uuid,
    job_id: Uuid,
    to: Move,
) -> Result<generation_queue::Model, AppError> {
    reorder_scoped(db, Scope::Owner(user_id), job_id, to).await
}

/// [`reorder`] for any user's job, within that user's queue (administrators).
pub async fn reorder_any(db: &DatabaseConnection, job_id: Uuid, to: Move) -> Result<generation_queue::Model, AppError> {
    reorder_scoped(db, Scope::Any, job_id, to).await
}

/// A waiting job's place in the queue.
#[derive(Clone, Copy, Debug)]
struct Slot {
    id: Uuid,
    priority: i32,
    position: f64,
}

pub(super) async fn reorder_scoped(
    db: &DatabaseConnection,
    scope: Scope,
    job_id: Uuid,
    to: Move,
) -> Result<generation_queue::Model, AppError> {
    let txn = begin_write(db).await?;
    let Some(job) = find_scoped(&txn, scope, job_id).await? else {
        return Err(AppError::NotFound("job"));
    };
    if job.status != STATUS_PENDING && job.status != STATUS_PAUSED {
        return Err(wrong_state(&job, "moved"));
    }
    let mut others = waiting_slots(&txn, job.user_id).await?;
    let Some(from) = others.iter().position(|slot| slot.id == job_id) else {
        return Err(AppError::NotFound("job"));
    };
    others.remove(from);

    // The index in `others` the job goes to, and whether it joins the job after it (the
    // neighbour it is placed before) or the one before it (Down: placed after).
    let (index, joins_next) = match to {
        Move::Up | Move::Top if from == 0 => return Ok(job),
        Move::Down | Move::Bottom if from == others.len() => return Ok(job),
        Move::Up => (from - 1, true),
        Move::Top => (0, true),
        Move::Down => (from + 1, false),
        Move::Bottom => (others.len(), false),
        Move::Before(other) if other == job_id => return Ok(job),
        Move::Before(other) => {
            let index = others.iter().position(|slot| slot.id == other).ok_or(AppError::NotFound("job"))?;
            (index, true)
        }
    };

    let mut placement = place(&others, index, joins_next);
    if placement.is_none() {
        renumber(&txn, &mut others).await?;
        placement = place(&others, index, joins_next);
    }
    let (priority, position) =
        placement.ok_or_else(|| AppError::internal("no room between renumbered queue positions"))?;
    let mut active = job.into_active_model();
    active.priority = Set(priority);
    active.position = Set(position);
    active.updated_at = Set(Utc::now());
    let job = active.update(&txn).await?;
    txn.commit().await?;
    Ok(job)
}

/// The priority and position of a job inserted at `index` of `others`, or `None` when its
/// neighbours are too close to split.
fn place<'a>(others: &'a [Slot], index: usize, joins_next: bool) -> Option<(i32, f64)> {
    let prev = index.checked_sub(1).and_then(|i| others.get(i));
    let next = others.get(index);
    let anchor = if joins_next { next.or(prev) } else { prev.or(next) }?;
    let band = anchor.priority;
    let in_band = |slot: Option<&'a Slot>| slot.filter(move |slot| slot.priority == band);
    let (lower, upper) = match (in_band(prev), in_band(next)) {
        (Some(prev), Some(next)) => (prev.position, next.position),
        (Some(prev), None) => (prev.position, prev.position + 1.0),
        (None, Some(next)) => (next.position - 1.0, next.position),
        (None, None) => return None,
    };
    let middle = lower + (upper - lower) / 2.0;
    (upper - lower >= MIN_GAP && middle > lower && middle < upper).then_some((anchor.priority, middle))
}

/// The user's waiting jobs in queue order.
async fn waiting_slots(db: &impl ConnectionTrait, user_id: Uuid) -> Result<Vec<Slot>, AppError> {
    let rows: Vec<(Uuid, i32, f64)> = in_queue_order(generation_queue::Entity::find())
        .select_only()
        .columns([generation_queue::Column::Id, generation_queue::Column::Priority, generation_queue::Column::Position])
        .filter(generation_queue::Column::UserId.eq(user_id))
        .filter(generation_queue::Column::Status.is_in([STATUS_PENDING, STATUS_PAUSED]))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(id, priority, position)| Slot { id, priority, position }).collect())
}

/// Gives the slots positions 1 apart in their current order, from the lowest one's (rounded down).
async fn renumber(db: &impl ConnectionTrait, slots: &mut [Slot]) -> Result<(), AppError> {
    let start = slots.iter().map(|slot| slot.position).fold(f64::INFINITY, f64::min).floor();
    for (offset, slot) in slots.iter_mut().enumerate() {
        slot.position = start + offset as f64;
        generation_queue::Entity::update_many()
            .col_expr(generation_queue::Column::Position, slot.position.into())
            .filter(generation_queue::Column::Id.eq(slot.id))
            .exec(db)
            .await?;
    }
    Ok(())
}
