//! The example app's code: its custom storage Type ([`tenant`]), the seed's usage flow
//! ([`flow`]), and [`ExampleApp`], which opens the app folder with the official Types plus
//! its own and starts what runs locally (DiskType's signed-URL handler, the local OSS
//! server when no Aliyun account is configured, and serve-s3, the local S3 server, when
//! no MinIO is).

#![warn(missing_docs)]

pub mod flow;
pub mod tenant;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use jitstore::disk::{serve_signed_urls, DiskStorage, SignedUrlServer};
use jitstore::element::{App, ElementError};
use jitstore::oss_server::{RunningServer, ServerConfig};
use jitstore::prelude::*;
use jitstore::storage::downcast_storage;
use tokio::net::TcpListener;

use crate::tenant::{TenantType, TENANT_TYPE};

/// The variables that point `storages.MyOss` at a real Aliyun OSS bucket.
pub const OSS_VARIABLES: [&str; 4] = [
    "OSS_ACCESS_KEY_ID",
    "OSS_ACCESS_KEY_SECRET",
    "OSS_ENDPOINT",
    "OSS_BUCKET",
];

/// The variables that point `storages.MyMinio` at a real MinIO (or any S3) server
/// (`MINIO_SCHEME`, `http` by default, is optional).
pub const MINIO_VARIABLES: [&str; 4] = [
    "MINIO_ENDPOINT",
    "MINIO_ACCESS_KEY",
    "MINIO_SECRET_KEY",
    "MINIO_BUCKET",
];

/// Where `storages.MyMinio` points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MinioTarget {
    /// The MinIO server the `MINIO_*` variables name.
    Configured,
    /// serve-s3, the local S3 server (which verifies signatures), started in-process at
    /// this `host:port`.
    Local(String),
}

/// Where `storages.MyOss` points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OssTarget {
    /// Real Aliyun OSS, from the `OSS_*` variables.
    Aliyun,
    /// The local OSS-compatible server started in-process at this endpoint.
    Local(String),
}

/// Why the example could not start.
#[derive(Debug, thiserror::Error)]
pub enum ExampleError {
    /// Loading the app or an element failed.
    #[error(transparent)]
    Element(#[from] ElementError),
    /// A local service could not start.
    #[error("cannot start {what}: {message}")]
    Service {
        /// Which service.
        what: &'static str,
        /// Why.
        message: String,
    },
}

/// The example app, opened, with its local services running.
pub struct ExampleApp {
    /// The app.
    pub app: App,
    /// Where `storages.MyOss` points.
    pub oss: OssTarget,
    /// Where `storages.MyMinio` points.
    pub minio: MinioTarget,
    disk_server: Option<SignedUrlServer>,
    oss_server: Option<RunningServer>,
    s3_server: Option<jitstore::s3_server::RunningServer>,
}

impl ExampleApp {
    /// The example's folder in this repository.
    pub fn default_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    /// Opens the app at `dir`. `env` stands in for the process environment when given
    /// (tests); otherwise the process environment is read.
    pub async fn open(
        dir: &Path,
        env: Option<HashMap<String, String>>,
    ) -> Result<Self, ExampleError> {
        let all_set = |names: &[&str]| {
            names.iter().all(|name| {
                let value = match &env {
                    Some(map) => map.get(*name).cloned(),
                    None => std::env::var(name).ok(),
                };
                value.is_some_and(|v| !v.is_empty())
            })
        };
        let configured = all_set(&OSS_VARIABLES);
        let minio_configured = all_set(&MINIO_VARIABLES);
        // DiskType's signed URLs need a server; its address goes into `baseUrl`.
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| service("the signed-URL handler", e))?;
        let disk_addr = listener
            .local_addr()
            .map_err(|e| service("the signed-URL handler", e))?;

        let mut builder = App::builder(dir);
        if let Some(map) = env {
            builder = builder.env_vars(map);
        }
        builder = builder
            .with_builtin_types()
            .register_storage_type(TENANT_TYPE, TenantType)
            .set_var("DISK_BASE_URL", format!("http://{disk_addr}"));

        let (oss, oss_server) = if configured {
            (OssTarget::Aliyun, None)
        } else {
            let (server, vars) = start_local_oss().await?;
            for (name, value) in vars {
                builder = builder.set_var(name, value);
            }
            (OssTarget::Local(server.endpoint()), Some(server))
        };
        let (minio, s3_server) = if minio_configured {
            (MinioTarget::Configured, None)
        } else {
            let (server, vars) = start_local_s3().await?;
            for (name, value) in vars {
                builder = builder.set_var(name, value);
            }
            (
                MinioTarget::Local(server.local_addr().to_string()),
                Some(server),
            )
        };
        let app = builder.open()?;

        let default = app.storage("storages.Default").await?;
        let disk_server = match downcast_storage::<DiskStorage>(&default) {
            Some(disk) => Some(
                serve_signed_urls(listener, disk)
                    .map_err(|e| service("the signed-URL handler", e))?,
            ),
            // An app that overrides DiskType serves its own URLs.
            None => None,
        };
        Ok(Self {
            app,
            oss,
            minio,
            disk_server,
            oss_server,
            s3_server,
        })
    }

    /// Storage elements the example exercises, in order.
    pub fn storages(&self) -> [&'static str; 4] {
        [
            "storages.Default",
            "storages.AcmeFiles",
            "storages.MyOss",
            "storages.MyMinio",
        ]
    }

    /// Stops the local services.
    pub async fn shutdown(self) {
        if let Some(server) = self.disk_server {
            let _ = server.shutdown().await;
        }
        if let Some(server) = self.oss_server {
            let _ = server.shutdown().await;
        }
        if let Some(server) = self.s3_server {
            let _ = server.shutdown().await;
        }
    }
}

fn service(what: &'static str, err: impl std::fmt::Display) -> ExampleError {
    ExampleError::Service {
        what,
        message: err.to_string(),
    }
}

/// Starts an in-memory local OSS server with fresh credentials; returns it and the
/// `OSS_*` variables that point `storages.MyOss` at it.
async fn start_local_oss() -> Result<(RunningServer, Vec<(&'static str, String)>), ExampleError> {
    let bucket = "example-bucket".to_string();
    let access_key_id = "LOCAL-EXAMPLE-KEY".to_string();
    let secret = format!("local-{:032x}", rand::random::<u128>());
    let server = jitstore::oss_server::start(ServerConfig {
        buckets: vec![bucket.clone()],
        credentials: vec![(access_key_id.clone(), secret.clone())],
        ..ServerConfig::default()
    })
    .await
    .map_err(|e| service("the local OSS server", e))?;
    let vars = vec![
        ("OSS_ACCESS_KEY_ID", access_key_id),
        ("OSS_ACCESS_KEY_SECRET", secret),
        ("OSS_ENDPOINT", server.endpoint()),
        ("OSS_BUCKET", bucket),
        // An IP endpoint names no region; V4 signs for the one the server reports.
        ("OSS_REGION", "cn-hangzhou".to_string()),
    ];
    Ok((server, vars))
}

/// Starts serve-s3, the local S3 server, in memory with fresh credentials; returns it
/// and the `MINIO_*` variables that point `storages.MyMinio` at it (`host:port`, the
/// scheme being MinioType's default `http`).
async fn start_local_s3() -> Result<
    (
        jitstore::s3_server::RunningServer,
        Vec<(&'static str, String)>,
    ),
    ExampleError,
> {
    let bucket = "example-bucket".to_string();
    let access_key_id = "LOCAL-S3-EXAMPLE-KEY".to_string();
    let secret = format!("local-{:032x}", rand::random::<u128>());
    let server = jitstore::s3_server::start(jitstore::s3_server::ServerConfig {
        buckets: vec![bucket.clone()],
        credentials: vec![(access_key_id.clone(), secret.clone())],
        ..jitstore::s3_server::ServerConfig::default()
    })
    .await
    .map_err(|e| service("serve-s3, the local S3 server", e))?;
    let vars = vec![
        ("MINIO_ENDPOINT", server.local_addr().to_string()),
        ("MINIO_ACCESS_KEY", access_key_id),
        ("MINIO_SECRET_KEY", secret),
        ("MINIO_BUCKET", bucket),
    ];
    Ok((server, vars))
}
