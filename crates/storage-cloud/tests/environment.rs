//! `"credentials": "environment"`: the element reads `ALIBABA_CLOUD_ACCESS_KEY_ID`,
//! `ALIBABA_CLOUD_ACCESS_KEY_SECRET` and `ALIBABA_CLOUD_SECURITY_TOKEN` for every
//! request, so keys rotated in the environment are used from the next request on. Its
//! own test binary: it is the only test that changes the process environment.

mod common;

use bytes::Bytes;
use common::{proxy, write_element, Fault, Req, BUCKET};
use jit_storage::{StorageAppExt, StorageErrorKind, StorageMetaExt};
use jit_storage_cloud::{ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET, ENV_SECURITY_TOKEN};
use serde_json::json;

#[tokio::test]
async fn environment_credentials_are_read_for_every_request() {
    let upstream = common::server_with(&[("env-ak-1", "env-sk-1"), ("env-ak-2", "env-sk-2")]).await;
    let recording = proxy(upstream.local_addr(), Fault::Pass).await;
    let dir = tempfile::tempdir().unwrap();
    let config = json!({
        "credentials": "environment",
        "endPoint": format!("http://{}", recording.addr),
        "bucketName": BUCKET,
        "region": "cn-hangzhou",
        "maxRetries": 0
    });
    write_element(dir.path(), "MyOss", &config);
    let app = common::open_app(dir.path(), recording.addr);
    let storage = app.storage(common::ELEMENT).await.unwrap();

    std::env::set_var(ENV_ACCESS_KEY_ID, "env-ak-1");
    std::env::set_var(ENV_ACCESS_KEY_SECRET, "env-sk-1");
    std::env::set_var(ENV_SECURITY_TOKEN, "env-token-1");
    storage
        .upload_by_file("env/a.txt", Bytes::from_static(b"a"), None)
        .await
        .expect("signed with the first keys");

    std::env::set_var(ENV_ACCESS_KEY_ID, "env-ak-2");
    std::env::set_var(ENV_ACCESS_KEY_SECRET, "env-sk-2");
    std::env::remove_var(ENV_SECURITY_TOKEN);
    storage
        .upload_by_file("env/b.txt", Bytes::from_static(b"b"), None)
        .await
        .expect("signed with the rotated keys");

    let puts: Vec<_> = recording
        .requests()
        .into_iter()
        .filter(|s| s.kind == Req::PutObject)
        .map(|s| (s.access_key_id().unwrap(), s.security_token))
        .collect();
    assert_eq!(
        puts,
        [
            ("env-ak-1".to_string(), Some("env-token-1".to_string())),
            ("env-ak-2".to_string(), None),
        ]
    );

    std::env::remove_var(ENV_ACCESS_KEY_SECRET);
    let err = storage
        .upload_by_file("env/c.txt", Bytes::from_static(b"c"), None)
        .await
        .expect_err("no secret in the environment");
    assert_eq!(err.kind(), StorageErrorKind::InvalidConfig, "{err}");
    assert!(err.message().contains(ENV_ACCESS_KEY_SECRET), "{err}");
    assert!(!format!("{err} {err:?}").contains("env-sk-"), "{err:?}");
}
