//! A request's status as a stream: fal's server-sent events while they flow, polling when they do
//! not (the endpoint refuses, the connection breaks or falls silent). The stream ends after the
//! `COMPLETED` status, or with the error that stopped polling.

use super::client::FalClient;
use super::error::FalError;
use super::sse::SseParser;
use super::types::{QueueStatus, RequestHandle};
use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::{Stream, StreamExt};
use reqwest::{Method, header};
use std::collections::VecDeque;
use std::time::Duration;

/// The events connection is closed after this long whatever happens; polling takes over.
const EVENTS_MAX_DURATION: Duration = Duration::from_secs(3600);

impl FalClient {
    /// The status of `handle` as it changes, until it completes: fal's events, or a poll's answer
    /// every `poll_interval` once they stop. Events that cannot be read are skipped.
    pub fn status_stream(
        &self,
        handle: &RequestHandle,
    ) -> impl Stream<Item = Result<QueueStatus, FalError>> + Send + 'static {
        let watch = StatusWatch {
            client: self.clone(),
            handle: handle.clone(),
            phase: Phase::Connect,
            pending: VecDeque::new(),
        };
        futures_util::stream::unfold(watch, |mut watch| async move {
            let item = watch.next().await?;
            Some((item, watch))
        })
    }

    async fn open_status_events(
        &self,
        handle: &RequestHandle,
    ) -> Result<BoxStream<'static, reqwest::Result<Bytes>>, FalError> {
        let mut url = self.queue_call_url(&handle.status_url, handle, "/status")?;
        let path = format!("{}/stream", url.path().trim_end_matches('/'));
        url.set_path(&path);
        url.query_pairs_mut().append_pair("logs", "1");
        let response = self
            .request(Method::GET, url)?
            .header(header::ACCEPT, "text/event-stream")
            .timeout(EVENTS_MAX_DURATION)
            .send()
            .await
            .map_err(|e| FalError::transport(&e))?;
        if response.status().is_success() {
            Ok(response.bytes_stream().boxed())
        } else {
            let (status, headers) = (response.status(), response.headers().clone());
            let body = response.bytes().await.unwrap_or_default();
            Err(FalError::from_response(status, &headers, &body))
        }
    }
}

enum Phase {
    Connect,
    Events { body: BoxStream<'static, reqwest::Result<Bytes>>, parser: SseParser },
    Polling { waited: bool },
    Done,
}

struct StatusWatch {
    client: FalClient,
    handle: RequestHandle,
    phase: Phase,
    pending: VecDeque<QueueStatus>,
}

impl StatusWatch {
    async fn next(&mut self) -> Option<Result<QueueStatus, FalError>> {
        loop {
            if let Some(status) = self.pending.pop_front() {
                if status.is_completed() {
                    self.phase = Phase::Done;
                    self.pending.clear();
                }
                return Some(Ok(status));
            }
            match &mut self.phase {
                Phase::Done => return None,
                Phase::Connect => {
                    self.phase = match self.client.open_status_events(&self.handle).await {
                        Ok(body) => Phase::Events { body, parser: SseParser::new() },
                        Err(err) => self.fall_back("the status stream could not be opened", &err),
                    };
                }
                Phase::Events { body, parser } => {
                    let idle = self.client.settings().stream_idle_timeout;
                    match tokio::time::timeout(idle, body.next()).await {
                        Ok(Some(Ok(chunk))) => {
                            for data in parser.push(&chunk) {
                                match serde_json::from_str::<QueueStatus>(&data) {
                                    Ok(status) => self.pending.push_back(status),
                                    Err(e) => tracing::debug!(error = %e, "skipping an unreadable fal status event"),
                                }
                            }
                        }
                        Ok(Some(Err(e))) => {
                            self.phase = self.fall_back("the status stream broke", &FalError::transport(&e));
                        }
                        Ok(None) => {
                            let ended = FalError::Decode("the stream ended before COMPLETED".to_owned());
                            self.phase = self.fall_back("the status stream ended early", &ended);
                        }
                        Err(_) => {
                            let silent = FalError::Decode(format!("no event or keep-alive for {idle:?}"));
                            self.phase = self.fall_back("the status stream fell silent", &silent);
                        }
                    }
                }
                Phase::Polling { waited } => {
                    if *waited {
                        tokio::time::sleep(self.client.settings().poll_interval).await;
                    }
                    *waited = true;
                    match self.client.status(&self.handle, true).await {
                        Ok(status) => self.pending.push_back(status),
                        Err(err) => {
                            self.phase = Phase::Done;
                            return Some(Err(err));
                        }
                    }
                }
            }
        }
    }

    fn fall_back(&self, what: &str, err: &FalError) -> Phase {
        tracing::debug!(request_id = %self.handle.request_id, error = %err, "{what}; polling instead");
        Phase::Polling { waited: false }
    }
}
