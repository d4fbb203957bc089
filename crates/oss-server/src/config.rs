//! Server configuration ([`ServerConfig`]) and start-up errors ([`ServerError`]).

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use crate::faults::config::FaultConfig;
use crate::shared::setup::{ConfigProblem, RedactedCredentials};
use crate::store::error::StoreError;

/// How to run a local OSS server.
///
/// `Debug` redacts the credential secrets.
#[derive(Clone)]
pub struct ServerConfig {
    /// Address to listen on. Default `127.0.0.1:0` (loopback, any free port).
    pub addr: SocketAddr,
    /// Folder to keep objects in; `None` keeps them in memory only.
    pub root: Option<PathBuf>,
    /// Buckets created at start if missing (names follow OSS rules: 3-63 of `a-z0-9-`).
    pub buckets: Vec<String>,
    /// Accepted access keys: `(access key id, access key secret)`.
    pub credentials: Vec<(String, String)>,
    /// Serve unsigned (anonymous) requests instead of refusing them with AccessDenied.
    pub allow_anonymous: bool,
    /// Host names whose sub-domains address a bucket (virtual-hosted style), and which
    /// themselves are path style. Default `["localhost"]`, so `bucket.localhost:PORT`
    /// is virtual-hosted and `localhost:PORT/bucket/key` is path style. Hosts that are
    /// IP addresses are always path style; other dotted hosts not listed here are
    /// virtual-hosted with their first label as the bucket.
    pub service_domains: Vec<String>,
    /// Region name reported by GetBucketInfo / GetBucketLocation (`oss-<region>`).
    pub region: String,
    /// Fault injection (off by default: rate 0).
    pub faults: FaultConfig,
    /// Origins whose browser pages may call the server (CORS): exact origins such as
    /// `http://127.0.0.1:5173`, or `*` for any. Empty (the default): CORS is off.
    /// See [`crate::shared::cors`] for the preflight and answer headers.
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
            region: "cn-hangzhou".to_owned(),
            faults: FaultConfig::default(),
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
            .field("faults", &self.faults)
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
    /// A configured bucket name is not a valid OSS bucket name.
    #[error("invalid bucket name {0:?}: use 3-63 characters of a-z, 0-9 and '-', not starting or ending with '-'")]
    InvalidBucketName(String),
    /// A credential has an empty id or secret.
    #[error("invalid credential: access key id and secret must not be empty")]
    InvalidCredential,
    /// The fault injection settings are not valid (a rate outside 0..=1).
    #[error("invalid fault injection: {0}")]
    InvalidFaults(String),
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

/// Whether `name` is a valid OSS bucket name.
pub fn is_valid_bucket_name(name: &str) -> bool {
    crate::store::layout::is_bucket_dir_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_secrets() {
        let config = ServerConfig {
            credentials: vec![("id1".into(), "very-secret".into())],
            ..ServerConfig::default()
        };
        let shown = format!("{config:?}");
        assert!(shown.contains("id1"));
        assert!(!shown.contains("very-secret"));
    }

    #[test]
    fn default_is_loopback() {
        let config = ServerConfig::default();
        assert!(config.addr.ip().is_loopback());
        assert_eq!(config.addr.port(), 0);
    }
}
