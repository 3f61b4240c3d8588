use super::{BlobKey, BlobStore, StorageError};
use crate::server::config::S3Config;
use aws_sdk_s3::Client;
use aws_sdk_s3::config::{Credentials, Region, RequestChecksumCalculation, ResponseChecksumValidation};
use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::primitives::ByteStream;
use bytes::Bytes;

/// Objects in one bucket of an S3-compatible server (AWS, MinIO, s3s, ...).
pub struct S3Store {
    client: Client,
    bucket: String,
}

impl S3Store {
    pub async fn new(config: &S3Config) -> Self {
        let mut loader =
            aws_config::defaults(aws_config::BehaviorVersion::latest()).region(Region::new(config.region.clone()));
        if !config.access_key_id.is_empty() {
            loader = loader.credentials_provider(Credentials::new(
                &config.access_key_id,
                &config.secret_access_key,
                None,
                None,
                "atelier-config",
            ));
        }
        if !config.endpoint.is_empty() {
            loader = loader.endpoint_url(&config.endpoint);
        }
        let shared = loader.load().await;
        let s3_config = aws_sdk_s3::config::Builder::from(&shared)
            .force_path_style(config.path_style)
            // Many S3-compatible servers do not implement the newer default checksums.
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .response_checksum_validation(ResponseChecksumValidation::WhenRequired)
            .build();
        Self { client: Client::from_conf(s3_config), bucket: config.bucket.clone() }
    }
}

fn backend(err: impl std::error::Error) -> StorageError {
    StorageError::Backend(DisplayErrorContext(&err).to_string())
}

#[async_trait::async_trait]
impl BlobStore for S3Store {
    async fn put(&self, key: &BlobKey, bytes: Bytes, content_type: &str) -> Result<(), StorageError> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .content_type(content_type)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn get(&self, key: &BlobKey) -> Result<Bytes, StorageError> {
        let output = match self.client.get_object().bucket(&self.bucket).key(key.as_str()).send().await {
            Ok(output) => output,
            Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => {
                return Err(StorageError::NotFound(key.clone()));
            }
            Err(e) => return Err(backend(e)),
        };
        let body = output.body.collect().await.map_err(backend)?;
        Ok(body.into_bytes())
    }

    async fn exists(&self, key: &BlobKey) -> Result<bool, StorageError> {
        match self.client.head_object().bucket(&self.bucket).key(key.as_str()).send().await {
            Ok(_) => Ok(true),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => Ok(false),
            Err(e) => Err(backend(e)),
        }
    }

    async fn delete(&self, key: &BlobKey) -> Result<(), StorageError> {
        self.client.delete_object().bucket(&self.bucket).key(key.as_str()).send().await.map_err(backend)?;
        Ok(())
    }

    async fn list(&self, prefix: &BlobKey) -> Result<Vec<BlobKey>, StorageError> {
        let mut keys = Vec::new();
        let mut continuation = None;
        loop {
            let page = self
                .client
                .list_objects_v2()
                .bucket(&self.bucket)
                .prefix(format!("{prefix}/"))
                .set_continuation_token(continuation)
                .send()
                .await
                .map_err(backend)?;
            keys.extend(page.contents().iter().filter_map(|o| o.key()).filter_map(|k| BlobKey::parse(k).ok()));
            match page.next_continuation_token() {
                Some(token) if page.is_truncated() == Some(true) => continuation = Some(token.to_owned()),
                _ => break,
            }
        }
        keys.sort();
        Ok(keys)
    }

    async fn check(&self) -> Result<(), StorageError> {
        self.client.head_bucket().bucket(&self.bucket).send().await.map_err(backend)?;
        Ok(())
    }

    fn kind(&self) -> &'static str {
        "s3"
    }
}
