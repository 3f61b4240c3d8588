//! A throwaway PostgreSQL server for integration tests.
//!
//! The first call to [`fresh_database`] in a test binary initialises a cluster in a temp dir and
//! starts it on a free port of 127.0.0.1 (`fsync` off: nothing here needs to survive a crash);
//! every call then creates a new, empty database in it, so tests never see each other's rows.
//!
//! How it works on this machine:
//! - Binaries come from `$ATELIER_PG_BIN`, else the newest `/usr/lib/postgresql/*/bin`, else
//!   `$PATH`.
//! - `initdb` and `pg_ctl` refuse to run as root: as root (CI), they run as the `postgres` user
//!   through `runuser`, in a directory under `/tmp` owned by that user.
//! - Statics are never dropped, so the cluster cannot be stopped from a destructor. Instead a
//!   detached watchdog shell polls the test process and, once it is gone, stops the server
//!   (`-m immediate`) and deletes the directory: nothing is left behind a second or two after
//!   the tests end, even if they panic or are interrupted.
#![allow(dead_code)]

use std::env;
use std::fs;
use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use sea_orm::{ConnectionTrait, Database};

/// Overrides the directory holding `initdb`, `pg_ctl` and `postgres`.
const BIN_ENV: &str = "ATELIER_PG_BIN";
/// The superuser created by `initdb`; it authenticates with `trust` (no password).
const SUPERUSER: &str = "postgres";
/// The OS account that owns the cluster when the tests run as root.
const OS_USER: &str = "postgres";
/// Another process can take the picked port between our probe and the server's bind.
const START_ATTEMPTS: usize = 5;

struct Cluster {
    port: u16,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();
static DATABASES: AtomicUsize = AtomicUsize::new(0);

/// Creates a new empty database in this process's PostgreSQL server (started on first use) and
/// returns its URL, `postgres://postgres@127.0.0.1:PORT/NAME`.
pub async fn fresh_database() -> String {
    let port = tokio::task::spawn_blocking(|| CLUSTER.get_or_init(Cluster::start).port)
        .await
        .expect("the PostgreSQL fixture panicked while starting the server");

    let name = format!("atelier_test_{}_{}", std::process::id(), DATABASES.fetch_add(1, Ordering::Relaxed));
    let admin_url = server_url(port, "postgres");
    let admin =
        Database::connect(admin_url.as_str()).await.unwrap_or_else(|err| panic!("connect to {admin_url}: {err}"));
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .unwrap_or_else(|err| panic!("CREATE DATABASE {name}: {err}"));
    admin.close().await.expect("close the admin connection to PostgreSQL");
    server_url(port, &name)
}

fn server_url(port: u16, database: &str) -> String {
    format!("postgres://{SUPERUSER}@127.0.0.1:{port}/{database}")
}

impl Cluster {
    /// Initialises and starts the cluster, and arms the watchdog. Panics with the server log
    /// when something fails.
    fn start() -> Cluster {
        let bin = bin_dir();
        let as_root = running_as_root();
        let dir = make_dir(as_root);
        let data = dir.join("data");
        let log = dir.join("log");

        let initdb = bin.join("initdb");
        let output = run(
            as_root,
            Command::new(&initdb)
                .args(["--auth=trust", "--username", SUPERUSER, "--encoding=UTF8"])
                .args(["--no-locale", "--no-sync", "--no-instructions", "-D"])
                .arg(&data),
        );
        if !output.status.success() {
            let _ = fs::remove_dir_all(&dir);
            panic!(
                "{} failed ({}):\n{}{}",
                initdb.display(),
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }

        // From here on the directory exists and, after the first start, a server may run: the
        // watchdog owns the cleanup in every outcome, including our own panic below.
        let pg_ctl = bin.join("pg_ctl");
        spawn_watchdog(as_root, &pg_ctl, &data, &dir);

        let mut last_failure = String::new();
        for attempt in 1..=START_ATTEMPTS {
            let port = free_port();
            let options = format!(
                "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off \
                 -c full_page_writes=off -c synchronous_commit=off",
                dir.display()
            );
            let output = run(
                as_root,
                Command::new(&pg_ctl)
                    .arg("-D")
                    .arg(&data)
                    .arg("-o")
                    .arg(&options)
                    .args(["-w", "-t", "60", "-l"])
                    .arg(&log)
                    .arg("start"),
            );
            if output.status.success() {
                return Cluster { port };
            }
            let server_log = fs::read_to_string(&log).unwrap_or_default();
            last_failure = format!(
                "{} start failed ({}):\n{}{}\n--- server log ---\n{server_log}",
                pg_ctl.display(),
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            if attempt < START_ATTEMPTS && server_log.contains("Address already in use") {
                eprintln!("PostgreSQL lost port {port} to another process; retrying");
                continue;
            }
            break;
        }
        panic!("{last_failure}");
    }
}

/// Where `initdb`, `pg_ctl` and `postgres` live.
fn bin_dir() -> PathBuf {
    let has_tools = |dir: &Path| ["initdb", "pg_ctl", "postgres"].iter().all(|b| dir.join(b).is_file());

    if let Some(dir) = env::var_os(BIN_ENV) {
        let dir = PathBuf::from(dir);
        assert!(has_tools(&dir), "${BIN_ENV}={} does not contain initdb, pg_ctl and postgres", dir.display());
        return dir;
    }

    // Debian/Ubuntu layout: /usr/lib/postgresql/<major>/bin, the newest major first.
    let mut versioned: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let major = entry.file_name().to_str()?.parse::<u32>().ok()?;
            Some((major, entry.path().join("bin")))
        })
        .filter(|(_, dir)| has_tools(dir))
        .collect();
    versioned.sort();
    if let Some((_, dir)) = versioned.pop() {
        return dir;
    }

    if let Some(dir) = env::var_os("PATH").iter().flat_map(env::split_paths).find(|dir| has_tools(dir)) {
        return dir;
    }

    panic!(
        "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found: install PostgreSQL \
         (e.g. the postgresql-15 package, /usr/lib/postgresql/15/bin) or set ${BIN_ENV} to the \
         directory that holds them"
    );
}

/// `initdb` refuses to run as root, so as root everything runs as the `postgres` user.
fn running_as_root() -> bool {
    let output = Command::new("id").arg("-u").output().expect("run `id -u` to find out whether the tests run as root");
    String::from_utf8_lossy(&output.stdout).trim() == "0"
}

/// A fresh directory for the cluster. As root it is under `/tmp` (the `postgres` user must be
/// able to reach it, which a private `$TMPDIR` may not allow) and owned by `postgres`.
fn make_dir(as_root: bool) -> PathBuf {
    let parent = if as_root { PathBuf::from("/tmp") } else { env::temp_dir() };
    let dir = tempfile::Builder::new()
        .prefix("atelier-pg-")
        .tempdir_in(&parent)
        .unwrap_or_else(|err| panic!("create a temp dir in {}: {err}", parent.display()))
        .keep();
    if as_root {
        let status = Command::new("chown").arg(format!("{OS_USER}:{OS_USER}")).arg(&dir).status().expect("run chown");
        assert!(
            status.success(),
            "chown {OS_USER}:{OS_USER} {} failed ({status}): does the `{OS_USER}` user exist?",
            dir.display()
        );
    }
    dir
}

/// Runs `command`, as the `postgres` user when `as_root`, and collects its output. The server
/// started by `pg_ctl start` has its output redirected to the log file, so this returns as soon
/// as `pg_ctl` exits.
fn run(as_root: bool, command: &mut Command) -> Output {
    let mut command = if as_root {
        let mut wrapped = Command::new("runuser");
        wrapped.args(["-u", OS_USER, "--"]).arg(command.get_program()).args(command.get_args());
        wrapped
    } else {
        std::mem::replace(command, Command::new("true"))
    };
    let program = format!("{command:?}");
    command.stdin(Stdio::null()).output().unwrap_or_else(|err| panic!("run {program}: {err}"))
}

/// Starts a detached shell that waits for this process to end, then stops the server and
/// deletes `dir`. It runs as the current user (so `kill -0` can see this process even as root)
/// and only `pg_ctl` switches to `postgres`. Its own process group and null stdio keep it out
/// of the terminal's Ctrl-C and let whoever reads the test output see EOF when the tests end.
fn spawn_watchdog(as_root: bool, pg_ctl: &Path, data: &Path, dir: &Path) {
    let runuser = if as_root { format!("runuser -u {OS_USER} -- ") } else { String::new() };
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; \
         {runuser}{pg_ctl} -D {data} stop -m immediate >/dev/null 2>&1; \
         rm -rf {dir}",
        pid = std::process::id(),
        pg_ctl = shell_quote(pg_ctl),
        data = shell_quote(data),
        dir = shell_quote(dir),
    );
    // Deliberately never waited for: it must outlive this process.
    #[allow(clippy::zombie_processes)]
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("spawn the PostgreSQL watchdog shell");
}

fn shell_quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .expect("bind a probe socket on 127.0.0.1")
        .port()
}
