use super::{BlobKey, BlobStore, StorageError};
use bytes::Bytes;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use tokio::fs;

/// Objects as files under one root directory. Keys map to relative paths; `BlobKey` validation
/// guarantees they stay inside the root.
pub struct LocalStore {
    root: PathBuf,
}

impl LocalStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    fn path_of(&self, key: &BlobKey) -> PathBuf {
        self.root.join(key.as_str())
    }
}

#[async_trait::async_trait]
impl BlobStore for LocalStore {
    async fn put(&self, key: &BlobKey, bytes: Bytes, _content_type: &str) -> Result<(), StorageError> {
        let path = self.path_of(key);
        let dir = path.parent().expect("a key has at least one segment");
        fs::create_dir_all(dir).await?;
        // Write beside the target and rename, so a crash never leaves a half-written object.
        let temp = dir.join(format!(".tmp-{}", uuid::Uuid::new_v4()));
        if let Err(e) = fs::write(&temp, &bytes).await {
            let _ = fs::remove_file(&temp).await;
            return Err(e.into());
        }
        if let Err(e) = fs::rename(&temp, &path).await {
            let _ = fs::remove_file(&temp).await;
            return Err(e.into());
        }
        Ok(())
    }

    async fn get(&self, key: &BlobKey) -> Result<Bytes, StorageError> {
        match fs::read(self.path_of(key)).await {
            Ok(data) => Ok(Bytes::from(data)),
            Err(e) if e.kind() == ErrorKind::NotFound => Err(StorageError::NotFound(key.clone())),
            Err(e) => Err(e.into()),
        }
    }

    async fn exists(&self, key: &BlobKey) -> Result<bool, StorageError> {
        Ok(fs::try_exists(self.path_of(key)).await? && fs::metadata(self.path_of(key)).await?.is_file())
    }

    async fn delete(&self, key: &BlobKey) -> Result<(), StorageError> {
        match fs::remove_file(self.path_of(key)).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    async fn list(&self, prefix: &BlobKey) -> Result<Vec<BlobKey>, StorageError> {
        let mut keys = Vec::new();
        let mut pending = vec![self.path_of(prefix)];
        while let Some(dir) = pending.pop() {
            let mut entries = match fs::read_dir(&dir).await {
                Ok(entries) => entries,
                Err(e) if e.kind() == ErrorKind::NotFound || e.kind() == ErrorKind::NotADirectory => continue,
                Err(e) => return Err(e.into()),
            };
            while let Some(entry) = entries.next_entry().await? {
                let path = entry.path();
                if entry.file_type().await?.is_dir() {
                    pending.push(path);
                } else if let Some(key) = key_of(&self.root, &path) {
                    keys.push(key);
                }
            }
        }
        keys.sort();
        Ok(keys)
    }

    async fn check(&self) -> Result<(), StorageError> {
        fs::create_dir_all(&self.root).await?;
        let probe = self.root.join(format!(".probe-{}", uuid::Uuid::new_v4()));
        fs::write(&probe, b"ok").await?;
        fs::remove_file(&probe).await?;
        Ok(())
    }

    fn kind(&self) -> &'static str {
        "local"
    }
}

/// The key of a file under `root`; temporary and hidden files have none.
fn key_of(root: &Path, path: &Path) -> Option<BlobKey> {
    let relative = path.strip_prefix(root).ok()?;
    let text = relative.to_str()?.replace(std::path::MAIN_SEPARATOR, "/");
    BlobKey::parse(&text).ok()
}
