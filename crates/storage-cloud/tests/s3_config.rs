//! The S3 Types' configs as an app loads them (no server needed): each Type's defaults
//! (scheme, addressing, AWS's endpoint, R2's region), an `endPoint` written with its
//! scheme winning over `scheme`, unknown keys refused with "did you mean" naming the
//! file, variables with defaults (`${MINIO_SCHEME:-https}`), bad values naming the key,
//! and `"credentials": "environment"` reading AWS's variable names.

mod s3;

use std::collections::HashMap;

use jit_element::{App, ElementErrorKind};
use jit_storage::{StorageAppBuilderExt, StorageAppExt, StorageMeta};
use jit_storage_cloud::{AwsS3Type, CloudflareR2Type, EosType, MinioType};
use s3::{write_element, Kind};
use serde_json::{json, Value};
use std::sync::Arc;

fn open(kind: Kind, config: Value, vars: &[(&str, &str)]) -> (App, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    write_element(dir.path(), "MyS3", kind.type_name(), &config);
    let env: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let app = App::builder(dir.path())
        .register_builtin_storage_type(
            jit_storage_cloud::CLOUDFLARE_R2_TYPE,
            "R2",
            CloudflareR2Type::default(),
        )
        .register_builtin_storage_type(jit_storage_cloud::MINIO_TYPE, "MinIO", MinioType::default())
        .register_builtin_storage_type(jit_storage_cloud::EOS_TYPE, "EOS", EosType::default())
        .register_builtin_storage_type(
            jit_storage_cloud::AWS_S3_TYPE,
            "AWS S3",
            AwsS3Type::default(),
        )
        .env_vars(env)
        .open()
        .unwrap();
    (app, dir)
}

async fn load(
    kind: Kind,
    config: Value,
    vars: &[(&str, &str)],
) -> Result<Arc<dyn StorageMeta>, jit_element::ElementError> {
    let (app, _dir) = open(kind, config, vars);
    app.storage("storages.MyS3").await
}

fn base() -> Value {
    json!({"accessKeyId": "AKIA", "accessKeySecret": "s3cr3t", "bucketName": "my-bucket"})
}

fn with(extra: Value) -> Value {
    let mut cfg = base();
    for (k, v) in extra.as_object().unwrap() {
        cfg[k] = v.clone();
    }
    cfg
}

#[tokio::test]
async fn each_type_has_its_defaults() {
    let aws = load(Kind::Aws, with(json!({"region": "eu-west-1"})), &[])
        .await
        .unwrap();
    assert_eq!(
        aws.object_url("a b").unwrap(),
        "https://my-bucket.s3.eu-west-1.amazonaws.com/a%20b"
    );
    let r2 = load(
        Kind::R2,
        with(json!({"endPoint": "acct.r2.cloudflarestorage.com"})),
        &[],
    )
    .await
    .unwrap();
    assert_eq!(
        r2.object_url("k").unwrap(),
        "https://acct.r2.cloudflarestorage.com/my-bucket/k"
    );
    let minio = load(
        Kind::Minio,
        with(json!({"endPoint": "minio.local:9000"})),
        &[],
    )
    .await
    .unwrap();
    assert_eq!(
        minio.object_url("k").unwrap(),
        "http://minio.local:9000/my-bucket/k"
    );
    let eos = load(
        Kind::Eos,
        with(json!({"endPoint": "eos-beijing-1.cmecloud.cn"})),
        &[],
    )
    .await
    .unwrap();
    assert_eq!(
        eos.object_url("k").unwrap(),
        "https://my-bucket.eos-beijing-1.cmecloud.cn/k"
    );
    for storage in [&aws, &r2, &minio, &eos] {
        assert!(!storage.capabilities().crc64);
        assert!(storage.capabilities().presign_put);
    }
}

#[tokio::test]
async fn an_endpoint_with_its_scheme_wins_and_variables_take_defaults() {
    for kind in Kind::ALL {
        let cfg = with(
            json!({"endPoint": "https://s3.example.com:9000", "scheme": "http", "region": "r1"}),
        );
        let s = load(kind, cfg, &[]).await.unwrap();
        assert!(
            s.object_url("k").unwrap().starts_with("https://"),
            "{kind:?}"
        );
        let cfg =
            with(json!({"endPoint": "http://s3.example.com", "scheme": "https", "region": "r1"}));
        let s = load(kind, cfg, &[]).await.unwrap();
        assert!(
            s.object_url("k").unwrap().starts_with("http://"),
            "{kind:?}"
        );
    }
    let cfg = with(json!({"endPoint": "minio.local:9000", "scheme": "${MINIO_SCHEME:-https}"}));
    let s = load(Kind::Minio, cfg.clone(), &[]).await.unwrap();
    assert_eq!(
        s.object_url("k").unwrap(),
        "https://minio.local:9000/my-bucket/k"
    );
    let s = load(Kind::Minio, cfg, &[("MINIO_SCHEME", "http")])
        .await
        .unwrap();
    assert_eq!(
        s.object_url("k").unwrap(),
        "http://minio.local:9000/my-bucket/k"
    );
}

#[tokio::test]
async fn unknown_keys_are_refused_with_did_you_mean() {
    for kind in Kind::ALL {
        let cfg = with(json!({"endPoint": "s3.example.com", "region": "r1", "pathstyle": true}));
        let err = load(kind, cfg, &[]).await.unwrap_err();
        assert_eq!(err.kind(), ElementErrorKind::InvalidConfig, "{kind:?}");
        let shown = err.to_string();
        assert!(shown.contains("pathstyle"), "{shown}");
        assert!(shown.contains("did you mean `pathStyle`"), "{shown}");
        assert!(shown.contains("MyS3.json"), "{shown}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
    }
    // OSS's keys are not the S3 family's.
    let cfg = with(json!({"endPoint": "minio.local", "secure": false}));
    let err = load(Kind::Minio, cfg, &[]).await.unwrap_err();
    assert!(err.to_string().contains("secure"), "{err}");
}

#[tokio::test]
async fn bad_values_name_their_key() {
    for (kind, cfg, key) in [
        (Kind::Aws, base(), "region"),
        (Kind::Minio, base(), "endPoint"),
        (
            Kind::Minio,
            with(json!({"endPoint": "m:9000", "scheme": "ftp"})),
            "scheme",
        ),
        (
            Kind::R2,
            with(json!({"endPoint": "r2.example.com", "bucketName": "Bad_Bucket"})),
            "bucketName",
        ),
        (
            Kind::Eos,
            with(json!({"endPoint": "eos.example.com", "partSizeBytes": 1048576})),
            "partSizeBytes",
        ),
    ] {
        let err = load(kind, cfg, &[]).await.unwrap_err();
        assert_eq!(err.kind(), ElementErrorKind::InvalidConfig, "{kind:?}");
        assert!(err.to_string().contains(key), "{kind:?} {key}: {err}");
    }
}

#[tokio::test]
async fn environment_credentials_use_aws_names() {
    let cfg = json!({"credentials": "environment", "bucketName": "my-bucket", "endPoint": "minio.local:9000"});
    load(Kind::Minio, cfg.clone(), &[]).await.unwrap();
    let with_keys = with(json!({"credentials": "environment", "endPoint": "minio.local:9000"}));
    let err = load(Kind::Minio, with_keys, &[]).await.unwrap_err();
    assert!(err.to_string().contains("accessKeyId"), "{err}");
    assert_eq!(
        jit_storage_cloud::S3_ENVIRONMENT.access_key_id,
        "AWS_ACCESS_KEY_ID"
    );
    assert_eq!(
        jit_storage_cloud::S3_ENVIRONMENT.access_key_secret,
        "AWS_SECRET_ACCESS_KEY"
    );
    assert_eq!(
        jit_storage_cloud::S3_ENVIRONMENT.security_token,
        "AWS_SESSION_TOKEN"
    );
}
