//! Where image files live: the `BlobStore` trait, a local-filesystem store (the default) and an S3
//! store for any S3-compatible server.

mod key;
mod local;
mod s3;

pub use key::{BlobKey, InvalidKey};
pub use local::LocalStore;
pub use s3::S3Store;

use crate::server::config::{Config, StorageBackend};
use bytes::Bytes;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("no object at {0}")]
    NotFound(BlobKey),
    #[error("storage I/O failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("storage backend failed: {0}")]
    Backend(String),
}

/// A store of immutable objects addressed by validated keys.
#[async_trait::async_trait]
pub trait BlobStore: Send + Sync + 'static {
    /// Stores `bytes` at `key`, replacing any previous object. Readers never see a partial object.
    async fn put(&self, key: &BlobKey, bytes: Bytes, content_type: &str) -> Result<(), StorageError>;

    /// Reads the whole object, or `StorageError::NotFound`.
    async fn get(&self, key: &BlobKey) -> Result<Bytes, StorageError>;

    async fn exists(&self, key: &BlobKey) -> Result<bool, StorageError>;

    /// Removes the object; removing a missing object is not an error.
    async fn delete(&self, key: &BlobKey) -> Result<(), StorageError>;

    /// Every key under `prefix` (whole segments), in lexicographic order.
    async fn list(&self, prefix: &BlobKey) -> Result<Vec<BlobKey>, StorageError>;

    /// Proves the store is reachable and writable enough to serve requests.
    async fn check(&self) -> Result<(), StorageError>;

    /// A short name for status pages: "local" or "s3".
    fn kind(&self) -> &'static str;
}

/// Opens the store the configuration names.
pub async fn open(config: &Config) -> Result<Arc<dyn BlobStore>, StorageError> {
    match config.storage_backend().map_err(|e| StorageError::Backend(e.to_string()))? {
        StorageBackend::Local => Ok(Arc::new(LocalStore::new(config.local_storage_dir()))),
        StorageBackend::S3 => Ok(Arc::new(S3Store::new(&config.storage.s3).await)),
    }
}
