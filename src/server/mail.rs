//! Outgoing mail: one `Mailer` trait, sent by SMTP in production or written to an outbox directory
//! when no SMTP server is configured (local use and tests).
//!
//! Both mailers build the message with lettre's `Message` builder, so an outbox `.eml` file holds exactly
//! the bytes SMTP would have sent.

use chrono::Utc;
use lettre::address::AddressError;
use lettre::message::{Mailbox, Message, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use uuid::Uuid;

/// One message to one recipient. `text` is always sent (as UTF-8 `text/plain`); `html`, when present,
/// is offered beside it as a `multipart/alternative` part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    /// A single address, bare (`ada@example.com`) or with a name (`Ada <ada@example.com>`).
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
}

impl OutgoingMail {
    /// A plain-text message.
    pub fn text(to: impl Into<String>, subject: impl Into<String>, text: impl Into<String>) -> Self {
        Self { to: to.into(), subject: subject.into(), text: text.into(), html: None }
    }

    /// Adds an HTML alternative to the plain text.
    pub fn with_html(mut self, html: impl Into<String>) -> Self {
        self.html = Some(html.into());
        self
    }
}

/// Why a message was not sent. The messages name the problem, never a password.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// `role` is "recipient" or "sender".
    #[error("invalid {role} address \"{address}\": {reason}")]
    InvalidAddress { role: &'static str, address: String, reason: &'static str },
    #[error(
        "invalid SMTP URL ({0}); expected smtp://host:25, smtp://user:password@host:587?tls=required \
         or smtps://user:password@host:465"
    )]
    InvalidSmtpUrl(String),
    #[error("could not build the message: {0}")]
    Message(String),
    #[error("sending mail failed: {0}")]
    Send(String),
    #[error("could not write to the mail outbox: {0}")]
    Outbox(#[from] std::io::Error),
}

/// Sends mail. Implementations are cheap to share behind an `Arc`.
#[async_trait::async_trait]
pub trait Mailer: Send + Sync + 'static {
    async fn send(&self, mail: OutgoingMail) -> Result<(), MailError>;
}

/// Picks the mailer for a configuration: an empty (or blank) `smtp_url` writes to `outbox_dir`,
/// anything else must be an SMTP URL (see [`SmtpMailer::new`]). `from` is checked either way, so a bad
/// setting fails at startup rather than at the first sign-up.
pub fn mailer_from_config(smtp_url: &str, from: &str, outbox_dir: PathBuf) -> Result<Arc<dyn Mailer>, MailError> {
    if smtp_url.trim().is_empty() {
        tracing::info!(dir = %outbox_dir.display(), "no SMTP server configured: mail is written to the outbox");
        Ok(Arc::new(OutboxMailer::new(outbox_dir, from)?))
    } else {
        Ok(Arc::new(SmtpMailer::new(smtp_url.trim(), from)?))
    }
}

/// Sends through an SMTP server. A connection is opened per message (no pool), which suits the low
/// volume of account mail and needs no running runtime at construction.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMailer {
    /// `url` is lettre's connection URL: `smtp://host:25` (no TLS), `smtp://user:pass@host:587?tls=required`
    /// (STARTTLS) or `smtps://user:pass@host:465` (TLS from the start); percent-encode special characters
    /// in the user and password. Server certificates are checked against the Mozilla root set.
    /// `from` is a mailbox such as `Atelier <studio@example.com>`. Nothing is sent here.
    pub fn new(url: &str, from: &str) -> Result<Self, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| MailError::InvalidSmtpUrl(e.to_string()))?
            .build();
        if sends_password_in_clear(url) {
            tracing::warn!("the SMTP URL has a password but no TLS: add ?tls=required or use smtps://");
        }
        Ok(Self { transport, from: parse_mailbox(from, "sender")? })
    }
}

/// `smtp://user:pass@host` without `?tls=required` or `?tls=opportunistic` authenticates unencrypted.
fn sends_password_in_clear(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("smtp://") else { return false };
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    authority.contains('@') && !url.contains("tls=")
}

impl fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The transport holds the credentials: never print it.
        f.debug_struct("SmtpMailer").field("from", &self.from.to_string()).finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, mail: OutgoingMail) -> Result<(), MailError> {
        let message = build_message(&self.from, &mail, Uuid::now_v7())?;
        self.transport.send(message).await.map_err(|e| MailError::Send(e.to_string()))?;
        Ok(())
    }
}

/// Writes each message as an RFC 5322 `.eml` file into a directory instead of sending it, and logs the
/// recipient, the subject and every http(s) link in the text, so a local user can follow a sign-up link
/// from the log. File names (`<UTC timestamp>-<uuid>.eml`) sort in the order the mail was written.
#[derive(Debug)]
pub struct OutboxMailer {
    dir: PathBuf,
    from: Mailbox,
}

impl OutboxMailer {
    /// The directory is created on the first message.
    pub fn new(dir: impl Into<PathBuf>, from: &str) -> Result<Self, MailError> {
        Ok(Self { dir: dir.into(), from: parse_mailbox(from, "sender")? })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes one message and returns the path of its `.eml` file.
    pub async fn write(&self, mail: &OutgoingMail) -> Result<PathBuf, MailError> {
        let id = Uuid::now_v7();
        let message = build_message(&self.from, mail, id)?;
        let stamp = Utc::now().format("%Y%m%dT%H%M%S%.6fZ");
        let path = self.dir.join(format!("{stamp}-{id}.eml"));

        tokio::fs::create_dir_all(&self.dir).await?;
        // Write beside the target and rename, so a reader never sees half a message. The temporary
        // name does not end in `.eml`, so it is never mistaken for one.
        let temp = self.dir.join(format!(".{id}.tmp"));
        if let Err(e) = tokio::fs::write(&temp, message.formatted()).await {
            let _ = tokio::fs::remove_file(&temp).await;
            return Err(e.into());
        }
        if let Err(e) = tokio::fs::rename(&temp, &path).await {
            let _ = tokio::fs::remove_file(&temp).await;
            return Err(e.into());
        }

        let links = links_in(&mail.text);
        tracing::info!(
            to = %mail.to,
            subject = ?mail.subject,
            file = %path.display(),
            links = links.len(),
            "mail written to the outbox"
        );
        for link in links {
            tracing::info!(to = %mail.to, %link, "link in outbox mail");
        }
        Ok(path)
    }
}

#[async_trait::async_trait]
impl Mailer for OutboxMailer {
    async fn send(&self, mail: OutgoingMail) -> Result<(), MailError> {
        self.write(&mail).await.map(drop)
    }
}

fn parse_mailbox(raw: &str, role: &'static str) -> Result<Mailbox, MailError> {
    raw.trim().parse::<Mailbox>().map_err(|err| {
        let reason = match err {
            AddressError::MissingParts => "the part before or after the @ is missing",
            AddressError::InvalidUser => "the part before the @ is not valid",
            AddressError::InvalidDomain => "the part after the @ is not a valid domain",
            AddressError::Unbalanced => "an angle bracket is not closed",
            _ => "expected one address such as name@example.com or Name <name@example.com>",
        };
        MailError::InvalidAddress { role, address: raw.to_owned(), reason }
    })
}

fn build_message(from: &Mailbox, mail: &OutgoingMail, id: Uuid) -> Result<Message, MailError> {
    let to = parse_mailbox(&mail.to, "recipient")?;
    let builder = Message::builder()
        .message_id(Some(format!("<{id}@{}>", from.email.domain())))
        .from(from.clone())
        .to(to)
        .subject(mail.subject.as_str());
    let built = match &mail.html {
        None => builder.singlepart(SinglePart::plain(mail.text.clone())),
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(mail.text.clone(), html.clone())),
    };
    built.map_err(|e| MailError::Message(e.to_string()))
}

/// Every `http://` or `https://` link in `text`, in order. A link ends at whitespace, a quote or an angle
/// bracket; punctuation that usually closes a sentence is not part of it.
fn links_in(text: &str) -> Vec<&str> {
    // ASCII lowercasing keeps every byte offset, so positions found in `lower` index `text`.
    let lower = text.to_ascii_lowercase();
    let mut links = Vec::new();
    let mut from = 0;
    while let Some(found) = lower[from..].find("http") {
        let start = from + found;
        let rest = &lower[start..];
        let scheme_len = if rest.starts_with("https://") {
            8
        } else if rest.starts_with("http://") {
            7
        } else {
            from = start + 4;
            continue;
        };
        let len = text[start..]
            .find(|c: char| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '\'' | '`'))
            .unwrap_or(text.len() - start);
        let link = trim_link_end(&text[start..start + len]);
        if link.len() > scheme_len {
            links.push(link);
        }
        from = start + len.max(scheme_len);
    }
    links
}

fn trim_link_end(mut link: &str) -> &str {
    loop {
        let Some(last) = link.chars().last() else { return link };
        // A closing parenthesis belongs to the link when it closes one opened inside it (Wikipedia style).
        let unbalanced_paren = last == ')' && link.matches(')').count() > link.matches('(').count();
        if matches!(last, '.' | ',' | ';' | ':' | '!' | '?' | ']' | '}') || unbalanced_paren {
            link = &link[..link.len() - last.len_utf8()];
        } else {
            return link;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_parser::MimeHeaders;
    use std::sync::Mutex;

    const FROM: &str = "Atelier <studio@localhost>";

    fn eml_files(dir: &Path) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "eml"))
            .collect();
        files.sort();
        files
    }

    /// Collects what `tracing` prints while a test runs on the current thread.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Captured {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    #[tokio::test]
    async fn outbox_writes_a_parseable_eml_and_logs_every_link() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt().with_ansi(false).with_writer(move || writer.clone()).finish();
        // While only one dispatcher exists, tracing asks just the registering thread's default whether a
        // call site is wanted, so a test on another thread logging through the same call site could
        // switch it off for this one. A second live dispatcher makes it ask all of them.
        let _second = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
        let _guard = tracing::subscriber::set_default(subscriber);

        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("outbox");
        let mailer = OutboxMailer::new(&dir, FROM).unwrap();
        let verify = "https://atelier.example/verify?token=AbC123_-xyz&next=%2Fstudio";
        let text = format!(
            "Welcome to Atelier, Zoë!\n\nConfirm your address: {verify}.\n\
             Or read the guide (http://localhost:3000/help).\nThanks."
        );
        let mail = OutgoingMail::text("Ada Lovelace <ada@example.com>", "Confirm your Atelier account", text);
        mailer.send(mail).await.unwrap();

        let files = eml_files(&dir);
        assert_eq!(files.len(), 1);
        let raw = std::fs::read(&files[0]).unwrap();
        let parsed = mail_parser::MessageParser::default().parse(&raw).expect("a parseable message");
        let to = parsed.to().and_then(|to| to.first()).unwrap();
        assert_eq!(to.address(), Some("ada@example.com"));
        assert_eq!(to.name(), Some("Ada Lovelace"));
        let from = parsed.from().and_then(|from| from.first()).unwrap();
        assert_eq!(from.address(), Some("studio@localhost"));
        assert_eq!(parsed.subject(), Some("Confirm your Atelier account"));
        assert!(parsed.date().is_some());
        assert!(parsed.message_id().is_some_and(|id| id.ends_with("@localhost")));
        let body = parsed.body_text(0).unwrap();
        assert!(body.contains("Welcome to Atelier, Zoë!"), "{body}");
        assert!(body.contains(verify), "{body}");
        let content_type = parsed.content_type().unwrap();
        assert_eq!((content_type.ctype(), content_type.subtype()), ("text", Some("plain")));
        assert_eq!(content_type.attribute("charset"), Some("utf-8"));

        let log = captured.text();
        assert!(log.contains("ada@example.com"), "{log}");
        assert!(log.contains("Confirm your Atelier account"), "{log}");
        assert!(log.contains(verify), "{log}");
        assert!(log.contains("http://localhost:3000/help"), "{log}");
        assert!(!log.contains("help)"), "{log}");
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    }

    #[tokio::test]
    async fn outbox_writes_html_as_an_alternative() {
        let tmp = tempfile::tempdir().unwrap();
        let mailer = OutboxMailer::new(tmp.path(), FROM).unwrap();
        let mail = OutgoingMail::text("ada@example.com", "Hi", "Plain words")
            .with_html("<p>Rich <a href=\"https://x.example/\">words</a></p>");
        let path = mailer.write(&mail).await.unwrap();
        let raw = std::fs::read(path).unwrap();
        let parsed = mail_parser::MessageParser::default().parse(&raw).unwrap();
        assert!(String::from_utf8_lossy(&raw).contains("multipart/alternative"));
        assert_eq!(parsed.body_text(0).as_deref(), Some("Plain words"));
        assert!(parsed.body_html(0).unwrap().contains("<a href=\"https://x.example/\">words</a>"));
    }

    #[tokio::test]
    async fn outbox_file_names_sort_by_time() {
        let tmp = tempfile::tempdir().unwrap();
        let mailer = OutboxMailer::new(tmp.path(), FROM).unwrap();
        let mut written = Vec::new();
        for n in 0..5 {
            let mail = OutgoingMail::text("ada@example.com", format!("Message {n}"), "body");
            written.push(mailer.write(&mail).await.unwrap());
        }
        assert_eq!(eml_files(tmp.path()), written, "name order is write order");
        let name = written[0].file_name().unwrap().to_str().unwrap();
        // 20260102T030405.123456Z-<uuid>.eml
        assert_eq!(name.len(), "20260102T030405.123456Z-".len() + 36 + ".eml".len(), "{name}");
        assert!(name.as_bytes()[8] == b'T' && name[23..].starts_with('-'), "{name}");
    }

    #[tokio::test]
    async fn invalid_recipient_is_refused_and_nothing_is_written() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("outbox");
        let mailer = OutboxMailer::new(&dir, FROM).unwrap();
        for bad in ["not-an-address", "", "ada@", "a@b.example, c@d.example", "ada@example.com\r\nBcc: eve@x.example"] {
            let err = mailer.send(OutgoingMail::text(bad, "Hi", "body")).await.unwrap_err();
            match &err {
                MailError::InvalidAddress { role, address, .. } => {
                    assert_eq!(*role, "recipient");
                    assert_eq!(address, bad);
                }
                other => panic!("{bad:?}: expected InvalidAddress, got {other:?}"),
            }
            assert!(err.to_string().starts_with("invalid recipient address \""), "{err}");
        }
        assert!(!dir.exists(), "no file and no directory for refused mail");
    }

    #[tokio::test]
    async fn header_injection_through_the_subject_is_neutralised() {
        let tmp = tempfile::tempdir().unwrap();
        let mailer = OutboxMailer::new(tmp.path(), FROM).unwrap();
        let mail = OutgoingMail::text("ada@example.com", "Hello\r\nBcc: eve@evil.example", "body");
        let path = mailer.write(&mail).await.unwrap();
        let raw = std::fs::read(path).unwrap();
        let parsed = mail_parser::MessageParser::default().parse(&raw).unwrap();
        assert!(parsed.bcc().is_none());
        assert!(!String::from_utf8_lossy(&raw).lines().any(|line| line.starts_with("Bcc:")));
    }

    #[test]
    fn invalid_sender_is_refused() {
        let err = OutboxMailer::new("/tmp/unused", "Atelier studio").unwrap_err();
        assert!(matches!(err, MailError::InvalidAddress { role: "sender", .. }), "{err:?}");
    }

    #[tokio::test]
    async fn config_picks_outbox_for_an_empty_url_and_smtp_for_an_smtp_url() {
        let tmp = tempfile::tempdir().unwrap();
        // The outbox mailer is the one that writes files.
        let outbox = mailer_from_config("  ", FROM, tmp.path().to_owned()).unwrap();
        outbox.send(OutgoingMail::text("ada@example.com", "Hi", "body")).await.unwrap();
        assert_eq!(eml_files(tmp.path()).len(), 1);

        for url in [
            "smtp://localhost:25",
            "smtp://mailer:s%40cret@mail.example.com:587?tls=required",
            "smtps://mailer:secret@mail.example.com:465",
        ] {
            assert!(SmtpMailer::new(url, FROM).is_ok(), "{url}");
            mailer_from_config(url, FROM, tmp.path().to_owned()).unwrap();
        }
        assert_eq!(eml_files(tmp.path()).len(), 1, "an SMTP mailer writes nothing");
        let debug = format!("{:?}", SmtpMailer::new("smtps://mailer:secret@mail.example.com", FROM).unwrap());
        assert!(!debug.contains("secret"), "{debug}");
    }

    #[test]
    fn malformed_smtp_urls_are_refused_with_a_clear_error() {
        for url in
            ["mail.example.com:25", "http://mail.example.com", "smtp://", "smtp://host:99999", "smtp://host?tls=maybe"]
        {
            let err = match mailer_from_config(url, FROM, PathBuf::from("/tmp/unused")) {
                Err(err) => err,
                Ok(_) => panic!("{url} was accepted"),
            };
            assert!(matches!(err, MailError::InvalidSmtpUrl(_)), "{url}: {err:?}");
            assert!(err.to_string().starts_with("invalid SMTP URL ("), "{err}");
        }
        let err = SmtpMailer::new("smtps://mailer:hunter2@:465", FROM).err().unwrap();
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }

    #[test]
    fn a_password_without_tls_is_noticed() {
        assert!(sends_password_in_clear("smtp://user:pass@mail.example.com:25"));
        assert!(!sends_password_in_clear("smtp://user:pass@mail.example.com:587?tls=required"));
        assert!(!sends_password_in_clear("smtps://user:pass@mail.example.com"));
        assert!(!sends_password_in_clear("smtp://localhost:1025"));
    }

    #[test]
    fn links_are_found_whole_and_without_trailing_punctuation() {
        let text = "Go to https://a.example/x?y=1&z=2. Or (http://b.example/p). \
                    Also <https://c.example/>, \"https://d.example/q\" and https://en.wikipedia.org/wiki/Rust_(language)! \
                    Not ftp://e.example, not https:// alone, HTTPS://F.EXAMPLE/Up counts; httpx://no.";
        assert_eq!(
            links_in(text),
            [
                "https://a.example/x?y=1&z=2",
                "http://b.example/p",
                "https://c.example/",
                "https://d.example/q",
                "https://en.wikipedia.org/wiki/Rust_(language)",
                "HTTPS://F.EXAMPLE/Up",
            ]
        );
        assert!(links_in("").is_empty());
        assert!(links_in("http").is_empty());
        assert_eq!(links_in("ünïcödé https://x.example/ä ok"), ["https://x.example/ä"]);
    }
}
