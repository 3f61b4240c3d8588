//! Live progress: the event bus and `GET /api/events`, read as a browser's `EventSource` reads it,
//! on SQLite and across two replicas sharing one PostgreSQL database.
#![cfg(feature = "ssr")]

mod support;

use atelier::api::auth::{Register, SignIn};
use atelier::server::db::entity::{job_events, users};
use atelier::server::events::{self, EventBus};
use atelier::server::http::router;
use atelier::types::{EventEnvelope, StudioEvent};
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use futures_util::StreamExt;
use http_body_util::BodyExt;
use leptos::server_fn::ServerFn;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set, TransactionTrait};
use std::time::Duration;
use support::client::{Client, SESSION_COOKIE};
use support::studio::TestStudio;
use tower::ServiceExt;
use uuid::Uuid;

const PASSWORD: &str = "velvet lanterns hum at dawn";
/// How long a test waits for an event that should come.
const PATIENCE: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------------------------------------
// One signed-in user, one stream
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_signed_in_user_receives_the_events_published_for_them_in_order_with_their_ids() {
    let studio = TestStudio::start(&[]).await;
    let (ada, ada_id) = user(&studio, "ada@example.com").await;
    let mut stream = EventStream::open(&studio.app, &ada, "/api/events", None).await;
    assert_eq!(stream.headers[header::CONTENT_TYPE], "text/event-stream");
    assert_eq!(stream.headers[header::CACHE_CONTROL], "no-cache");
    assert_eq!(stream.headers["x-accel-buffering"], "no");

    let job = Uuid::now_v7();
    let published = publish_all(&studio.state.events, &studio, ada_id, progress_of(job, 3)).await;
    for expected in &published {
        assert_eq!(&stream.next_event().await, expected);
    }
}

#[tokio::test]
async fn events_reach_the_browser_uncompressed_while_the_stream_stays_open() {
    let studio = TestStudio::start(&[]).await;
    let (ada, ada_id) = user(&studio, "ada@example.com").await;
    let mut request = stream_request(&ada, "/api/events", None);
    request.headers_mut().insert(header::ACCEPT_ENCODING, "gzip".parse().unwrap());
    let mut stream = EventStream::send(&studio.app, request).await;
    assert_eq!(stream.headers.get(header::CONTENT_ENCODING), None, "a compressed stream is buffered");

    // The stream never ends, so reading this event proves nothing holds it back until the end.
    let id = studio.state.events.publish(&studio.state.db, ada_id, StudioEvent::CreditsChanged { balance: 7 }).await;
    let expected = EventEnvelope { id: id.unwrap(), event: StudioEvent::CreditsChanged { balance: 7 } };
    assert_eq!(stream.next_event().await, expected);
}

#[tokio::test]
async fn a_user_never_receives_the_events_of_another() {
    let studio = TestStudio::start(&[]).await;
    let (_, ada_id) = user(&studio, "ada@example.com").await;
    let (grace, grace_id) = user(&studio, "grace@example.com").await;
    let mut graces_stream = EventStream::open(&studio.app, &grace, "/api/events", None).await;

    publish_all(&studio.state.events, &studio, ada_id, progress_of(Uuid::now_v7(), 2)).await;
    let graces = publish_all(&studio.state.events, &studio, grace_id, progress_of(Uuid::now_v7(), 1)).await;
    // Ada's two came first: had they leaked, they would be read before Grace's own.
    assert_eq!(graces_stream.next_event().await, graces[0]);
}

#[tokio::test]
async fn the_stream_refuses_visitors_who_are_not_signed_in() {
    let studio = TestStudio::start(&[]).await;
    let response = Client::new(&studio).get("/api/events").await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    assert_eq!(response.api_error().code, "unauthorized");
}

// ---------------------------------------------------------------------------------------------
// Resuming
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn last_event_id_replays_exactly_the_missed_events_and_then_continues_live() {
    let studio = TestStudio::start(&[]).await;
    let (ada, ada_id) = user(&studio, "ada@example.com").await;
    let (_, grace_id) = user(&studio, "grace@example.com").await;
    let job = Uuid::now_v7();
    let missed = publish_all(&studio.state.events, &studio, ada_id, progress_of(job, 4)).await;
    publish_all(&studio.state.events, &studio, grace_id, progress_of(job, 1)).await;

    let mut stream = EventStream::open(&studio.app, &ada, "/api/events", Some(missed[0].id)).await;
    for expected in &missed[1..] {
        assert_eq!(&stream.next_event().await, expected);
    }
    let live = publish_all(&studio.state.events, &studio, ada_id, vec![completed(job)]).await;
    assert_eq!(stream.next_event().await, live[0], "nothing else came in between");
}

#[tokio::test]
async fn the_after_parameter_resumes_a_first_connection_and_last_event_id_overrides_it() {
    let studio = TestStudio::start(&[]).await;
    let (ada, ada_id) = user(&studio, "ada@example.com").await;
    let missed = publish_all(&studio.state.events, &studio, ada_id, progress_of(Uuid::now_v7(), 3)).await;

    let mut first = EventStream::open(&studio.app, &ada, &format!("/api/events?after={}", missed[0].id), None).await;
    assert_eq!(first.next_event().await, missed[1]);
    assert_eq!(first.next_event().await, missed[2]);

    // A reconnecting EventSource keeps its URL and adds the id it saw last.
    let path = format!("/api/events?after={}", missed[0].id);
    let mut reconnected = EventStream::open(&studio.app, &ada, &path, Some(missed[1].id)).await;
    assert_eq!(reconnected.next_event().await, missed[2]);
}

#[tokio::test]
async fn a_resume_point_that_is_not_an_event_id_is_refused() {
    let studio = TestStudio::start(&[]).await;
    let (ada, _) = user(&studio, "ada@example.com").await;
    let response = ada.get("/api/events?after=yesterday").await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(response.api_error().field.as_deref(), Some("after"));
}

#[tokio::test]
async fn a_subscriber_that_falls_far_behind_still_gets_every_event_in_order() {
    let studio = TestStudio::start(&[]).await;
    let (_, ada_id) = user(&studio, "ada@example.com").await;
    let bus = &studio.state.events;
    let db = &studio.state.db;
    let mut slow = Box::pin(bus.subscribe(db, ada_id, None));
    let first = bus.publish(db, ada_id, StudioEvent::QueuePaused { paused: true }).await.unwrap();
    assert_eq!(next(&mut slow).await.id, first);

    // More events than the broadcast holds, while the subscriber reads nothing.
    let txn = db.begin().await.unwrap();
    let mut ids = Vec::new();
    for balance in 0..1_500 {
        ids.push(bus.publish_in(&txn, ada_id, StudioEvent::CreditsChanged { balance }).await.unwrap());
    }
    txn.commit().await.unwrap();
    bus.announce(db, *ids.last().unwrap()).await;
    // Give the relay time to push them all past the subscriber (the result must not depend on it).
    tokio::time::sleep(Duration::from_millis(300)).await;

    for (balance, id) in (0..).zip(&ids) {
        assert_eq!(next(&mut slow).await, EventEnvelope { id: *id, event: StudioEvent::CreditsChanged { balance } });
    }
}

// ---------------------------------------------------------------------------------------------
// Keep-alives, transactions, pruning
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_silent_stream_sends_keep_alive_comments() {
    let studio = TestStudio::start(&[]).await;
    let (ada, _) = user(&studio, "ada@example.com").await;
    let mut state = studio.state.clone();
    state.events = state.events.with_keep_alive(Duration::from_millis(100));
    let app = router(state);
    let mut stream = EventStream::open(&app, &ada, "/api/events", None).await;
    assert_eq!(stream.next_block().await, Block::Comment("keep-alive".into()));
    assert_eq!(stream.next_block().await, Block::Comment("keep-alive".into()));
    assert_eq!(studio.state.events.keep_alive(), events::KEEP_ALIVE, "the studio's own stream is unchanged");
}

#[tokio::test]
async fn an_event_published_in_a_rolled_back_transaction_leaves_no_row_and_reaches_no_one() {
    let studio = TestStudio::start(&[]).await;
    let (ada, ada_id) = user(&studio, "ada@example.com").await;
    let (bus, db) = (&studio.state.events, &studio.state.db);
    let mut stream = EventStream::open(&studio.app, &ada, "/api/events", None).await;

    let txn = db.begin().await.unwrap();
    let rolled_back = bus.publish_in(&txn, ada_id, StudioEvent::JobStarted { job: Uuid::now_v7() }).await.unwrap();
    txn.rollback().await.unwrap();
    // Even a stray announcement of it delivers nothing.
    bus.announce(db, rolled_back).await;

    assert_eq!(job_events::Entity::find_by_id(rolled_back).one(db).await.unwrap(), None);
    let kept = publish_all(bus, &studio, ada_id, vec![completed(Uuid::now_v7())]).await;
    assert_eq!(stream.next_event().await, kept[0]);
}

#[tokio::test]
async fn an_event_published_in_a_committed_transaction_is_delivered_once_announced() {
    let studio = TestStudio::start(&[]).await;
    let (ada, ada_id) = user(&studio, "ada@example.com").await;
    let (bus, db) = (&studio.state.events, &studio.state.db);
    let mut stream = EventStream::open(&studio.app, &ada, "/api/events", None).await;

    let event = StudioEvent::JobFailed {
        job: Uuid::now_v7(),
        message: "The image service refused the prompt.".into(),
        error_type: Some("content_policy_violation".into()),
        retrying: false,
    };
    let txn = db.begin().await.unwrap();
    let id = bus.publish_in(&txn, ada_id, event.clone()).await.unwrap();
    txn.commit().await.unwrap();
    bus.announce(db, id).await;
    assert_eq!(stream.next_event().await, EventEnvelope { id, event });
}

#[tokio::test]
async fn pruning_deletes_only_the_events_older_than_the_cutoff() {
    let studio = TestStudio::start(&[]).await;
    let (_, ada_id) = user(&studio, "ada@example.com").await;
    let (bus, db) = (&studio.state.events, &studio.state.db);
    let old = bus.publish(db, ada_id, StudioEvent::CreditsChanged { balance: 1 }).await.unwrap();
    let recent = bus.publish(db, ada_id, StudioEvent::CreditsChanged { balance: 2 }).await.unwrap();
    let mut row = job_events::Entity::find_by_id(old).one(db).await.unwrap().unwrap().into_active_model();
    row.created_at = Set(chrono::Utc::now() - chrono::Duration::days(2));
    row.update(db).await.unwrap();

    let pruned = events::prune(db, chrono::Utc::now() - chrono::Duration::days(1)).await.unwrap();
    assert_eq!(pruned, 1);
    let left: Vec<i64> = job_events::Entity::find().all(db).await.unwrap().iter().map(|row| row.id).collect();
    assert_eq!(left, vec![recent]);
}

// ---------------------------------------------------------------------------------------------
// Two replicas on one PostgreSQL database
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_stream_on_one_replica_receives_the_events_published_on_another() {
    let url = support::postgres::fresh_database().await;
    let first = TestStudio::start(&[("DATABASE_URL", &url)]).await;
    let second = TestStudio::start(&[("DATABASE_URL", &url)]).await;
    let (ada, ada_id) = user(&first, "ada@example.com").await;
    let mut stream = EventStream::open(&first.app, &ada, "/api/events", None).await;

    let one = publish_all(&second.state.events, &second, ada_id, vec![completed(Uuid::now_v7())]).await;
    assert_eq!(stream.next_event().await, one[0]);

    // A burst, published concurrently: every event arrives, in id order.
    let job = Uuid::now_v7();
    let burst = futures_util::future::join_all((0..100u32).map(|step| {
        let event = StudioEvent::JobProgress { job, progress: step as f32 / 100.0, step: Some(step), total: Some(100) };
        let (bus, db) = (&second.state.events, &second.state.db);
        async move { EventEnvelope { id: bus.publish(db, ada_id, event.clone()).await.unwrap(), event } }
    }))
    .await;
    let mut expected = burst;
    expected.sort_by_key(|envelope| envelope.id);
    for envelope in &expected {
        assert_eq!(&stream.next_event().await, envelope);
    }
}

#[tokio::test]
async fn a_stream_resumed_on_another_replica_replays_what_the_first_one_published() {
    let url = support::postgres::fresh_database().await;
    let first = TestStudio::start(&[("DATABASE_URL", &url)]).await;
    let second = TestStudio::start(&[("DATABASE_URL", &url)]).await;
    let (ada, ada_id) = user(&first, "ada@example.com").await;
    let published = publish_all(&first.state.events, &first, ada_id, progress_of(Uuid::now_v7(), 3)).await;

    let ada_on_second = Client::new(&second);
    ada_on_second.set_cookie(SESSION_COOKIE, &ada.session_token().expect("signed in"));
    let mut stream = EventStream::open(&second.app, &ada_on_second, "/api/events", Some(published[0].id)).await;
    assert_eq!(stream.next_event().await, published[1]);
    assert_eq!(stream.next_event().await, published[2]);
}

// ---------------------------------------------------------------------------------------------
// Set-up and helpers
// ---------------------------------------------------------------------------------------------

/// Registers and signs in a user; returns their client and id.
async fn user<'a>(studio: &'a TestStudio, email: &str) -> (Client<'a>, Uuid) {
    let client = Client::new(studio);
    let response =
        client.call(Register::PATH, &[("name", "Ada Lovelace"), ("email", email), ("password", PASSWORD)]).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let response = client.call(SignIn::PATH, &[("email", email), ("password", PASSWORD)]).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let row = users::Entity::find().filter(users::Column::Email.eq(email)).one(&studio.state.db).await.unwrap();
    (client, row.expect("the user exists").id)
}

fn progress_of(job: Uuid, steps: u32) -> Vec<StudioEvent> {
    (1..=steps)
        .map(|step| StudioEvent::JobProgress {
            job,
            progress: step as f32 / steps as f32,
            step: Some(step),
            total: Some(steps),
        })
        .collect()
}

fn completed(job: Uuid) -> StudioEvent {
    StudioEvent::JobCompleted { job, images: vec![Uuid::now_v7(), Uuid::now_v7()] }
}

/// Publishes one after another; returns the envelopes as a stream should deliver them.
async fn publish_all(
    bus: &EventBus,
    studio: &TestStudio,
    user_id: Uuid,
    events: Vec<StudioEvent>,
) -> Vec<EventEnvelope> {
    let mut published = Vec::new();
    for event in events {
        let id = bus.publish(&studio.state.db, user_id, event.clone()).await.expect("the event is published");
        published.push(EventEnvelope { id, event });
    }
    published
}

async fn next(stream: &mut (impl futures_util::Stream<Item = EventEnvelope> + Unpin)) -> EventEnvelope {
    tokio::time::timeout(PATIENCE, stream.next())
        .await
        .expect("an event within the timeout")
        .expect("the stream goes on")
}

fn stream_request(client: &Client<'_>, path: &str, last_event_id: Option<i64>) -> Request<Body> {
    let mut request = Request::get(path).header(header::ACCEPT, "text/event-stream");
    if let Some(token) = client.session_token() {
        request = request.header(header::COOKIE, format!("{SESSION_COOKIE}={token}"));
    }
    if let Some(id) = last_event_id {
        request = request.header("last-event-id", id.to_string());
    }
    request.body(Body::empty()).unwrap()
}

/// What a block of an SSE body (up to a blank line) holds.
#[derive(Debug, PartialEq)]
enum Block {
    Event { id: String, event: String, data: String },
    Comment(String),
}

/// An open `text/event-stream` response, read block by block as it arrives.
struct EventStream {
    headers: HeaderMap,
    body: Body,
    buffer: String,
}

impl EventStream {
    async fn open(app: &Router, client: &Client<'_>, path: &str, last_event_id: Option<i64>) -> EventStream {
        Self::send(app, stream_request(client, path, last_event_id)).await
    }

    async fn send(app: &Router, request: Request<Body>) -> EventStream {
        let response = app.clone().oneshot(request).await.expect("the router answers");
        assert_eq!(response.status(), StatusCode::OK);
        let headers = response.headers().clone();
        EventStream { headers, body: response.into_body(), buffer: String::new() }
    }

    async fn next_block(&mut self) -> Block {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                return parse_block(block.trim_end());
            }
            let frame = tokio::time::timeout(PATIENCE, self.body.frame())
                .await
                .expect("the stream sends something within the timeout")
                .expect("the stream is still open")
                .expect("the body reads");
            if let Ok(data) = frame.into_data() {
                self.buffer.push_str(std::str::from_utf8(&data).expect("UTF-8 event stream"));
            }
        }
    }

    /// The next event, past any keep-alive comments, as the envelope it carries.
    async fn next_event(&mut self) -> EventEnvelope {
        loop {
            if let Block::Event { id, event, data } = self.next_block().await {
                let envelope = EventEnvelope {
                    id: id.parse().expect("numeric event id"),
                    event: serde_json::from_str(&data).expect("the data is a StudioEvent"),
                };
                assert_eq!(event, envelope.event.kind(), "the SSE event name is the kind");
                return envelope;
            }
        }
    }
}

fn parse_block(block: &str) -> Block {
    let (mut id, mut event, mut data) = (String::new(), String::new(), String::new());
    for line in block.lines() {
        if let Some(comment) = line.strip_prefix(':') {
            return Block::Comment(comment.trim().to_owned());
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value).to_owned();
        match field {
            "id" => id = value,
            "event" => event = value,
            "data" => data = value,
            other => panic!("unexpected SSE field {other:?} in {block:?}"),
        }
    }
    Block::Event { id, event, data }
}
