//! The official AWS S3 SDKs against serve-s3: boto3 and the JavaScript SDK v3, each
//! with its default settings, × store (memory, folder in a temp dir) × addressing
//! (path style, virtual-hosted `bucket.localhost`) × transport (boto3 also over HTTPS,
//! the only transport on which it sends its default aws-chunked uploads with CRC
//! trailers; the certificate is the test-only one in `tests/tls/`). Each test starts its own server on
//! 127.0.0.1:0 in this process, runs the SDK's driver (`sdk/boto3_client.py`,
//! `sdk/aws_s3_client.js`) as a subprocess and fails with the driver's whole output
//! unless every check passed.
//!
//! The SDKs are installed on first use by `sdk/install_s3.sh` (pinned versions, into
//! `target/sdk-oracles`), so `cargo test` alone is enough on a new machine.

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{
    assert_folder_store_written, assert_missing_bucket_reported, assert_secret_not_shown,
};
use jit_s3_server::{start, RunningServer, ServerConfig, TlsConfig};
use jit_sdk_interop::s3::{install_s3, run_s3_driver, S3Oracles, S3Sdk, S3Target};

mod common;

const BUCKET: &str = "s3-interop-bucket";
const ACCESS_KEY_ID: &str = "AKIAINTEROPTEST";
const SECRET: &str = "s3-interop-secret-do-not-log";
const REGION: &str = "us-west-2";
/// Guards against a hung driver only: a run normally takes a few seconds.
const DRIVER_LIMIT: Duration = Duration::from_secs(300);
/// How many checks each driver runs (a driver that skipped some fails the test).
const BOTO3_CHECKS: usize = 15;
const AWS_JS_CHECKS: usize = 13;

async fn oracles() -> S3Oracles {
    tokio::task::spawn_blocking(install_s3)
        .await
        .expect("install task")
        .unwrap_or_else(|err| panic!("{err}"))
}

fn tls_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tls")
        .join(name)
}

async fn server(root: Option<PathBuf>, tls: bool) -> RunningServer {
    start(ServerConfig {
        root,
        tls: tls.then(|| TlsConfig {
            cert_chain_pem: tls_file("server.pem"),
            private_key_pem: tls_file("server.key"),
        }),
        buckets: vec![BUCKET.to_owned()],
        credentials: vec![(ACCESS_KEY_ID.to_owned(), SECRET.to_owned())],
        region: REGION.to_owned(),
        ..ServerConfig::default()
    })
    .await
    .expect("start serve-s3")
}

async fn interop(sdk: S3Sdk, folder: bool, virtual_host: bool, tls: bool) {
    let oracles = oracles().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let root = folder.then(|| dir.path().join("s3-root"));
    let server = server(root.clone(), tls).await;
    let port = server.local_addr().port();
    let scheme = if tls { "https" } else { "http" };
    let target = S3Target {
        // Virtual-hosted style needs a host name: the drivers resolve *.localhost.
        endpoint: if virtual_host {
            format!("{scheme}://localhost:{port}")
        } else {
            server.endpoint()
        },
        bucket: BUCKET.to_owned(),
        access_key_id: ACCESS_KEY_ID.to_owned(),
        secret_access_key: SECRET.to_owned(),
        region: REGION.to_owned(),
        virtual_host,
        ca_bundle: tls.then(|| tls_file("ca.pem")),
    };
    let out = run_s3_driver(&oracles, sdk, &target, DRIVER_LIMIT)
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    server.shutdown().await.expect("server shutdown");
    println!(
        "{sdk} folder={folder} virtual={virtual_host}:\n{}",
        out.stdout
    );
    assert!(
        out.success,
        "{sdk} against serve-s3 at {} (folder={folder}, virtual={virtual_host}, tls={tls}) failed:\n{}",
        target.endpoint,
        out.transcript()
    );
    let want = match sdk {
        S3Sdk::Boto3 => BOTO3_CHECKS,
        S3Sdk::AwsJs => AWS_JS_CHECKS,
    };
    assert!(
        out.stdout
            .lines()
            .last()
            .is_some_and(|l| l == format!("{want} passed, 0 failed")),
        "{sdk}: not all {want} checks ran:\n{}",
        out.transcript()
    );
    assert_secret_not_shown(&sdk.to_string(), &out, SECRET);
    if let Some(root) = root {
        assert_folder_store_written(&root);
    }
}

macro_rules! interop_test {
    ($name:ident, $sdk:expr, $folder:expr, $virtual:expr, $tls:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            interop($sdk, $folder, $virtual, $tls).await;
        }
    };
}

interop_test!(boto3_memory_path_style, S3Sdk::Boto3, false, false, false);
interop_test!(boto3_folder_virtual_host, S3Sdk::Boto3, true, true, false);
interop_test!(
    boto3_tls_memory_virtual_host,
    S3Sdk::Boto3,
    false,
    true,
    true
);
interop_test!(boto3_tls_folder_path_style, S3Sdk::Boto3, true, false, true);
interop_test!(aws_js_memory_virtual_host, S3Sdk::AwsJs, false, true, false);
interop_test!(aws_js_folder_path_style, S3Sdk::AwsJs, true, false, false);

/// A failing driver is noticed: against a bucket the server does not have, each
/// driver stops at its first check, exits non-zero and names the server's answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_s3_driver_is_reported() {
    let oracles = oracles().await;
    let server = server(None, false).await;
    for sdk in [S3Sdk::Boto3, S3Sdk::AwsJs] {
        let target = S3Target {
            endpoint: server.endpoint(),
            bucket: "no-such-bucket".to_owned(),
            access_key_id: ACCESS_KEY_ID.to_owned(),
            secret_access_key: SECRET.to_owned(),
            region: REGION.to_owned(),
            virtual_host: false,
            ca_bundle: None,
        };
        let out = run_s3_driver(&oracles, sdk, &target, DRIVER_LIMIT)
            .await
            .unwrap_or_else(|err| panic!("{err}"));
        assert_missing_bucket_reported(&sdk, &out);
    }
    server.shutdown().await.expect("server shutdown");
}
