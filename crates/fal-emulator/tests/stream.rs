//! The status stream (SSE).

mod common;

use common::*;
use fal_emulator::EmulatorConfig;
use serde_json::{Value, json};
use std::time::Duration;

/// Reads the whole event stream and returns the JSON of each `data:` event.
async fn read_events(harness: &Harness, url: &str) -> Vec<Value> {
    let mut response = harness
        .http
        .get(url)
        .header("authorization", harness.auth())
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let mut text = String::new();
    let read_all = async {
        while let Some(chunk) = response.chunk().await.unwrap() {
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
    };
    tokio::time::timeout(Duration::from_secs(20), read_all).await.expect("the stream closes after COMPLETED");
    text.split("\n\n")
        .filter_map(|event| event.lines().find_map(|line| line.strip_prefix("data:")))
        .map(|data| serde_json::from_str(data.trim()).unwrap())
        .collect()
}

#[tokio::test]
async fn the_status_stream_sends_each_change_in_order_and_closes_after_completion() {
    let harness =
        start_with(EmulatorConfig { step_delay: Duration::from_millis(30), ..EmulatorConfig::default() }).await;
    let submitted = harness
        .submit(FLUX_DEV, &small_input("streamed"), &[("x-fal-emulator-fault", "slow_queue;delay_ms=300")])
        .await;
    let url = format!("{}/stream?logs=1", submitted["status_url"].as_str().unwrap());
    let events = read_events(&harness, &url).await;

    let statuses: Vec<&str> = events.iter().map(|event| event["status"].as_str().unwrap()).collect();
    assert_eq!(statuses.first(), Some(&"IN_QUEUE"));
    assert_eq!(events[0]["queue_position"], 0);
    assert_eq!(statuses.last(), Some(&"COMPLETED"));
    let rank =
        |status: &str| ["IN_QUEUE", "IN_PROGRESS", "COMPLETED"].iter().position(|known| *known == status).unwrap();
    assert!(statuses.windows(2).all(|pair| rank(pair[0]) <= rank(pair[1])), "{statuses:?}");
    assert_eq!(statuses.iter().filter(|status| **status == "COMPLETED").count(), 1);

    let step_events = events.iter().filter(|event| {
        event["logs"]
            .as_array()
            .unwrap()
            .last()
            .is_some_and(|log| log["message"].as_str().unwrap().starts_with("Step "))
    });
    assert!(step_events.count() >= 2, "progress steps arrive as their own events: {events:?}");
    let last = events.last().unwrap();
    assert!(last["metrics"]["inference_time"].is_number());
    assert_eq!(last["request_id"], submitted["request_id"]);
}

#[tokio::test]
async fn the_stream_of_a_completed_request_sends_one_event_and_closes() {
    let harness = start().await;
    let submitted = harness.submit(SCHNELL, &small_input("already done"), &[]).await;
    harness.wait_completed(&submitted).await;
    let url = format!("{}/stream", submitted["status_url"].as_str().unwrap());
    let events = read_events(&harness, &url).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["status"], "COMPLETED");
    assert!(events[0].get("logs").is_none(), "logs only when asked for");
    assert_eq!(harness.stats().await["stream"], json!(1));
}
