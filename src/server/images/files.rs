//! Where an image's three files live — `users/<owner>/images/<id>/{original,thumb,preview}.<ext>` —
//! and writing them to the BlobStore or removing them again. Generated images and uploads are
//! stored alike, so every route that serves one serves the other.

use crate::server::imaging::PreparedImage;
use crate::server::storage::{BlobKey, BlobStore, InvalidKey, StorageError};
use bytes::Bytes;
use uuid::Uuid;

pub struct ImageFiles {
    pub original: BlobKey,
    pub thumb: BlobKey,
    pub preview: BlobKey,
}

impl ImageFiles {
    pub fn of(owner: Uuid, id: Uuid, prepared: &PreparedImage) -> Result<Self, InvalidKey> {
        let base = format!("users/{owner}/images/{id}");
        let key = |name: &str, extension: &str| BlobKey::parse(&format!("{base}/{name}.{extension}"));
        Ok(Self {
            original: key("original", prepared.original_format.extension())?,
            thumb: key("thumb", prepared.thumbnail.extension)?,
            preview: key("preview", prepared.preview.extension)?,
        })
    }

    pub fn keys(&self) -> [BlobKey; 3] {
        [self.original.clone(), self.thumb.clone(), self.preview.clone()]
    }

    /// Writes the three files, adding each key to `written` before its write (a store may fail
    /// after keeping part of what it was given): on an error, the caller removes `written`.
    pub async fn store(
        &self,
        storage: &dyn BlobStore,
        prepared: &PreparedImage,
        written: &mut Vec<BlobKey>,
    ) -> Result<(), StorageError> {
        for (key, bytes, mime) in [
            (&self.original, &prepared.original, prepared.original_format.mime()),
            (&self.thumb, &prepared.thumbnail.bytes, prepared.thumbnail.mime),
            (&self.preview, &prepared.preview.bytes, prepared.preview.mime),
        ] {
            written.push(key.clone());
            storage.put(key, Bytes::from(bytes.clone()), mime).await?;
        }
        Ok(())
    }
}

/// Deletes files no row refers to; a failure is logged (nothing would ever serve them).
pub async fn remove_files(storage: &dyn BlobStore, keys: &[BlobKey]) {
    for key in keys {
        if let Err(error) = storage.delete(key).await {
            tracing::warn!(%key, %error, "could not remove a file of an unrecorded image");
        }
    }
}
