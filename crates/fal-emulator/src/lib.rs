//! A protocol-faithful emulator of fal.ai: the queue (submit, status, status stream, result, cancel),
//! synchronous runs, storage uploads and signed webhooks, answering with images from Atelier's offline
//! renderer. Faults can be injected per call (`POST /_emulator/faults` or the `x-fal-emulator-fault`
//! header) so clients can be tested against every failure fal documents.
//!
//! One port serves every host under a path prefix: `/queue` (queue.fal.run), `/sync` (fal.run), `/rest`
//! (rest.fal.ai), `/files` (the CDN) and `/_emulator` (control and inspection).

mod auth;
mod clock;
mod config;
mod errors;
mod faults;
mod files;
mod jobs;
mod model_id;
mod routes;
mod state;
mod stats;
mod webhooks;

pub use config::EmulatorConfig;
pub use faults::FAULT_HEADER;
pub use jobs::runner::spawn_runners;
pub use routes::router;
pub use state::AppState;
pub use webhooks::{WEBHOOK_USER_ID, jwks, key_id, sign_webhook};

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::task::JoinHandle;

/// A running emulator. Dropping it stops it too; [`Emulator::shutdown`] also waits for that.
pub struct Emulator {
    state: Arc<AppState>,
    local_addr: SocketAddr,
    tasks: Vec<JoinHandle<()>>,
}

impl Emulator {
    /// Binds `addr` (port 0 picks a free port) and starts serving and running requests.
    pub async fn start(config: EmulatorConfig, addr: SocketAddr) -> std::io::Result<Emulator> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        let base_url = config.public_url.clone().unwrap_or_else(|| format!("http://{}", reachable(local_addr)));
        let state = Arc::new(AppState::new(config, &base_url)?);
        let mut tasks = spawn_runners(&state);
        let app = router(state.clone());
        tasks.push(tokio::spawn(async move {
            // Without TCP_NODELAY, a status stream's second event on a reused connection waits ~40 ms
            // for a delayed ACK.
            let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
                let _ = tcp.set_nodelay(true);
            });
            if let Err(error) = axum::serve(listener, app).await {
                tracing::error!(%error, "the emulator's server stopped");
            }
        }));
        tracing::info!(url = %base_url, "fal emulator started");
        Ok(Emulator { state, local_addr, tasks })
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        self.state.base_url().to_owned()
    }

    /// Stands for `https://queue.fal.run`.
    pub fn queue_url(&self) -> String {
        format!("{}/queue", self.url())
    }

    /// Stands for `https://fal.run`.
    pub fn sync_url(&self) -> String {
        format!("{}/sync", self.url())
    }

    /// Stands for `https://rest.fal.ai`.
    pub fn rest_url(&self) -> String {
        format!("{}/rest", self.url())
    }

    pub fn jwks_url(&self) -> String {
        format!("{}/rest/.well-known/jwks.json", self.url())
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The key callers must send as `Authorization: Key <key>`.
    pub fn key(&self) -> &str {
        &self.state.config.key
    }

    /// The key webhooks are signed with (its public half is in the JWKS).
    pub fn signing_key(&self) -> &ed25519_dalek::SigningKey {
        self.state.signing_key()
    }

    /// Stops serving and running requests.
    pub async fn shutdown(mut self) {
        for task in self.tasks.drain(..) {
            task.abort();
            let _ = task.await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// An address to reach a listener on: an unspecified address (0.0.0.0) is reached on loopback.
fn reachable(addr: SocketAddr) -> SocketAddr {
    match addr {
        SocketAddr::V4(v4) if v4.ip().is_unspecified() => SocketAddr::from(([127, 0, 0, 1], v4.port())),
        SocketAddr::V6(v6) if v6.ip().is_unspecified() => SocketAddr::from(([0, 0, 0, 0, 0, 0, 0, 1], v6.port())),
        other => other,
    }
}

/// Locks a mutex, carrying on after a panic elsewhere (the data stays usable for an emulator).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
