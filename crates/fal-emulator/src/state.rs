//! What every handler and runner shares.

use crate::config::EmulatorConfig;
use crate::faults::FaultBook;
use crate::files::FileStore;
use crate::jobs::JobStore;
use crate::model_id::ModelId;
use crate::stats::Stats;
use atelier_catalogue::{Catalogue, ModelSpec, ProviderKind};
use ed25519_dalek::SigningKey;
use std::time::Duration;

pub struct AppState {
    pub(crate) config: EmulatorConfig,
    /// `http://127.0.0.1:PORT`, the base of every URL handed out.
    pub(crate) base_url: String,
    pub(crate) catalogue: &'static Catalogue,
    pub(crate) signing_key: SigningKey,
    /// For webhooks and input downloads.
    pub(crate) http: reqwest::Client,
    pub(crate) jobs: JobStore,
    pub(crate) files: FileStore,
    pub(crate) faults: FaultBook,
    pub(crate) stats: Stats,
}

impl AppState {
    /// Shared state for an emulator whose URLs start with `base_url`; a fresh webhook signing key.
    pub fn new(config: EmulatorConfig, base_url: &str) -> std::io::Result<AppState> {
        let signing_key =
            crate::webhooks::generate_signing_key().map_err(|error| std::io::Error::other(error.to_string()))?;
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(std::io::Error::other)?;
        Ok(AppState {
            config,
            base_url: base_url.trim_end_matches('/').to_owned(),
            catalogue: Catalogue::embedded(),
            signing_key,
            http,
            jobs: JobStore::default(),
            files: FileStore::default(),
            faults: FaultBook::default(),
            stats: Stats::default(),
        })
    }

    pub fn signing_key(&self) -> &SigningKey {
        &self.signing_key
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// A model fal serves (the catalogue's offline `atelier/…` models are not on fal).
    pub(crate) fn fal_model(&self, id: &ModelId) -> Option<&'static ModelSpec> {
        self.catalogue.get(id.full()).filter(|spec| spec.provider == ProviderKind::Fal)
    }
}
