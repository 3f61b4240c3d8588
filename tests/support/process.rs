//! The studio as a separate process: the real `atelier` binary on a free port of 127.0.0.1, its
//! output in a log file, killed when dropped (and its log printed when the test failed), plus a
//! signed-in HTTP session that talks to it as a browser does and reads its event stream.

use std::fs::File;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use atelier::types::StudioEvent;
use futures_util::StreamExt;
use leptos::server_fn::ServerFn;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, ORIGIN, SET_COOKIE};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::client::{SESSION_COOKIE, TEST_PASSWORD, form_encode};

/// A first start on an empty database runs every migration: allow for a slow machine.
const READY_WITHIN: Duration = Duration::from_secs(60);
/// Another process can take the free port between our probe and the studio's bind.
const START_ATTEMPTS: usize = 3;

/// A running `atelier serve`.
pub struct StudioProcess {
    name: String,
    child: Child,
    log: PathBuf,
    /// `http://127.0.0.1:PORT`, also its public URL (the origin same-origin checks expect).
    pub url: String,
}

impl StudioProcess {
    /// Starts `atelier serve` in `dir` (its working directory, which also holds its log) with only
    /// `env` in its environment plus its address and public URL, and waits until `/readyz` says
    /// the database and the image store answer.
    pub async fn start(name: &str, dir: &Path, env: &[(&str, &str)]) -> StudioProcess {
        for attempt in 1..=START_ATTEMPTS {
            let port = free_port();
            let url = format!("http://127.0.0.1:{port}");
            let log = dir.join(format!("{name}.{attempt}.log"));
            let output = File::create(&log).expect("create the studio's log file");
            let child = Command::new(env!("CARGO_BIN_EXE_atelier"))
                .arg("serve")
                .current_dir(dir)
                .env_clear()
                .envs(env.iter().copied())
                .env("ATELIER_ADDRESS", format!("127.0.0.1:{port}"))
                .env("ATELIER_PUBLIC_URL", &url)
                .env("RUST_BACKTRACE", "1")
                .env("NO_COLOR", "1")
                .stdin(Stdio::null())
                .stdout(output.try_clone().expect("share the log file"))
                .stderr(output)
                .spawn()
                .expect("start the atelier binary");
            let mut studio = StudioProcess { name: name.to_owned(), child, log, url };
            match studio.wait_until_ready().await {
                Ok(()) => return studio,
                Err(log) if log.contains("cannot listen") && attempt < START_ATTEMPTS => continue,
                Err(log) => {
                    drop(studio);
                    panic!("studio {name} did not start:\n{log}")
                }
            }
        }
        unreachable!("the last attempt returns or panics")
    }

    /// `Err(log)` when the process ended or did not become ready in time.
    async fn wait_until_ready(&mut self) -> Result<(), String> {
        let http = reqwest::Client::new();
        let deadline = Instant::now() + READY_WITHIN;
        loop {
            if let Some(status) = self.child.try_wait().expect("poll the studio process") {
                return Err(format!("exited with {status}\n{}", self.log()));
            }
            let ready = http.get(format!("{}/readyz", self.url)).timeout(Duration::from_secs(2)).send().await;
            if ready.is_ok_and(|response| response.status() == StatusCode::OK) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("not ready after {READY_WITHIN:?}\n{}", self.log()));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Ends the process at once with SIGKILL (no shutdown, no cleanup), as a crash would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Stops the process with SIGSTOP: it holds its connections but runs nothing until
    /// [`thaw`](Self::thaw).
    pub fn freeze(&self) {
        self.signal("-STOP");
    }

    /// Lets a frozen process run again (SIGCONT).
    pub fn thaw(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(signal)
            .arg(self.child.id().to_string())
            .status()
            .unwrap_or_else(|e| panic!("run kill {signal}: {e}"));
        assert!(status.success(), "kill {signal} {} failed: {status}", self.child.id());
    }

    /// Everything the process wrote so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_else(|e| format!("(no log at {}: {e})", self.log.display()))
    }
}

impl Drop for StudioProcess {
    fn drop(&mut self) {
        self.kill();
        if std::thread::panicking() {
            eprintln!("----- log of studio {} ({}) -----\n{}", self.name, self.url, self.log());
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .expect("bind a probe socket on 127.0.0.1")
        .port()
}

/// A signed-in browser. Sessions live in the database, so one session works on every studio
/// process that shares it; each request says it comes from the origin of the studio it goes to.
#[derive(Clone)]
pub struct Session {
    http: reqwest::Client,
    cookie: String,
}

impl Session {
    /// Registers `email` (with [`TEST_PASSWORD`]) through `studio`'s sign-up server function and
    /// signs in to it.
    pub async fn sign_up(studio: &StudioProcess, email: &str) -> Session {
        let anonymous = Session { http: reqwest::Client::new(), cookie: String::new() };
        let fields = [("name", "Ada Lovelace"), ("email", email), ("password", TEST_PASSWORD)];
        let (status, body) = anonymous.call(studio, atelier::api::auth::Register::PATH, &fields).await;
        assert_eq!(status, StatusCode::OK, "sign-up: {body}");
        let response = anonymous
            .form(studio, atelier::api::auth::SignIn::PATH, &[("email", email), ("password", TEST_PASSWORD)])
            .send()
            .await
            .expect("sign-in request");
        let token = response
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .find_map(|cookie| cookie.strip_prefix(&format!("{SESSION_COOKIE}=")))
            .map(|rest| rest.split(';').next().unwrap_or_default().to_owned());
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        assert_eq!(status, StatusCode::OK, "sign-in: {body}");
        let token = token.unwrap_or_else(|| panic!("sign-in set no {SESSION_COOKIE} cookie: {body}"));
        Session { http: anonymous.http, cookie: format!("{SESSION_COOKIE}={token}") }
    }

    /// Calls a server function with form fields, as the studio's own pages do.
    pub async fn call(&self, studio: &StudioProcess, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
        read(self.form(studio, path, fields).send().await).await
    }

    /// POSTs a JSON body (a `#[server(input = Json)]` function or a REST route) from the studio's origin.
    pub async fn post_json(
        &self,
        studio: &StudioProcess,
        path: &str,
        body: &serde_json::Value,
    ) -> (StatusCode, String) {
        let request =
            self.post_from_origin(studio, path).header(CONTENT_TYPE, "application/json").body(body.to_string());
        read(request.send().await).await
    }

    /// GETs `path` with the session cookie; the body as bytes.
    pub async fn get_bytes(&self, studio: &StudioProcess, path: &str) -> (StatusCode, Vec<u8>) {
        let response = self
            .http
            .get(format!("{}{path}", studio.url))
            .header(COOKIE, &self.cookie)
            .send()
            .await
            .expect("the studio answers");
        let status = response.status();
        (status, response.bytes().await.expect("the body reads").to_vec())
    }

    /// Opens `GET /api/events` on `studio`: events from now on, or after the event id `after`.
    /// Returns once the studio has answered with the stream's headers.
    pub async fn events(&self, studio: &StudioProcess, after: Option<i64>) -> EventStream {
        let mut url = format!("{}/api/events", studio.url);
        if let Some(after) = after {
            url.push_str(&format!("?after={after}"));
        }
        let response = self.http.get(url).header(COOKIE, &self.cookie).send().await.expect("open the event stream");
        assert_eq!(response.status(), StatusCode::OK, "event stream refused");
        let (sender, received) = mpsc::unbounded_channel();
        let reader = tokio::spawn(read_events(response, sender));
        EventStream { received, reader }
    }

    fn form(&self, studio: &StudioProcess, path: &str, fields: &[(&str, &str)]) -> reqwest::RequestBuilder {
        self.post_from_origin(studio, path)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form_encode(fields))
    }

    fn post_from_origin(&self, studio: &StudioProcess, path: &str) -> reqwest::RequestBuilder {
        let request = self
            .http
            .post(format!("{}{path}", studio.url))
            .header(ORIGIN, &studio.url)
            .header("sec-fetch-site", "same-origin")
            .header("accept", "application/json");
        if self.cookie.is_empty() { request } else { request.header(COOKIE, &self.cookie) }
    }
}

async fn read(response: reqwest::Result<reqwest::Response>) -> (StatusCode, String) {
    let response = response.expect("the studio answers");
    let status = response.status();
    (status, response.text().await.expect("the body reads"))
}

/// One server-sent event: its id and the event it carries.
#[derive(Debug, Clone)]
pub struct SseEvent {
    pub id: i64,
    pub event: StudioEvent,
}

/// The events of an open `/api/events` stream, parsed as they arrive.
pub struct EventStream {
    received: mpsc::UnboundedReceiver<SseEvent>,
    reader: JoinHandle<()>,
}

impl EventStream {
    /// Waits up to `within` for an event `wanted` accepts; returns it with every event before it.
    pub async fn until(
        &mut self,
        within: Duration,
        wanted: impl Fn(&StudioEvent) -> bool,
    ) -> Result<Vec<SseEvent>, Vec<SseEvent>> {
        let deadline = tokio::time::Instant::now() + within;
        let mut seen = Vec::new();
        loop {
            match tokio::time::timeout_at(deadline, self.received.recv()).await {
                Ok(Some(event)) => {
                    let done = wanted(&event.event);
                    seen.push(event);
                    if done {
                        return Ok(seen);
                    }
                }
                Ok(None) | Err(_) => return Err(seen),
            }
        }
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

/// Splits the body into events (`id:`, `event:`, `data:` lines ending with a blank line; comments
/// such as keep-alives are skipped) until the stream or the receiver ends.
async fn read_events(response: reqwest::Response, sender: mpsc::UnboundedSender<SseEvent>) {
    let mut body = response.bytes_stream();
    let mut buffer = String::new();
    while let Some(Ok(chunk)) = body.next().await {
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let frame: String = buffer.drain(..end + 2).collect();
            let (mut id, mut data) = (None, String::new());
            for line in frame.lines() {
                if let Some(value) = line.strip_prefix("id:") {
                    id = value.trim().parse::<i64>().ok();
                } else if let Some(value) = line.strip_prefix("data:") {
                    data.push_str(value.strip_prefix(' ').unwrap_or(value));
                }
            }
            let Some(id) = id else { continue };
            let event: StudioEvent =
                serde_json::from_str(&data).unwrap_or_else(|e| panic!("event {id} is not a StudioEvent ({e}): {data}"));
            if sender.send(SseEvent { id, event }).is_err() {
                return;
            }
        }
    }
}
