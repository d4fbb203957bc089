//! Credentials that change: an element whose `"credentials"` is `"host"` signs every
//! attempt with what the host's provider gives at that moment, so a token (and key)
//! refreshed in the middle of a multipart upload is used for the remaining parts —
//! as the server sees it, through a proxy recording each request's signature. The V4
//! signing-key cache follows the new secret. Secrets never show.

mod common;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use common::{proxy, write_element, Fault, Req, Style, BUCKET};
use jit_element::{App, ElementErrorKind};
use jit_storage::{
    PresignOptions, StorageAppBuilderExt, StorageAppExt, StorageError, StorageErrorKind,
    StorageMetaExt, StorageResult,
};
use jit_storage_cloud::{async_trait, Credentials, CredentialsProvider, OssType};
use rand::RngCore;
use serde_json::json;

const AK1: &str = "first-ak";
const SK1: &str = "first-secret-value";
const AK2: &str = "second-ak";
const SK2: &str = "second-secret-value";
const TOKEN1: &str = "sts-token-one";
const TOKEN2: &str = "sts-token-two";

/// Hands out the first credentials for `switch_after` calls, the second ones after.
#[derive(Debug)]
struct Rotating {
    calls: AtomicUsize,
    switch_after: usize,
}

impl Rotating {
    fn new(switch_after: usize) -> Arc<Self> {
        Arc::new(Self {
            calls: AtomicUsize::new(0),
            switch_after,
        })
    }
}

#[async_trait]
impl CredentialsProvider for Rotating {
    async fn credentials(&self) -> StorageResult<Credentials> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        Ok(if n < self.switch_after {
            Credentials::with_token(AK1, SK1, TOKEN1)
        } else {
            Credentials::with_token(AK2, SK2, TOKEN2)
        })
    }
}

/// A provider that cannot give credentials.
#[derive(Debug)]
struct Failing;

#[async_trait]
impl CredentialsProvider for Failing {
    async fn credentials(&self) -> StorageResult<Credentials> {
        Err(StorageError::new(
            StorageErrorKind::PermissionDenied,
            "the STS endpoint refused to issue a token",
        ))
    }
}

fn random(len: usize) -> Bytes {
    let mut v = vec![0u8; len];
    rand::thread_rng().fill_bytes(&mut v);
    Bytes::from(v)
}

/// An app whose `storages.MyOss` takes its credentials from `provider`, talking to
/// `addr`.
fn host_app(
    dir: &std::path::Path,
    addr: SocketAddr,
    version: &str,
    provider: Option<Arc<dyn CredentialsProvider>>,
) -> App {
    let config = json!({
        "credentials": "host",
        "endPoint": format!("http://{addr}"),
        "bucketName": BUCKET,
        "region": "cn-hangzhou",
        "signatureVersion": version,
        "pathStyle": true,
        "maxRetries": 1,
        "multipartThresholdBytes": 300 * 1024,
        "partSizeBytes": 100 * 1024,
        "multipartConcurrency": 1
    });
    write_element(dir, "MyOss", &config);
    let mut oss = OssType::default();
    if let Some(provider) = provider {
        oss = oss.with_credentials_provider(provider);
    }
    App::builder(dir)
        .register_builtin_storage_type("storages.OssType", "Aliyun OSS", oss)
        .open()
        .expect("open app")
}

#[tokio::test]
async fn credentials_refreshed_mid_upload_sign_the_remaining_parts() {
    for version in ["v4", "v1"] {
        let upstream = common::server_with(&[(AK1, SK1), (AK2, SK2)]).await;
        let recording = proxy(upstream.local_addr(), Fault::Pass).await;
        let dir = tempfile::tempdir().unwrap();
        // Initiate, parts 1 and 2 with the first credentials; then they change.
        let app = host_app(dir.path(), recording.addr, version, Some(Rotating::new(3)));
        let storage = app.storage(common::ELEMENT).await.unwrap();
        let data = random(5 * 100 * 1024);
        let up = storage
            .upload_by_file("rotated.bin", data.clone(), None)
            .await
            .unwrap_or_else(|e| panic!("{version}: {e}"));
        assert_eq!(up.crc64, Some(jit_oss_protocol::crc64::checksum(&data)));

        let seen = recording.requests();
        let signers = |kind: Req| -> Vec<(String, String)> {
            seen.iter()
                .filter(|s| s.kind == kind)
                .map(|s| {
                    let id = s.access_key_id().unwrap_or_default();
                    (id, s.security_token.clone().unwrap_or_default())
                })
                .collect()
        };
        let first = (AK1.to_string(), TOKEN1.to_string());
        let second = (AK2.to_string(), TOKEN2.to_string());
        assert_eq!(signers(Req::Initiate), vec![first.clone()], "{version}");
        assert_eq!(
            signers(Req::UploadPart),
            [
                first.clone(),
                first.clone(),
                second.clone(),
                second.clone(),
                second.clone()
            ],
            "{version}"
        );
        assert_eq!(signers(Req::Complete), vec![second.clone()], "{version}");
        assert!(storage.download("rotated.bin").await.unwrap() == data);

        // Presigned URLs are signed with the current credentials too.
        let url = storage
            .presign("rotated.bin", PresignOptions::get(Duration::from_secs(60)))
            .await
            .unwrap()
            .url;
        assert!(url.contains(AK2), "{version}: {url}");
        let fetched = reqwest::get(&url).await.unwrap();
        assert_eq!(fetched.status().as_u16(), 200, "{version}");

        let shown = format!("{storage:?} {app:?}");
        for secret in [SK1, SK2, TOKEN1, TOKEN2] {
            assert!(!shown.contains(secret), "{version}: {shown}");
        }
    }
}

#[tokio::test]
async fn a_provider_that_fails_fails_the_request_before_anything_is_sent() {
    let upstream = common::server().await;
    let recording = proxy(upstream.local_addr(), Fault::Pass).await;
    let dir = tempfile::tempdir().unwrap();
    let app = host_app(dir.path(), recording.addr, "v4", Some(Arc::new(Failing)));
    let storage = app.storage(common::ELEMENT).await.unwrap();
    let err = storage
        .upload_by_file("x.txt", Bytes::from_static(b"x"), None)
        .await
        .expect_err("no credentials");
    assert_eq!(err.kind(), StorageErrorKind::PermissionDenied, "{err}");
    assert!(err.message().contains("STS endpoint"), "{err}");
    assert_eq!(recording.requests().len(), 0);
}

#[tokio::test]
async fn credentials_settings_are_checked_when_the_element_loads() {
    let addr: SocketAddr = "127.0.0.1:9".parse().unwrap();
    let dir = tempfile::tempdir().unwrap();
    // "host" without a provider installed.
    let app = host_app(dir.path(), addr, "v4", None);
    let err = app.storage(common::ELEMENT).await.expect_err("no provider");
    assert_eq!(err.kind(), ElementErrorKind::InvalidConfig, "{err}");
    assert_eq!(err.field(), Some("credentials"), "{err}");

    // "environment" with keys in the config as well: which ones count is unclear.
    let mut config = common::config(Style::Path, "v4");
    config["credentials"] = "environment".into();
    write_element(dir.path(), "Both", &config);
    config["credentials"] = "sts".into();
    write_element(dir.path(), "Unknown", &config);
    let app = common::open_app(dir.path(), addr);
    let err = app.storage("storages.Both").await.expect_err("both");
    assert_eq!(err.kind(), ElementErrorKind::InvalidConfig, "{err}");
    assert_eq!(err.field(), Some("accessKeyId"), "{err}");
    assert!(err.message().contains("environment"), "{err}");
    let err = app.storage("storages.Unknown").await.expect_err("unknown");
    assert_eq!(err.field(), Some("credentials"), "{err}");
    assert!(err.message().contains("`host`"), "{err}");
}
