//! A browser-like client over [`TestStudio`]: it keeps the cookies the studio sets and sends them
//! back, sends the same-origin headers a browser sends with a form or `fetch`, and can pretend to
//! come from a given IP address. Plus a reader for the mail outbox.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use atelier::types::ApiError;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, Request, header};
use leptos::server_fn::ServerFn;
use serde::de::DeserializeOwned;

use super::studio::{TestResponse, TestStudio};

/// The password [`signed_up`] and [`signed_in`] use.
pub const TEST_PASSWORD: &str = "velvet lanterns hum at dawn";

/// A new account for `email` ("Ada Lovelace", [`TEST_PASSWORD`]), made through the sign-up server
/// function, and a client signed in to it.
pub async fn signed_up<'a>(studio: &'a TestStudio, email: &str) -> Client<'a> {
    let client = Client::new(studio);
    let fields = [("name", "Ada Lovelace"), ("email", email), ("password", TEST_PASSWORD)];
    let response = client.call(atelier::api::auth::Register::PATH, &fields).await;
    assert_eq!(response.status, axum::http::StatusCode::OK, "{}", response.body);
    signed_in(client, email).await
}

/// Signs `client` in to the existing account `email` with [`TEST_PASSWORD`].
pub async fn signed_in<'a>(client: Client<'a>, email: &str) -> Client<'a> {
    let response =
        client.call(atelier::api::auth::SignIn::PATH, &[("email", email), ("password", TEST_PASSWORD)]).await;
    assert_eq!(response.status, axum::http::StatusCode::OK, "{}", response.body);
    client
}

/// The name of the session cookie when the studio is served over plain http (as in tests).
pub const SESSION_COOKIE: &str = "atelier_session";

pub struct Client<'a> {
    studio: &'a TestStudio,
    cookies: Mutex<BTreeMap<String, String>>,
    ip: Option<IpAddr>,
}

impl<'a> Client<'a> {
    /// A client without cookies and without a known address (the studio sees no `ConnectInfo`).
    pub fn new(studio: &'a TestStudio) -> Self {
        Self { studio, cookies: Mutex::new(BTreeMap::new()), ip: None }
    }

    /// A client whose requests arrive from `ip`, as the real server's `ConnectInfo` would say.
    pub fn from_ip(studio: &'a TestStudio, ip: impl Into<IpAddr>) -> Self {
        Self { ip: Some(ip.into()), ..Self::new(studio) }
    }

    /// Calls a server function (`<Fn as ServerFn>::PATH`) with form fields, as `ActionForm` or the
    /// hydrated app does from the studio's own pages.
    pub async fn call(&self, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        let request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .header(header::ORIGIN, self.origin())
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(form_encode(fields)))
            .unwrap();
        self.send(request).await
    }

    /// POSTs a JSON body to a REST route, from the studio's own origin.
    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> TestResponse {
        self.json_request("POST", path, body).await
    }

    /// Sends a JSON body with any method to a REST route, from the studio's own origin.
    pub async fn json_request(&self, method: &str, path: &str, body: &serde_json::Value) -> TestResponse {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json")
            .header(header::ORIGIN, self.origin())
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body.to_string()))
            .unwrap();
        self.send(request).await
    }

    /// POSTs a `multipart/form-data` body with one file field, from the studio's own origin.
    pub async fn upload(
        &self,
        path: &str,
        field: &str,
        file_name: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> TestResponse {
        let boundary = "atelier-test-boundary-7d1c2f";
        let mut body = Vec::new();
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file_name}\"\r\n\
                 Content-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let request = Request::post(path)
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .header(header::ACCEPT, "application/json")
            .header(header::ORIGIN, self.origin())
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    /// A plain GET without an `Accept` header, as a script would send.
    pub async fn get(&self, path: &str) -> TestResponse {
        self.send(Request::get(path).body(Body::empty()).unwrap()).await
    }

    /// A GET of a page as a browser navigates to it (`Accept: text/html`, `Sec-Fetch-Site: none`).
    pub async fn page(&self, path: &str) -> TestResponse {
        let request = Request::get(path)
            .header(header::ACCEPT, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
            .header("sec-fetch-site", "none")
            .body(Body::empty())
            .unwrap();
        self.send(request).await
    }

    /// A GET whose body is kept as bytes (images): `TestResponse` holds text.
    pub async fn get_bytes(&self, path: &str) -> RawResponse {
        use http_body_util::BodyExt as _;
        use tower::ServiceExt as _;
        let mut request = Request::get(path).body(Body::empty()).unwrap();
        self.prepare(&mut request);
        let response = self.studio.app.clone().oneshot(request).await.expect("router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.expect("body reads").to_bytes().to_vec();
        RawResponse { status, headers, body }
    }

    /// Sends any request with this client's cookies and address, and keeps the cookies it sets.
    pub async fn send(&self, mut request: Request<Body>) -> TestResponse {
        self.prepare(&mut request);
        let response = self.studio.send(request).await;
        self.keep_cookies(&response);
        response
    }

    fn prepare(&self, request: &mut Request<Body>) {
        let cookies = self.cookie_header();
        if !cookies.is_empty() {
            request.headers_mut().insert(header::COOKIE, HeaderValue::from_str(&cookies).unwrap());
        }
        if let Some(ip) = self.ip {
            request.extensions_mut().insert(ConnectInfo(SocketAddr::new(ip, 40_000)));
        }
    }

    /// The value of a cookie the client holds.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.lock().unwrap().get(name).cloned()
    }

    /// The session token the client holds.
    pub fn session_token(&self) -> Option<String> {
        self.cookie(SESSION_COOKIE)
    }

    /// Sets a cookie by hand (to replay an old one, say).
    pub fn set_cookie(&self, name: &str, value: &str) {
        self.cookies.lock().unwrap().insert(name.to_owned(), value.to_owned());
    }

    fn origin(&self) -> String {
        self.studio.state.config.server.public_url.clone()
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .lock()
            .unwrap()
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&self, response: &TestResponse) {
        let mut cookies = self.cookies.lock().unwrap();
        for set_cookie in response.set_cookies() {
            let mut parts = set_cookie.split(';').map(str::trim);
            let Some((name, value)) = parts.next().and_then(|pair| pair.split_once('=')) else { continue };
            let expired = parts.any(|attr| attr.eq_ignore_ascii_case("max-age=0"));
            if expired || value.is_empty() {
                cookies.remove(name);
            } else {
                cookies.insert(name.to_owned(), value.to_owned());
            }
        }
    }
}

/// A response whose body is kept as bytes.
pub struct RawResponse {
    pub status: axum::http::StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl TestResponse {
    /// The body as JSON of type `T`; panics with the body when it is not.
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_str(&self.body).unwrap_or_else(|e| {
            panic!("expected JSON of {} ({e}), got {}: {}", std::any::type_name::<T>(), self.status, self.body)
        })
    }

    /// The body as an [`ApiError`]; also checks that its `status` matches the HTTP status.
    pub fn api_error(&self) -> ApiError {
        let error: ApiError = self.json();
        assert_eq!(error.status, self.status.as_u16(), "the JSON status matches the HTTP status: {}", self.body);
        error
    }

    /// Every `Set-Cookie` header, as sent.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|value| value.to_str().expect("ASCII Set-Cookie").to_owned())
            .collect()
    }

    /// The `Set-Cookie` header for the cookie `name`, if one was sent.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.set_cookies().into_iter().find(|c| c.split_once('=').is_some_and(|(n, _)| n.trim() == name))
    }

    /// A header as text.
    pub fn header(&self, name: impl header::AsHeaderName) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().expect("ASCII header"))
    }
}

/// `application/x-www-form-urlencoded`, keeping `[` and `]` in names (`preferences[theme]`).
pub fn form_encode(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(name, value)| format!("{}={}", percent_encode(name, "[]"), percent_encode(value, "")))
        .collect::<Vec<_>>()
        .join("&")
}

fn percent_encode(text: &str, keep: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ if keep.as_bytes().contains(&b) => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// One message found in the outbox.
#[derive(Debug, Clone)]
pub struct OutboxMail {
    pub file: PathBuf,
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
}

/// Every message in the studio's outbox so far, oldest first.
pub fn outbox(studio: &TestStudio) -> Vec<OutboxMail> {
    let dir = studio.state.config.server.data_dir.join("outbox");
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> =
        entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|ext| ext == "eml")).collect();
    files.sort();
    files
        .into_iter()
        .map(|file| {
            let raw = std::fs::read(&file).unwrap_or_else(|e| panic!("read {}: {e}", file.display()));
            let message = mail_parser::MessageParser::default()
                .parse(&raw)
                .unwrap_or_else(|| panic!("{} is not a mail message", file.display()));
            let to = message
                .to()
                .map(|to| to.iter().filter_map(|a| a.address()).map(str::to_lowercase).collect())
                .unwrap_or_default();
            let subject = message.subject().unwrap_or_default().to_owned();
            let text = message.body_text(0).map(|t| t.into_owned()).unwrap_or_default();
            OutboxMail { file, to, subject, text }
        })
        .collect()
}

/// The messages to `to` in the outbox so far, oldest first.
pub fn mails_to(studio: &TestStudio, to: &str) -> Vec<OutboxMail> {
    let to = to.to_lowercase();
    outbox(studio).into_iter().filter(|mail| mail.to.contains(&to)).collect()
}

/// Waits (up to 5 s: mail is written by a background task) for a message to `to` holding a link
/// into the studio whose path starts with `path_prefix`, and returns the newest such link as a
/// path and query (`/verify-email?token=...`), ready to request in-process.
pub async fn latest_link(studio: &TestStudio, to: &str, path_prefix: &str) -> String {
    let public_url = studio.state.config.server.public_url.trim_end_matches('/').to_owned();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let found = mails_to(studio, to)
            .iter()
            .rev()
            .find_map(|mail| links_in(&mail.text, &public_url).into_iter().find(|path| path.starts_with(path_prefix)));
        if let Some(path) = found {
            return path;
        }
        if Instant::now() > deadline {
            let subjects: Vec<String> =
                outbox(studio).into_iter().map(|m| format!("{:?} {}", m.to, m.subject)).collect();
            panic!("no mail to {to} with a link to {path_prefix} within 5 s; the outbox holds {subjects:?}");
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// The links to `public_url` in a mail's text, as paths with their query.
fn links_in(text: &str, public_url: &str) -> Vec<String> {
    // mail-parser has already decoded the transfer encoding. Decoding quoted-printable again would
    // corrupt a token that happens to start with "3D" (`token=3D…` would lose those two characters).
    text.split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\''))
        .filter_map(|word| word.strip_prefix(public_url))
        .filter(|path| path.starts_with('/'))
        .map(str::to_owned)
        .collect()
}

/// The value of `name` in a path's query string.
pub fn query_param(path_and_query: &str, name: &str) -> Option<String> {
    let (_, query) = path_and_query.split_once('?')?;
    query.split('&').find_map(|pair| pair.split_once('=').filter(|(n, _)| *n == name).map(|(_, v)| v.to_owned()))
}
