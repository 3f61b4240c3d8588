//! Where an image's three files live — `users/<owner>/images/<id>/{original,thumb,preview}.<ext>` —
//! writing them to the BlobStore or removing them again, and the `images` row that records them.
//! Generated images and uploads are stored alike, so every route that serves one serves the other.

use crate::server::db::entity::images;
use crate::server::imaging::PreparedImage;
use crate::server::storage::{BlobKey, BlobStore, InvalidKey, StorageError};
use crate::types::ImageView;
use bytes::Bytes;
use chrono::Utc;
use sea_orm::Set;
use serde_json::{Map, Value, json};
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

impl ImageFiles {
    /// The row of image `id`, stored as these files from `prepared`: its size, format and files, with
    /// what the files are in `metadata` (keys, derivative sizes, hashes) joined by `metadata`. How the
    /// image was made is left empty (no prompt, model, parameters, parent or cost): the caller sets what
    /// it knows.
    pub fn row(
        &self,
        owner: Uuid,
        id: Uuid,
        prepared: &PreparedImage,
        mut metadata: Map<String, Value>,
    ) -> images::ActiveModel {
        metadata.extend([
            ("thumbnail_key".to_owned(), json!(self.thumb.as_str())),
            ("preview_key".to_owned(), json!(self.preview.as_str())),
            ("thumbnail".to_owned(), json!({"width": prepared.thumbnail.width, "height": prepared.thumbnail.height})),
            ("preview".to_owned(), json!({"width": prepared.preview.width, "height": prepared.preview.height})),
            ("perceptual_hash".to_owned(), json!(prepared.perceptual_hash)),
            ("sha256".to_owned(), json!(prepared.sha256)),
            ("has_alpha".to_owned(), json!(prepared.has_alpha)),
        ]);
        let now = Utc::now();
        images::ActiveModel {
            id: Set(id),
            user_id: Set(owner),
            project_id: Set(None),
            file_path: Set(self.original.to_string()),
            file_url: Set(ImageView::file_url(id, "original")),
            thumbnail_url: Set(Some(ImageView::file_url(id, "thumbnail"))),
            width: Set(i32::try_from(prepared.width).unwrap_or(i32::MAX)),
            height: Set(i32::try_from(prepared.height).unwrap_or(i32::MAX)),
            file_size: Set(i64::try_from(prepared.original.len()).unwrap_or(i64::MAX)),
            format: Set(prepared.original_format.extension().to_owned()),
            prompt: Set(String::new()),
            negative_prompt: Set(None),
            model_id: Set(None),
            model_version: Set(None),
            parameters: Set(json!({})),
            generation_time: Set(None),
            cost_credits: Set(0),
            parent_image_id: Set(None),
            is_favorite: Set(false),
            rating: Set(None),
            tags: Set(json!([])),
            metadata: Set(Value::Object(metadata)),
            created_at: Set(now),
            updated_at: Set(now),
            deleted_at: Set(None),
        }
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
