//! The emulated CDN: generated images and uploads, kept in memory and served under `/files`.

use bytes::Bytes;
use std::collections::HashMap;
use std::sync::Mutex;
use uuid::Uuid;

/// Largest upload accepted (fal's single-request upload limit is about this size).
pub const MAX_UPLOAD_BYTES: usize = 100 * 1024 * 1024;

#[derive(Clone, Debug)]
pub struct StoredFile {
    pub content_type: String,
    pub bytes: Bytes,
}

/// An upload that was initiated and waits for its bytes.
#[derive(Clone, Debug)]
struct PendingUpload {
    file_name: String,
    content_type: String,
}

#[derive(Default)]
pub struct FileStore {
    files: Mutex<HashMap<String, StoredFile>>,
    pending: Mutex<HashMap<String, PendingUpload>>,
}

impl FileStore {
    /// Stores bytes under a fresh name with the given extension and returns the name.
    pub fn put(&self, extension: &str, content_type: &str, bytes: Bytes) -> String {
        let name = format!("{}.{extension}", Uuid::new_v4());
        let file = StoredFile { content_type: content_type.to_owned(), bytes };
        crate::lock(&self.files).insert(name.clone(), file);
        name
    }

    pub fn get(&self, name: &str) -> Option<StoredFile> {
        crate::lock(&self.files).get(name).cloned()
    }

    /// Reserves a file name for an upload; returns `(upload token, file name)`.
    pub fn initiate_upload(&self, original_name: &str, content_type: &str) -> (String, String) {
        let token = Uuid::new_v4().simple().to_string();
        let file_name = format!("{}.{}", Uuid::new_v4(), extension_for(original_name, content_type));
        let pending = PendingUpload { file_name: file_name.clone(), content_type: content_type.to_owned() };
        crate::lock(&self.pending).insert(token.clone(), pending);
        (token, file_name)
    }

    /// Stores the bytes of an initiated upload; `None` when the token is unknown or already used.
    /// The Content-Type of the PUT wins over the one announced at initiation.
    pub fn complete_upload(&self, token: &str, content_type: Option<&str>, bytes: Bytes) -> Option<String> {
        let pending = crate::lock(&self.pending).remove(token)?;
        let content_type = content_type.unwrap_or(&pending.content_type).to_owned();
        crate::lock(&self.files).insert(pending.file_name.clone(), StoredFile { content_type, bytes });
        Some(pending.file_name)
    }
}

/// A short, safe extension from the uploaded name, else from the content type.
fn extension_for(file_name: &str, content_type: &str) -> String {
    let from_name = file_name
        .rsplit_once('.')
        .map(|(_, extension)| extension.to_ascii_lowercase())
        .filter(|extension| (1..=5).contains(&extension.len()) && extension.chars().all(|c| c.is_ascii_alphanumeric()));
    from_name.unwrap_or_else(|| {
        match content_type.split(';').next().unwrap_or_default().trim() {
            "image/png" => "png",
            "image/jpeg" => "jpg",
            "image/webp" => "webp",
            "image/gif" => "gif",
            "application/zip" => "zip",
            "application/json" => "json",
            "text/plain" => "txt",
            _ => "bin",
        }
        .to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upload_keeps_the_extension_of_its_file_name_or_its_content_type() {
        assert_eq!(extension_for("photo.JPG", "image/png"), "jpg");
        assert_eq!(extension_for("photo", "image/webp"), "webp");
        assert_eq!(extension_for("../../etc/passwd", "application/x-unknown"), "bin");
        assert_eq!(extension_for("weird.p/ng", "image/png"), "png");
    }

    #[test]
    fn an_upload_token_can_be_used_once() {
        let store = FileStore::default();
        let (token, name) = store.initiate_upload("cat.png", "image/png");
        assert_eq!(store.complete_upload(&token, None, Bytes::from_static(b"png")), Some(name.clone()));
        assert_eq!(store.get(&name).map(|file| file.content_type), Some("image/png".to_owned()));
        assert_eq!(store.complete_upload(&token, None, Bytes::from_static(b"again")), None);
    }
}
