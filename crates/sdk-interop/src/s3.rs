//! The official AWS S3 SDKs (boto3, the JavaScript SDK v3) against an S3 endpoint
//! (serve-s3): [`install_s3`] installs them once per process with `sdk/install_s3.sh`,
//! [`run_s3_driver`] runs a driver (`sdk/boto3_client.py`, `sdk/aws_s3_client.js`).

use std::fmt;
use std::sync::OnceLock;
use std::time::Duration;

use crate::process::{
    python, run_install_script, run_with_limit, sdk_dir, DriverOutput, InteropError,
};

/// The official S3 SDKs driven by this crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum S3Sdk {
    /// Python boto3 (driver `sdk/boto3_client.py`).
    Boto3,
    /// The AWS SDK for JavaScript v3 (driver `sdk/aws_s3_client.js`).
    AwsJs,
}

impl fmt::Display for S3Sdk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            S3Sdk::Boto3 => "boto3",
            S3Sdk::AwsJs => "aws-sdk-js",
        })
    }
}

/// Where [`install_s3`] put the SDKs.
#[derive(Debug, Clone)]
pub struct S3Oracles {
    /// Folder holding boto3 and its dependencies (goes on `PYTHONPATH`).
    pub python_path: std::path::PathBuf,
    /// `node_modules` folder holding `@aws-sdk/*` (goes on `NODE_PATH`).
    pub node_path: std::path::PathBuf,
}

/// What an S3 driver talks to.
#[derive(Clone)]
pub struct S3Target {
    /// Base URL, `http://127.0.0.1:PORT` or `http://localhost:PORT`.
    pub endpoint: String,
    /// An existing bucket.
    pub bucket: String,
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key (passed in the environment, never shown).
    pub secret_access_key: String,
    /// Signing region.
    pub region: String,
    /// Virtual-hosted style (`bucket.localhost`) instead of path style.
    pub virtual_host: bool,
    /// The CA certificate (PEM) an `https` endpoint's certificate is checked with.
    pub ca_bundle: Option<std::path::PathBuf>,
}

impl fmt::Debug for S3Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Target")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field("region", &self.region)
            .field("virtual_host", &self.virtual_host)
            .field("ca_bundle", &self.ca_bundle)
            .finish()
    }
}

/// Installs the pinned S3 SDKs (once per process; the script is idempotent and
/// locked). Blocking: call it from `spawn_blocking` in async code.
pub fn install_s3() -> Result<S3Oracles, InteropError> {
    static DONE: OnceLock<Result<S3Oracles, (String, String)>> = OnceLock::new();
    DONE.get_or_init(|| {
        let dir = run_install_script("install_s3.sh")?;
        Ok(S3Oracles {
            python_path: dir.join("s3-python"),
            node_path: dir.join("s3-node").join("node_modules"),
        })
    })
    .clone()
    .map_err(|(status, output)| InteropError::Install { status, output })
}

/// Runs `sdk`'s driver against `target`; a driver still running after `limit` is
/// killed and reported as failed, with what it had printed.
pub async fn run_s3_driver(
    oracles: &S3Oracles,
    sdk: S3Sdk,
    target: &S3Target,
    limit: Duration,
) -> Result<DriverOutput, InteropError> {
    let (program, script) = match sdk {
        S3Sdk::Boto3 => (python(), "boto3_client.py"),
        S3Sdk::AwsJs => ("node".to_owned(), "aws_s3_client.js"),
    };
    let script = sdk_dir().join(script);
    let mut command = tokio::process::Command::new(&program);
    command
        .arg(&script)
        .env("PYTHONPATH", &oracles.python_path)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("NODE_PATH", &oracles.node_path)
        .env("S3_ENDPOINT", &target.endpoint)
        .env("S3_BUCKET", &target.bucket)
        .env("S3_ACCESS_KEY_ID", &target.access_key_id)
        .env("S3_SECRET_ACCESS_KEY", &target.secret_access_key)
        .env("S3_REGION", &target.region)
        .env(
            "S3_ADDRESSING",
            if target.virtual_host {
                "virtual"
            } else {
                "path"
            },
        )
        // The drivers must not pick up a developer's AWS settings.
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_CONFIG_FILE")
        .env_remove("AWS_SHARED_CREDENTIALS_FILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_REQUEST_CHECKSUM_CALCULATION")
        .env_remove("AWS_RESPONSE_CHECKSUM_VALIDATION")
        .env_remove("AWS_CA_BUNDLE")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("S3_CA_BUNDLE");
    if let Some(ca) = &target.ca_bundle {
        command.env("S3_CA_BUNDLE", ca);
    }
    let program = format!("{program} {}", script.display());
    run_with_limit(&mut command, program, limit).await
}
