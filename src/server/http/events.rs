//! `GET /api/events`: the signed-in user's live progress as server-sent events.
//!
//! Each event is `id: <event id>`, `event: <kind>` (`job_progress`, ...), `data: <StudioEvent
//! JSON>`. A reconnecting `EventSource` sends `Last-Event-ID` and is sent exactly what it missed;
//! since it cannot set headers on its first connection, `?after=<id>` does the same (the header
//! wins: it is newer than the URL the browser keeps reconnecting to).

use crate::server::auth::CurrentSession;
use crate::server::error::AppError;
use crate::server::state::AppState;
use crate::types::EventEnvelope;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Router, http::header};
use futures_util::StreamExt;
use serde::Deserialize;
use std::convert::Infallible;

const LAST_EVENT_ID: HeaderName = HeaderName::from_static("last-event-id");
/// Tells nginx and friends not to hold the stream back in a buffer.
const X_ACCEL_BUFFERING: HeaderName = HeaderName::from_static("x-accel-buffering");

pub fn router() -> Router<AppState> {
    Router::new().route("/api/events", get(stream))
}

#[derive(Deserialize)]
struct Resume {
    after: Option<String>,
}

async fn stream(
    State(state): State<AppState>,
    session: CurrentSession,
    headers: HeaderMap,
    Query(resume): Query<Resume>,
) -> Result<Response, AppError> {
    let after = match headers.get(LAST_EVENT_ID) {
        Some(value) => parse_event_id("Last-Event-ID", Some(value.to_str().unwrap_or("not text")))?,
        None => parse_event_id("after", resume.after.as_deref())?,
    };
    let events = state.events.subscribe(&state.db, session.user.id, after).map(to_sse);
    let keep_alive = KeepAlive::new().interval(state.events.keep_alive()).text("keep-alive");
    let headers = [
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        (X_ACCEL_BUFFERING, HeaderValue::from_static("no")),
    ];
    Ok((headers, Sse::new(events).keep_alive(keep_alive)).into_response())
}

/// An event id as the browser sends it back; none, or an empty one, means "from now on".
fn parse_event_id(field: &str, value: Option<&str>) -> Result<Option<i64>, AppError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(value) => match value.parse::<i64>() {
            Ok(id) if id >= 0 => Ok(Some(id)),
            _ => Err(AppError::invalid(field, "must be the id of an event this stream sent")),
        },
    }
}

fn to_sse(envelope: EventEnvelope) -> Result<Event, Infallible> {
    let event = Event::default().id(envelope.id.to_string()).event(envelope.event.kind());
    // A StudioEvent is plain data: serialising it cannot fail.
    let data = serde_json::to_string(&envelope.event).unwrap_or_else(|_| "{}".to_owned());
    Ok(event.data(data))
}
