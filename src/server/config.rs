//! The studio's runtime settings: the embedded `Leptos.toml` defaults, then the user's file, then
//! environment variables. Anything wrong stops start-up with one line naming the key.

use crate::server::imaging::ImageLimits;
use serde::Deserialize;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use toml::{Table, Value};

/// The defaults, compiled in so the binary runs with no file at all.
const EMBEDDED_DEFAULTS: &str = include_str!("../../Leptos.toml");

/// Environment variables and the setting each one overrides. Later entries win.
const ENV_OVERRIDES: &[(&str, &str)] = &[
    ("ATELIER_ADDRESS", "server.address"),
    ("ATELIER_PUBLIC_URL", "server.public_url"),
    ("ATELIER_DATA_DIR", "server.data_dir"),
    ("LEPTOS_SITE_ROOT", "server.site_root"),
    ("ATELIER_SITE_ROOT", "server.site_root"),
    ("ATELIER_MAX_BODY_BYTES", "server.max_body_bytes"),
    ("DATABASE_URL", "database.url"),
    ("ATELIER_STORAGE", "storage.backend"),
    ("ATELIER_STORAGE_DIR", "storage.local_dir"),
    ("ATELIER_S3_ENDPOINT", "storage.s3.endpoint"),
    ("ATELIER_S3_REGION", "storage.s3.region"),
    ("ATELIER_S3_BUCKET", "storage.s3.bucket"),
    ("ATELIER_S3_PATH_STYLE", "storage.s3.path_style"),
    ("ATELIER_S3_ACCESS_KEY_ID", "storage.s3.access_key_id"),
    ("ATELIER_S3_SECRET_ACCESS_KEY", "storage.s3.secret_access_key"),
    ("FAL_KEY", "providers.fal.key"),
    ("ATELIER_FAL_QUEUE_URL", "providers.fal.queue_url"),
    ("ATELIER_FAL_SYNC_URL", "providers.fal.sync_url"),
    ("ATELIER_FAL_REST_URL", "providers.fal.rest_url"),
    ("ATELIER_FAL_JWKS_URL", "providers.fal.jwks_url"),
    ("ATELIER_STARTING_CREDITS", "limits.starting_credits"),
    ("ATELIER_MAX_UPLOAD_BYTES", "limits.max_upload_bytes"),
    ("ATELIER_MAX_IMAGE_SIDE", "limits.max_image_side"),
    ("ATELIER_MAX_IMAGES_PER_REQUEST", "limits.max_images_per_request"),
    ("ATELIER_WORKERS", "limits.workers"),
    ("ATELIER_QUEUE_PER_USER", "queue.per_user"),
    ("ATELIER_QUEUE_LEASE_SECONDS", "queue.lease_seconds"),
    ("ATELIER_QUEUE_MAX_ATTEMPTS", "queue.max_attempts"),
    ("ATELIER_QUEUE_RETRY_BASE_SECONDS", "queue.retry_base_seconds"),
    ("ATELIER_QUEUE_RETRY_CAP_SECONDS", "queue.retry_cap_seconds"),
    ("ATELIER_SESSION_IDLE_MINUTES", "auth.session_idle_minutes"),
    ("ATELIER_SESSION_LIFETIME_DAYS", "auth.session_lifetime_days"),
    ("ATELIER_REQUIRE_VERIFIED_EMAIL", "auth.require_verified_email"),
    ("ATELIER_RATE_LIMIT_SCALE", "auth.rate_limit_scale"),
    ("ATELIER_SMTP_URL", "mail.smtp_url"),
    ("ATELIER_MAIL_FROM", "mail.from"),
];

#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub storage: StorageConfig,
    pub providers: ProvidersConfig,
    pub limits: LimitsConfig,
    pub queue: QueueConfig,
    pub auth: AuthConfig,
    pub mail: MailConfig,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ServerConfig {
    pub address: String,
    pub public_url: String,
    pub data_dir: PathBuf,
    pub site_root: PathBuf,
    pub max_body_bytes: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseConfig {
    pub url: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StorageConfig {
    pub backend: String,
    pub local_dir: String,
    pub s3: S3Config,
}

#[derive(Clone, Deserialize)]
pub struct S3Config {
    pub endpoint: String,
    pub region: String,
    pub bucket: String,
    pub path_style: bool,
    pub access_key_id: String,
    pub secret_access_key: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ProvidersConfig {
    pub fal: FalConfig,
}

#[derive(Clone, Deserialize)]
pub struct FalConfig {
    pub key: String,
    pub queue_url: String,
    pub sync_url: String,
    pub rest_url: String,
    pub jwks_url: String,
}

/// How the generation queue runs jobs (the number of workers is `limits.workers`).
#[derive(Debug, Clone, Deserialize)]
pub struct QueueConfig {
    /// Jobs of one user running at once.
    pub per_user: u16,
    /// A worker's hold on a job; renewed while it works, so a dead worker's job is taken over after it.
    pub lease_seconds: u32,
    /// Provider submissions a job gets before it fails for good.
    pub max_attempts: u32,
    pub retry_base_seconds: u32,
    pub retry_cap_seconds: u32,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LimitsConfig {
    pub starting_credits: u32,
    pub max_upload_bytes: u64,
    pub max_image_side: u32,
    pub max_images_per_request: u8,
    pub workers: u16,
}

impl LimitsConfig {
    /// What an image brought in may be, as an upload or as a job's input: the same limits, so that
    /// whatever is uploaded can be used as an input.
    pub fn input_images(&self) -> ImageLimits {
        ImageLimits {
            max_bytes: self.max_upload_bytes,
            max_width: self.max_image_side,
            max_height: self.max_image_side,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct AuthConfig {
    pub session_idle_minutes: u32,
    pub session_lifetime_days: u32,
    pub require_verified_email: bool,
    pub rate_limit_scale: u32,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MailConfig {
    pub smtp_url: String,
    pub from: String,
}

/// Which store keeps image files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageBackend {
    Local,
    S3,
}

/// A setting that cannot be used, with the key (and variable) it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub key: String,
    pub reason: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "configuration error: {}: {}", self.key, self.reason)
    }
}

impl std::error::Error for ConfigError {}

impl ConfigError {
    fn new(key: impl Into<String>, reason: impl Into<String>) -> Self {
        Self { key: key.into(), reason: reason.into() }
    }
}

impl Config {
    /// Loads the settings the way the studio starts: `ATELIER_CONFIG` or `./Leptos.toml` when present,
    /// over the embedded defaults, under the process environment.
    pub fn load() -> Result<Self, ConfigError> {
        let explicit = std::env::var("ATELIER_CONFIG").ok().filter(|p| !p.is_empty());
        let path = explicit.clone().unwrap_or_else(|| "Leptos.toml".to_owned());
        let file = match std::fs::read_to_string(&path) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && explicit.is_none() => None,
            Err(e) => return Err(ConfigError::new("ATELIER_CONFIG", format!("cannot read {path}: {e}"))),
        };
        Self::from_sources(file.as_deref(), |name| std::env::var(name).ok())
    }

    /// The defaults alone, as a fresh install sees them.
    pub fn embedded_defaults() -> Self {
        Self::from_sources(None, |_| None).expect("the embedded Leptos.toml is valid")
    }

    /// Builds the settings from an optional file's text and an environment lookup. Empty variables
    /// count as unset.
    pub fn from_sources(file: Option<&str>, env: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut table: Table = EMBEDDED_DEFAULTS.parse().expect("the embedded Leptos.toml parses");
        if let Some(text) = file {
            let user: Table =
                text.parse().map_err(|e: toml::de::Error| ConfigError::new("Leptos.toml", e.message().to_owned()))?;
            merge_known_keys(&mut table, user, "")?;
        }
        for (var, key) in ENV_OVERRIDES {
            if let Some(raw) = env(var).filter(|v| !v.is_empty()) {
                override_key(&mut table, key, var, &raw)?;
            }
        }
        let config: Config = Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| ConfigError::new("Leptos.toml", e.message().to_owned()))?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        self.server.address.parse::<SocketAddr>().map_err(|_| {
            ConfigError::new(
                "server.address (ATELIER_ADDRESS)",
                format!("'{}' is not an address such as 127.0.0.1:3000", self.server.address),
            )
        })?;
        let public = &self.server.public_url;
        if !is_http_url(public) || public.ends_with('/') {
            return Err(ConfigError::new(
                "server.public_url (ATELIER_PUBLIC_URL)",
                format!("'{public}' must be an origin such as https://studio.example.com (no trailing slash)"),
            ));
        }
        let url = self.database_url();
        if !(url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(ConfigError::new(
                "database.url (DATABASE_URL)",
                "must start with sqlite:, postgres:// or postgresql://",
            ));
        }
        let backend = self.storage_backend()?;
        if backend == StorageBackend::S3 && self.storage.s3.bucket.trim().is_empty() {
            return Err(ConfigError::new(
                "storage.s3.bucket (ATELIER_S3_BUCKET)",
                "must not be empty when storage is s3",
            ));
        }
        let endpoint = &self.storage.s3.endpoint;
        if !endpoint.is_empty() && !is_http_url(endpoint) {
            return Err(ConfigError::new(
                "storage.s3.endpoint (ATELIER_S3_ENDPOINT)",
                format!("'{endpoint}' must start with http:// or https://"),
            ));
        }
        let fal = &self.providers.fal;
        for (key, value) in [
            ("providers.fal.queue_url (ATELIER_FAL_QUEUE_URL)", &fal.queue_url),
            ("providers.fal.sync_url (ATELIER_FAL_SYNC_URL)", &fal.sync_url),
            ("providers.fal.rest_url (ATELIER_FAL_REST_URL)", &fal.rest_url),
            ("providers.fal.jwks_url (ATELIER_FAL_JWKS_URL)", &fal.jwks_url),
        ] {
            if !is_http_url(value) {
                return Err(ConfigError::new(key, format!("'{value}' must start with http:// or https://")));
            }
        }
        let limits = &self.limits;
        if !(1..=8).contains(&limits.max_images_per_request) {
            return Err(ConfigError::new(
                "limits.max_images_per_request (ATELIER_MAX_IMAGES_PER_REQUEST)",
                "must be between 1 and 8",
            ));
        }
        if limits.workers == 0 {
            return Err(ConfigError::new("limits.workers (ATELIER_WORKERS)", "must be at least 1"));
        }
        let queue = &self.queue;
        if queue.per_user == 0 {
            return Err(ConfigError::new("queue.per_user (ATELIER_QUEUE_PER_USER)", "must be at least 1"));
        }
        if queue.lease_seconds < 5 {
            return Err(ConfigError::new("queue.lease_seconds (ATELIER_QUEUE_LEASE_SECONDS)", "must be at least 5"));
        }
        if queue.max_attempts == 0 {
            return Err(ConfigError::new("queue.max_attempts (ATELIER_QUEUE_MAX_ATTEMPTS)", "must be at least 1"));
        }
        if queue.retry_cap_seconds < queue.retry_base_seconds {
            return Err(ConfigError::new(
                "queue.retry_cap_seconds (ATELIER_QUEUE_RETRY_CAP_SECONDS)",
                "must not be below queue.retry_base_seconds",
            ));
        }
        if limits.max_image_side < 64 {
            return Err(ConfigError::new("limits.max_image_side (ATELIER_MAX_IMAGE_SIDE)", "must be at least 64"));
        }
        if self.auth.rate_limit_scale == 0 {
            return Err(ConfigError::new("auth.rate_limit_scale (ATELIER_RATE_LIMIT_SCALE)", "must be at least 1"));
        }
        if self.auth.session_idle_minutes == 0 || self.auth.session_lifetime_days == 0 {
            return Err(ConfigError::new("auth", "session_idle_minutes and session_lifetime_days must be at least 1"));
        }
        Ok(())
    }

    /// The listening address (validated at load).
    pub fn address(&self) -> SocketAddr {
        self.server.address.parse().expect("validated at load")
    }

    /// The database URL, defaulting to a SQLite file in the data dir that is created on first use.
    pub fn database_url(&self) -> String {
        if self.database.url.is_empty() {
            let path = self.server.data_dir.join("atelier.db");
            format!("sqlite://{}?mode=rwc", path.display())
        } else {
            self.database.url.clone()
        }
    }

    pub fn storage_backend(&self) -> Result<StorageBackend, ConfigError> {
        match self.storage.backend.as_str() {
            "local" => Ok(StorageBackend::Local),
            "s3" => Ok(StorageBackend::S3),
            other => Err(ConfigError::new(
                "storage.backend (ATELIER_STORAGE)",
                format!("'{other}' is not a storage backend: use local or s3"),
            )),
        }
    }

    /// Where the local store keeps its files.
    pub fn local_storage_dir(&self) -> PathBuf {
        if self.storage.local_dir.is_empty() {
            self.server.data_dir.join("blobs")
        } else {
            PathBuf::from(&self.storage.local_dir)
        }
    }

    /// Whether generation goes to fal.ai (a key is set) or to the built-in offline renderer.
    pub fn uses_fal(&self) -> bool {
        !self.providers.fal.key.is_empty()
    }

    pub fn data_dir(&self) -> &Path {
        &self.server.data_dir
    }
}

/// Secrets stay out of logs and panic messages.
impl fmt::Debug for S3Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Config")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("bucket", &self.bucket)
            .field("path_style", &self.path_style)
            .field("access_key_id", &redacted(&self.access_key_id))
            .field("secret_access_key", &redacted(&self.secret_access_key))
            .finish()
    }
}

impl fmt::Debug for FalConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FalConfig")
            .field("key", &redacted(&self.key))
            .field("queue_url", &self.queue_url)
            .field("sync_url", &self.sync_url)
            .field("rest_url", &self.rest_url)
            .field("jwks_url", &self.jwks_url)
            .finish()
    }
}

fn is_http_url(value: &str) -> bool {
    value.starts_with("http://") || value.starts_with("https://")
}

fn redacted(secret: &str) -> &'static str {
    if secret.is_empty() { "<unset>" } else { "<redacted>" }
}

/// Copies `user` over `defaults`, refusing keys the defaults do not have (typos would otherwise be
/// silently ignored).
fn merge_known_keys(defaults: &mut Table, user: Table, prefix: &str) -> Result<(), ConfigError> {
    for (key, value) in user {
        let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
        match (defaults.get_mut(&key), value) {
            (None, _) => return Err(ConfigError::new(path, "unknown setting")),
            (Some(Value::Table(inner)), Value::Table(user_inner)) => merge_known_keys(inner, user_inner, &path)?,
            (Some(Value::Table(_)), _) => return Err(ConfigError::new(path, "must be a table")),
            (Some(slot), value) => {
                if std::mem::discriminant(slot) != std::mem::discriminant(&value) {
                    return Err(ConfigError::new(path, format!("must be of type {}", slot.type_str())));
                }
                *slot = value;
            }
        }
    }
    Ok(())
}

/// Sets the dotted `key` from an environment variable's text, parsed as the type the default has.
fn override_key(table: &mut Table, key: &str, var: &str, raw: &str) -> Result<(), ConfigError> {
    let (parents, leaf) = key.rsplit_once('.').expect("override keys are dotted");
    let mut node = table;
    for part in parents.split('.') {
        node = node.get_mut(part).and_then(Value::as_table_mut).expect("override keys exist in the embedded defaults");
    }
    let slot = node.get_mut(leaf).expect("override keys exist in the embedded defaults");
    let name = format!("{key} ({var})");
    *slot = match slot {
        Value::Integer(_) => Value::Integer(
            raw.trim()
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or_else(|| ConfigError::new(&name, format!("'{raw}' is not a whole number")))?,
        ),
        Value::Boolean(_) => Value::Boolean(match raw.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => true,
            "false" | "0" | "no" | "off" => false,
            _ => return Err(ConfigError::new(&name, format!("'{raw}' is not true or false"))),
        }),
        _ => Value::String(raw.to_owned()),
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
    }

    #[test]
    fn embedded_defaults_use_sqlite_local_storage_and_the_offline_renderer() {
        let config = Config::embedded_defaults();
        assert_eq!(config.database_url(), "sqlite://./data/atelier.db?mode=rwc");
        assert_eq!(config.storage_backend().unwrap(), StorageBackend::Local);
        assert_eq!(config.local_storage_dir(), PathBuf::from("./data/blobs"));
        assert!(!config.uses_fal());
        assert_eq!(config.address().port(), 3000);
    }

    #[test]
    fn environment_overrides_the_file_which_overrides_the_defaults() {
        let file = "[server]\naddress = \"127.0.0.1:4000\"\n[limits]\nworkers = 3\n";
        let config = Config::from_sources(
            Some(file),
            env_of(&[("ATELIER_WORKERS", "5"), ("DATABASE_URL", "postgres://u@localhost/atelier"), ("FAL_KEY", "k")]),
        )
        .unwrap();
        assert_eq!(config.address().port(), 4000);
        assert_eq!(config.limits.workers, 5);
        assert_eq!(config.database_url(), "postgres://u@localhost/atelier");
        assert!(config.uses_fal());
    }

    #[test]
    fn empty_environment_variables_count_as_unset() {
        let config = Config::from_sources(None, env_of(&[("DATABASE_URL", "")])).unwrap();
        assert!(config.database_url().starts_with("sqlite:"));
    }

    #[test]
    fn a_bad_number_names_the_key_and_the_variable() {
        let err = Config::from_sources(None, env_of(&[("ATELIER_WORKERS", "many")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "configuration error: limits.workers (ATELIER_WORKERS): 'many' is not a whole number"
        );
    }

    #[test]
    fn a_bad_address_names_the_key() {
        let err = Config::from_sources(None, env_of(&[("ATELIER_ADDRESS", "localhost")])).unwrap_err();
        assert!(err.to_string().contains("server.address (ATELIER_ADDRESS)"), "{err}");
    }

    #[test]
    fn an_unknown_storage_backend_is_refused() {
        let err = Config::from_sources(None, env_of(&[("ATELIER_STORAGE", "ftp")])).unwrap_err();
        assert!(err.to_string().contains("'ftp' is not a storage backend"), "{err}");
    }

    #[test]
    fn a_misspelt_setting_in_the_file_is_refused() {
        let err = Config::from_sources(Some("[server]\nadress = \"x\"\n"), |_| None).unwrap_err();
        assert_eq!(err.key, "server.adress");
    }

    #[test]
    fn a_setting_of_the_wrong_type_in_the_file_is_refused() {
        let err = Config::from_sources(Some("[limits]\nworkers = \"two\"\n"), |_| None).unwrap_err();
        assert_eq!(err.to_string(), "configuration error: limits.workers: must be of type integer");
    }

    #[test]
    fn a_database_url_of_another_kind_is_refused() {
        let err = Config::from_sources(None, env_of(&[("DATABASE_URL", "mysql://x")])).unwrap_err();
        assert!(err.key.contains("DATABASE_URL"));
    }

    #[test]
    fn secrets_are_not_printed_in_debug_output() {
        let config = Config::from_sources(None, env_of(&[("FAL_KEY", "very-secret")])).unwrap();
        assert!(!format!("{config:?}").contains("very-secret"));
    }
}
