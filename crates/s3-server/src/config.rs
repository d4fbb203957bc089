//! Server configuration ([`ServerConfig`]) and start-up errors ([`ServerError`]).

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use jit_oss_server::shared::setup::{ConfigProblem, RedactedCredentials};
use jit_oss_server::StoreError;

use crate::tls::TlsConfig;

/// How to run a local S3 server.
///
/// `Debug` redacts the credential secrets.
#[derive(Clone)]
pub struct ServerConfig {
    /// Address to listen on. Default `127.0.0.1:0` (loopback, any free port).
    pub addr: SocketAddr,
    /// Folder to keep objects in (the local OSS server's folder store); `None` keeps
    /// them in memory only.
    pub root: Option<PathBuf>,
    /// Buckets created at start if missing (3-63 of `a-z0-9-`, as the store's folders
    /// are named).
    pub buckets: Vec<String>,
    /// Accepted access keys: `(access key id, secret access key)`.
    pub credentials: Vec<(String, String)>,
    /// Serve unsigned (anonymous) requests instead of refusing them with AccessDenied.
    pub allow_anonymous: bool,
    /// Host names whose sub-domains address a bucket (virtual-hosted style), and which
    /// themselves are path style. Default `["localhost"]`: `bucket.localhost:PORT` is
    /// virtual-hosted, `localhost:PORT/bucket/key` and `127.0.0.1:PORT/bucket/key` are
    /// path style.
    pub service_domains: Vec<String>,
    /// The region signatures must be scoped to. Default `us-east-1`.
    pub region: String,
    /// Largest accepted difference between a request's signing time and the server's
    /// clock (S3: 15 minutes).
    pub max_skew: Duration,
    /// Serve HTTPS with this certificate instead of plain HTTP.
    pub tls: Option<TlsConfig>,
    /// Origins whose browser pages may call the server (CORS): exact origins such as
    /// `http://127.0.0.1:5173`, or `*` for any. Empty (the default): CORS is off.
    /// See [`jit_oss_server::shared::cors`] for the preflight and answer headers.
    pub cors_origins: Vec<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            root: None,
            buckets: Vec::new(),
            credentials: Vec::new(),
            allow_anonymous: false,
            service_domains: vec!["localhost".to_owned()],
            region: "us-east-1".to_owned(),
            max_skew: Duration::from_secs(15 * 60),
            tls: None,
            cors_origins: Vec::new(),
        }
    }
}

impl fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerConfig")
            .field("addr", &self.addr)
            .field("root", &self.root)
            .field("buckets", &self.buckets)
            .field("credentials", &RedactedCredentials(&self.credentials))
            .field("allow_anonymous", &self.allow_anonymous)
            .field("service_domains", &self.service_domains)
            .field("region", &self.region)
            .field("max_skew", &self.max_skew)
            .field("tls", &self.tls)
            .field("cors_origins", &self.cors_origins)
            .finish()
    }
}

/// Why the server could not start or stop cleanly.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The listening socket could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// A configured bucket name is not valid here.
    #[error("invalid bucket name {0:?}: use 3-63 characters of a-z, 0-9 and '-', not starting or ending with '-'")]
    InvalidBucketName(String),
    /// A credential has an empty id or secret.
    #[error("invalid credential: access key id and secret must not be empty")]
    InvalidCredential,
    /// The region is empty.
    #[error("invalid region: it must not be empty")]
    InvalidRegion,
    /// The TLS certificate or key could not be used.
    #[error("tls: {0}")]
    Tls(String),
    /// A configured CORS origin is not `*` or `scheme://host[:port]`.
    #[error("invalid CORS origin {0}")]
    InvalidCorsOrigin(String),
    /// The store could not be opened or prepared.
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// The server task failed.
    #[error("server: {0}")]
    Serve(#[source] std::io::Error),
}

impl From<ConfigProblem> for ServerError {
    fn from(problem: ConfigProblem) -> Self {
        match problem {
            ConfigProblem::InvalidBucketName(name) => ServerError::InvalidBucketName(name),
            ConfigProblem::InvalidCredential => ServerError::InvalidCredential,
        }
    }
}

/// Whether `name` is a bucket name this server accepts (the store's rule).
pub fn is_valid_bucket_name(name: &str) -> bool {
    jit_oss_server::config::is_valid_bucket_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_secrets_and_default_is_loopback() {
        let config = ServerConfig {
            credentials: vec![("id1".into(), "very-secret".into())],
            ..ServerConfig::default()
        };
        let shown = format!("{config:?}");
        assert!(shown.contains("id1") && !shown.contains("very-secret"));
        assert!(config.addr.ip().is_loopback());
        assert_eq!(config.region, "us-east-1");
    }
}
