//! The official OSS SDKs against the local server: one test per SDK × signature
//! version × store (memory, folder in a temp dir). Each test starts its own server on
//! 127.0.0.1:0, runs the SDK's driver script (`sdk/*_client.*`) as a subprocess and
//! fails with the driver's whole output unless every check passed.
//!
//! The SDKs are installed on first use by `sdk/install.sh` (pinned versions, into
//! `target/sdk-oracles`), so `cargo test` alone is enough on a new machine; if the
//! installation fails, every test here fails with the installer's output.

use std::path::PathBuf;
use std::time::Duration;

use common::{
    assert_folder_store_written, assert_missing_bucket_reported, assert_secret_not_shown,
};
use jit_oss_server::{start, RunningServer, ServerConfig};
use jit_sdk_interop::{install, run_driver, Checks, Oracles, Sdk, SignatureVersion, Target};

mod common;

const BUCKET: &str = "interop-bucket";
const ACCESS_KEY_ID: &str = "interop-ak";
const ACCESS_KEY_SECRET: &str = "interop-secret-do-not-log";
const REGION: &str = "cn-hangzhou";
/// Guards against a hung driver only: a run normally takes a few seconds.
const DRIVER_LIMIT: Duration = Duration::from_secs(300);

/// Where the server keeps objects for a test.
#[derive(Debug, Clone, Copy)]
enum Store {
    Memory,
    Folder,
}

/// Installs the SDKs (once per process), failing the test with the installer's output.
async fn oracles() -> Oracles {
    tokio::task::spawn_blocking(install)
        .await
        .expect("install task")
        .unwrap_or_else(|err| panic!("{err}"))
}

/// Starts a server with [`BUCKET`] and the test key; `root` is `None` for memory.
async fn server(root: Option<PathBuf>) -> RunningServer {
    start(ServerConfig {
        root,
        buckets: vec![BUCKET.to_owned()],
        credentials: vec![(ACCESS_KEY_ID.to_owned(), ACCESS_KEY_SECRET.to_owned())],
        region: REGION.to_owned(),
        ..ServerConfig::default()
    })
    .await
    .expect("start the local OSS server")
}

fn target(sdk: Sdk, server: &RunningServer, bucket: &str) -> Target {
    Target {
        endpoint: sdk.endpoint_for(server.local_addr()),
        bucket: bucket.to_owned(),
        access_key_id: ACCESS_KEY_ID.to_owned(),
        access_key_secret: ACCESS_KEY_SECRET.to_owned(),
        region: REGION.to_owned(),
    }
}

async fn interop(sdk: Sdk, version: SignatureVersion, store: Store) {
    let oracles = oracles().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let root = match store {
        Store::Memory => None,
        Store::Folder => Some(dir.path().join("oss-root")),
    };
    let server = server(root.clone()).await;
    let target = target(sdk, &server, BUCKET);
    let checks = Checks::All;
    let out = run_driver(&oracles, sdk, version, &target, checks, DRIVER_LIMIT)
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    server.shutdown().await.expect("server shutdown");
    // Shown with `cargo test -- --nocapture`: one line per check.
    println!("{sdk} {version:?} {store:?}:\n{}", out.stdout);

    assert!(
        out.success,
        "{sdk} {version:?} against the {store:?} server at {} failed:\n{}",
        target.endpoint,
        out.transcript()
    );
    assert!(
        out.stdout
            .lines()
            .last()
            .is_some_and(|l| l.ends_with(" passed, 0 failed")),
        "{sdk} {version:?}: the driver exited 0 without its closing line:\n{}",
        out.transcript()
    );
    assert_secret_not_shown(&format!("{sdk} {version:?}"), &out, ACCESS_KEY_SECRET);
    if let Some(root) = root {
        assert_folder_store_written(&root);
    }
}

macro_rules! interop_test {
    ($name:ident, $sdk:expr, $version:expr, $store:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            interop($sdk, $version, $store).await;
        }
    };
}

interop_test!(
    oss2_v1_memory,
    Sdk::Oss2,
    SignatureVersion::V1,
    Store::Memory
);
interop_test!(
    oss2_v4_memory,
    Sdk::Oss2,
    SignatureVersion::V4,
    Store::Memory
);
interop_test!(
    oss2_v1_folder,
    Sdk::Oss2,
    SignatureVersion::V1,
    Store::Folder
);
interop_test!(
    oss2_v4_folder,
    Sdk::Oss2,
    SignatureVersion::V4,
    Store::Folder
);
interop_test!(
    ali_oss_v1_memory,
    Sdk::AliOss,
    SignatureVersion::V1,
    Store::Memory
);
interop_test!(
    ali_oss_v4_memory,
    Sdk::AliOss,
    SignatureVersion::V4,
    Store::Memory
);
interop_test!(
    ali_oss_v1_folder,
    Sdk::AliOss,
    SignatureVersion::V1,
    Store::Folder
);
interop_test!(
    ali_oss_v4_folder,
    Sdk::AliOss,
    SignatureVersion::V4,
    Store::Folder
);

/// The harness notices a failing driver: pointed at a bucket the server does not have,
/// each driver stops at its first check, exits non-zero and names the server's answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_driver_is_reported() {
    let oracles = oracles().await;
    let server = server(None).await;
    for sdk in [Sdk::Oss2, Sdk::AliOss] {
        let target = target(sdk, &server, "no-such-bucket");
        let checks = Checks::All;
        let out = run_driver(
            &oracles,
            sdk,
            SignatureVersion::V4,
            &target,
            checks,
            DRIVER_LIMIT,
        )
        .await
        .unwrap_or_else(|err| panic!("{err}"));
        assert_missing_bucket_reported(&sdk, &out);
    }
    server.shutdown().await.expect("server shutdown");
}
