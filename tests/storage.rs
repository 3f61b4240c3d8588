//! `BlobStore` contract: the same behaviour from the local store and from the S3 store against a real
//! S3-compatible server.
#![cfg(feature = "ssr")]

mod support;

use atelier::server::config::S3Config;
use atelier::server::storage::{BlobKey, BlobStore, LocalStore, S3Store, StorageError};
use bytes::Bytes;
use std::any::Any;
use support::s3::S3Server;

/// A store under test and whatever must stay alive with it (temp dir, server process).
type StoreUnderTest = (Box<dyn BlobStore>, Box<dyn Any>);

async fn local_store() -> StoreUnderTest {
    let dir = tempfile::tempdir().unwrap();
    (Box::new(LocalStore::new(dir.path().join("blobs"))), Box::new(dir))
}

fn s3_config(server: &S3Server, bucket: &str) -> S3Config {
    S3Config {
        endpoint: server.endpoint.clone(),
        region: server.region.clone(),
        bucket: bucket.to_owned(),
        path_style: true,
        access_key_id: server.access_key.clone(),
        secret_access_key: server.secret_key.clone(),
    }
}

async fn s3_store() -> StoreUnderTest {
    let server = S3Server::start();
    server.create_bucket("atelier-test");
    let store = S3Store::new(&s3_config(&server, "atelier-test")).await;
    (Box::new(store), Box::new(server))
}

fn key(raw: &str) -> BlobKey {
    BlobKey::parse(raw).unwrap()
}

macro_rules! blob_store_contract {
    ($store:ident) => {
        mod $store {
            use super::*;

            #[tokio::test]
            async fn put_then_get_returns_the_same_bytes() {
                let (store, _guard) = super::$store().await;
                let data = Bytes::from_static(b"\x89PNG\r\n\x1a\n not really a png");
                store.put(&key("images/u1/a.png"), data.clone(), "image/png").await.unwrap();
                assert_eq!(store.get(&key("images/u1/a.png")).await.unwrap(), data);
            }

            #[tokio::test]
            async fn a_large_object_round_trips_intact() {
                let (store, _guard) = super::$store().await;
                let data: Vec<u8> = (0..6 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
                store.put(&key("big/blob.bin"), Bytes::from(data.clone()), "application/octet-stream").await.unwrap();
                assert_eq!(store.get(&key("big/blob.bin")).await.unwrap().as_ref(), data.as_slice());
            }

            #[tokio::test]
            async fn get_of_a_missing_key_is_not_found() {
                let (store, _guard) = super::$store().await;
                let err = store.get(&key("nothing/here.png")).await.unwrap_err();
                assert!(matches!(err, StorageError::NotFound(ref k) if k.as_str() == "nothing/here.png"), "{err}");
            }

            #[tokio::test]
            async fn put_replaces_an_existing_object() {
                let (store, _guard) = super::$store().await;
                store.put(&key("a/b.txt"), Bytes::from_static(b"first"), "text/plain").await.unwrap();
                store.put(&key("a/b.txt"), Bytes::from_static(b"second"), "text/plain").await.unwrap();
                assert_eq!(store.get(&key("a/b.txt")).await.unwrap(), Bytes::from_static(b"second"));
            }

            #[tokio::test]
            async fn exists_follows_put_and_delete() {
                let (store, _guard) = super::$store().await;
                let k = key("x/y.webp");
                assert!(!store.exists(&k).await.unwrap());
                store.put(&k, Bytes::from_static(b"y"), "image/webp").await.unwrap();
                assert!(store.exists(&k).await.unwrap());
                store.delete(&k).await.unwrap();
                assert!(!store.exists(&k).await.unwrap());
                assert!(matches!(store.get(&k).await, Err(StorageError::NotFound(_))));
            }

            #[tokio::test]
            async fn deleting_a_missing_object_succeeds() {
                let (store, _guard) = super::$store().await;
                store.delete(&key("never/was.png")).await.unwrap();
            }

            #[tokio::test]
            async fn list_returns_only_keys_under_the_prefix_in_order() {
                let (store, _guard) = super::$store().await;
                for k in ["u/1/b.png", "u/1/a.png", "u/1/sub/c.png", "u/2/d.png", "u1/e.png"] {
                    store.put(&key(k), Bytes::from_static(b"."), "image/png").await.unwrap();
                }
                let listed = store.list(&key("u/1")).await.unwrap();
                let listed: Vec<&str> = listed.iter().map(BlobKey::as_str).collect();
                assert_eq!(listed, ["u/1/a.png", "u/1/b.png", "u/1/sub/c.png"]);
                assert_eq!(store.list(&key("u")).await.unwrap().len(), 4);
                assert!(store.list(&key("empty")).await.unwrap().is_empty());
            }

            #[tokio::test]
            async fn check_succeeds_on_a_working_store() {
                let (store, _guard) = super::$store().await;
                store.check().await.unwrap();
            }
        }
    };
}

blob_store_contract!(local_store);
blob_store_contract!(s3_store);

#[tokio::test]
async fn local_store_check_fails_when_its_root_cannot_be_created() {
    let file = tempfile::NamedTempFile::new().unwrap();
    let store = LocalStore::new(file.path().join("blobs"));
    assert!(store.check().await.is_err());
}

#[tokio::test]
async fn local_store_never_lists_its_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::new(dir.path());
    store.put(&key("p/a.png"), Bytes::from_static(b"a"), "image/png").await.unwrap();
    std::fs::write(dir.path().join("p/.tmp-leftover"), b"partial").unwrap();
    let listed = store.list(&key("p")).await.unwrap();
    assert_eq!(listed, [key("p/a.png")]);
}

#[tokio::test]
async fn s3_store_check_fails_when_the_bucket_is_missing() {
    let server = S3Server::start();
    let store = S3Store::new(&s3_config(&server, "no-such-bucket")).await;
    assert!(store.check().await.is_err());
}

#[tokio::test]
async fn s3_store_refuses_wrong_credentials() {
    let server = S3Server::start();
    server.create_bucket("atelier-test");
    let mut config = s3_config(&server, "atelier-test");
    config.secret_access_key = "wrong-secret".into();
    let store = S3Store::new(&config).await;
    let err = store.put(&key("a/b.png"), Bytes::from_static(b"x"), "image/png").await.unwrap_err();
    assert!(matches!(err, StorageError::Backend(_)), "{err}");
}
