//! A real S3-compatible server for contract tests: `s3s-fs` in a child process over a temp dir.
//!
//! What the fixture relies on (checked against s3s-fs 0.14.1):
//! - A bucket is a directory directly under the served root, so creating one is a `mkdir`
//!   (the S3 `CreateBucket` call works too). Names must be valid S3 bucket names: `b1` is
//!   rejected with `InvalidBucketName`, it is too short.
//! - Object metadata (content type, user metadata) lives in hidden `.bucket-*.json` files in
//!   the root, object bodies at `<root>/<bucket>/<key>`.
//! - Every request must be SigV4-signed with the given keys; any region is accepted.
//! - Path-style addressing only (virtual hosts need `--domain`). aws-sdk-s3 falls back to path
//!   style by itself for an IP endpoint like this one; set `force_path_style(true)` anyway.
//! - It listens within a few milliseconds; `--port 0` is not reported back, so the fixture
//!   picks the port. It logs to stdout (errors only unless `RUST_LOG` says otherwise).
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::env;
use std::fs::{self, File};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

/// Overrides where the `s3s-fs` binary is looked up.
const BINARY_ENV: &str = "ATELIER_S3S_FS";
const STARTUP_TIMEOUT: Duration = Duration::from_secs(15);
/// Another process can take the picked port between our probe and the child's bind.
const START_ATTEMPTS: usize = 5;

pub struct S3Server {
    /// `http://127.0.0.1:<port>`, for a path-style client.
    pub endpoint: String,
    pub access_key: String,
    pub secret_key: String,
    pub region: String,
    child: Child,
    root: PathBuf,
    // Declared last: the directory goes only after `drop` has stopped the child.
    _dir: tempfile::TempDir,
}

impl S3Server {
    /// Starts a fresh server on a free port over a new temp dir, and waits until it accepts
    /// TCP connections. Panics with the server's log if it cannot start.
    pub fn start() -> S3Server {
        let binary = binary();
        let dir = tempfile::Builder::new().prefix("atelier-s3s-").tempdir().expect("create a temp dir for s3s-fs");
        // Logs sit beside the served root, not in it, so they never show up as buckets.
        let root = dir.path().join("data");
        fs::create_dir(&root).expect("create the s3s-fs data dir");

        let access_key = "atelier-test-access".to_owned();
        let secret_key = "atelier-test-secret-key".to_owned();

        for attempt in 1..=START_ATTEMPTS {
            let port = free_port();
            let log = dir.path().join(format!("s3s-fs-{attempt}.log"));
            let mut child = spawn(&binary, port, &access_key, &secret_key, &root, &log);
            match wait_until_listening(&mut child, port) {
                Ok(()) => {
                    return S3Server {
                        endpoint: format!("http://127.0.0.1:{port}"),
                        access_key,
                        secret_key,
                        region: "us-east-1".to_owned(),
                        child,
                        root,
                        _dir: dir,
                    };
                }
                Err(Failure::Exited(status))
                    if attempt < START_ATTEMPTS && log_tail(&log).contains("Address already in use") =>
                {
                    eprintln!("s3s-fs lost port {port} to another process ({status}); retrying");
                }
                Err(failure) => {
                    stop(&mut child);
                    panic!(
                        "s3s-fs ({}) did not start on 127.0.0.1:{port}: {failure}\n\
                         --- end of its log ---\n{}",
                        binary.display(),
                        log_tail(&log),
                    );
                }
            }
        }
        unreachable!("the last attempt either returns or panics")
    }

    /// Creates a bucket: s3s-fs models a bucket as a directory under its root, so this is a
    /// `mkdir` (idempotent). The name must be a valid S3 bucket name, as s3s-fs enforces them.
    pub fn create_bucket(&self, name: &str) {
        assert!(
            is_valid_bucket_name(name),
            "{name:?} is not a valid S3 bucket name (3-63 chars of a-z, 0-9, '-', '.', \
             starting and ending with a letter or digit); s3s-fs would reject it"
        );
        let path = self.root.join(name);
        fs::create_dir_all(&path).unwrap_or_else(|e| panic!("create bucket directory {}: {e}", path.display()));
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        stop(&mut self.child);
    }
}

enum Failure {
    Exited(ExitStatus),
    TimedOut,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Exited(status) => write!(f, "it exited early ({status})"),
            Failure::TimedOut => write!(f, "no connection accepted within {STARTUP_TIMEOUT:?}"),
        }
    }
}

/// `$ATELIER_S3S_FS`, else `s3s-fs` on `PATH`, else the repo's sibling `shared/tools/bin`.
fn binary() -> PathBuf {
    if let Some(path) = env::var_os(BINARY_ENV).filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        assert!(path.is_file(), "{BINARY_ENV} is set to {}, which is not a file", path.display());
        return path;
    }
    let name = format!("s3s-fs{}", env::consts::EXE_SUFFIX);
    let on_path = env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join(&name))
        .find(|candidate| candidate.is_file());
    if let Some(path) = on_path {
        return path;
    }
    let fallback = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tools/bin").join(&name);
    assert!(
        fallback.is_file(),
        "the s3s-fs binary was not found: set {BINARY_ENV}, put s3s-fs on PATH, or install it at {}",
        fallback.display()
    );
    fallback
}

/// A port nothing listens on right now. Ports already handed out in this process are never
/// reused, so servers started by parallel tests cannot collide with each other.
fn free_port() -> u16 {
    static HANDED_OUT: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());
    let mut handed_out = HANDED_OUT.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    loop {
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|listener| listener.local_addr())
            .expect("bind 127.0.0.1:0 to find a free port")
            .port();
        if handed_out.insert(port) {
            return port;
        }
    }
}

fn spawn(binary: &Path, port: u16, access_key: &str, secret_key: &str, root: &Path, log: &Path) -> Child {
    let stdout = File::options()
        .create(true)
        .write(true)
        .truncate(true)
        .open(log)
        .unwrap_or_else(|e| panic!("open s3s-fs log {}: {e}", log.display()));
    let stderr = stdout.try_clone().expect("clone the s3s-fs log handle");
    Command::new(binary)
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .args(["--access-key", access_key, "--secret-key", secret_key])
        .arg(root)
        // Startup and request errors in the log, whatever the test run's own RUST_LOG is.
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .unwrap_or_else(|e| panic!("start s3s-fs ({}): {e}", binary.display()))
}

fn wait_until_listening(child: &mut Child, port: u16) -> Result<(), Failure> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let deadline = Instant::now() + STARTUP_TIMEOUT;
    loop {
        if let Some(status) = child.try_wait().expect("poll the s3s-fs process") {
            return Err(Failure::Exited(status));
        }
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            // Whoever answered, our child must still be alive: a lost bind makes it exit at once.
            thread::sleep(Duration::from_millis(20));
            return match child.try_wait().expect("poll the s3s-fs process") {
                Some(status) => Err(Failure::Exited(status)),
                None => Ok(()),
            };
        }
        if Instant::now() >= deadline {
            return Err(Failure::TimedOut);
        }
        thread::sleep(Duration::from_millis(10));
    }
}

fn stop(child: &mut Child) {
    // Already exited is fine; anything else is worth nothing more than a best effort in a test.
    let _ = child.kill();
    let _ = child.wait();
}

/// The last lines of the server log, for panic messages.
fn log_tail(log: &Path) -> String {
    const MAX_LINES: usize = 40;
    match fs::read(log) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let lines: Vec<&str> = text.lines().collect();
            lines[lines.len().saturating_sub(MAX_LINES)..].join("\n")
        }
        Err(e) => format!("(could not read the log: {e})"),
    }
}

fn is_valid_bucket_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    (3..=63).contains(&bytes.len())
        && bytes.iter().all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && bytes[0].is_ascii_alphanumeric()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
        && !name.contains("..")
}
