//! `AppState`: what every request handler and server function can reach.

use crate::server::auth::rate_limit::{self, RateLimiter};
use crate::server::auth::session::SessionPolicy;
use crate::server::catalogue;
use crate::server::config::Config;
use crate::server::db;
use crate::server::events::EventBus;
use crate::server::mail::{self, Mailer};
use crate::server::storage::{self, BlobStore};
use atelier_catalogue::Catalogue;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

#[derive(Clone, axum::extract::FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: DatabaseConnection,
    pub storage: Arc<dyn BlobStore>,
    pub config: Arc<Config>,
    pub mailer: Arc<dyn Mailer>,
    pub sessions: Arc<SessionPolicy>,
    pub rate_limiter: Arc<RateLimiter>,
    pub fal: Arc<crate::server::providers::fal::Fal>,
    /// Live progress: publish a user's events, stream them to their browsers.
    pub events: EventBus,
}

/// Why the studio could not start; printed as one line.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error("cannot open the database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("cannot open the image store: {0}")]
    Storage(#[from] storage::StorageError),
    #[error("cannot set up outgoing mail: {0}")]
    Mail(#[from] mail::MailError),
}

impl AppState {
    /// Opens the database (running pending migrations), the image store and the mailer the
    /// configuration names.
    pub async fn open(config: Config) -> Result<Self, StartupError> {
        let data_dir = config.data_dir();
        std::fs::create_dir_all(data_dir)
            .map_err(|source| StartupError::DataDir { path: data_dir.display().to_string(), source })?;
        let db = db::connect_and_migrate(&config.database_url()).await?;
        catalogue::sync(&db, Catalogue::embedded()).await?;
        let storage = storage::open(&config).await?;
        let events = EventBus::start(db.clone()).await?;
        let mailer = mail::mailer_from_config(&config.mail.smtp_url, &config.mail.from, data_dir.join("outbox"))?;
        Ok(Self {
            leptos_options: leptos_options(&config),
            db,
            storage,
            mailer,
            sessions: Arc::new(SessionPolicy::from_config(&config)),
            rate_limiter: Arc::new(RateLimiter::new(rate_limit::WINDOW, config.auth.rate_limit_scale)),
            fal: Arc::new(crate::server::providers::fal::Fal::from_config(&config.providers.fal)),
            events,
            config: Arc::new(config),
        })
    }

    /// The state of the request a server function is answering.
    pub fn current() -> Self {
        leptos::prelude::expect_context::<Self>()
    }
}

/// Leptos' own settings, derived from ours. cargo-leptos writes `hash.txt` beside the binary when it
/// fingerprints the bundle file names; its presence switches hashed names on.
fn leptos_options(config: &Config) -> LeptosOptions {
    let hash_files = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("hash.txt").exists()))
        .unwrap_or(false);
    LeptosOptions::builder()
        .output_name("atelier")
        .site_root(config.server.site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.address())
        .hash_files(hash_files)
        .build()
}
