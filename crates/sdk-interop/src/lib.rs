//! `jit-sdk-interop`: runs the official Aliyun OSS SDKs (Python `oss2`, Node `ali-oss`)
//! against an OSS endpoint, and the official AWS S3 SDKs (boto3, the JavaScript SDK v3;
//! module [`s3`]) against an S3 endpoint, to prove that the local servers speak OSS and
//! S3 with clients nobody in this project wrote.
//!
//! The SDK side lives in `sdk/`: `install.sh` installs pinned SDK versions into a
//! git-ignored folder ([`install`] calls it once per process), and one driver script per
//! SDK (`oss2_client.py`, `ali_oss_client.js`) runs a fixed list of checks and exits
//! non-zero on the first failure. [`run_driver`] runs a driver as a subprocess and
//! returns its output; the integration tests in `tests/` start the server and call it.

#![warn(missing_docs)]

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

pub mod process;
pub mod s3;

pub use process::{oracles_dir, sdk_dir, DriverOutput, InteropError};
use process::{python, run_install_script, run_with_limit};

/// The official SDKs driven by this crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sdk {
    /// Python `oss2` (driver `sdk/oss2_client.py`).
    Oss2,
    /// Node.js `ali-oss` (driver `sdk/ali_oss_client.js`).
    AliOss,
}

impl Sdk {
    /// The driver script's file name in `sdk/`.
    pub fn script(self) -> &'static str {
        match self {
            Sdk::Oss2 => "oss2_client.py",
            Sdk::AliOss => "ali_oss_client.js",
        }
    }

    /// The endpoint through which this SDK reaches a server listening on `addr`
    /// (a loopback address) with path-style requests (`/bucket/key`).
    ///
    /// - `oss2` switches to path style by itself when the endpoint host is an IP
    ///   address or `localhost`: the plain `http://127.0.0.1:PORT` is used.
    /// - `ali-oss` needs `sldEnable: true` for path style (the driver sets it), and its
    ///   `signatureUrl` refuses endpoints whose host is an IP address, so it gets
    ///   `http://localhost:PORT` (the driver resolves `localhost` IPv4 first).
    pub fn endpoint_for(self, addr: SocketAddr) -> String {
        match self {
            Sdk::Oss2 => format!("http://{addr}"),
            Sdk::AliOss => format!("http://localhost:{}", addr.port()),
        }
    }
}

impl fmt::Display for Sdk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Sdk::Oss2 => "oss2",
            Sdk::AliOss => "ali-oss",
        })
    }
}

/// Which OSS signature the SDK is told to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureVersion {
    /// HMAC-SHA1 (`oss2.Auth`; ali-oss without `authorizationV4`).
    V1,
    /// OSS4-HMAC-SHA256 (`oss2.AuthV4`; ali-oss `authorizationV4: true`).
    V4,
}

impl SignatureVersion {
    /// The value of the drivers' `OSS_SIGNATURE_VERSION` setting.
    pub fn as_arg(self) -> &'static str {
        match self {
            SignatureVersion::V1 => "1",
            SignatureVersion::V4 => "4",
        }
    }
}

/// Which of a driver's checks to run (names as the driver prints them).
#[derive(Debug, Clone, Copy)]
pub enum Checks<'a> {
    /// Every check, in the driver's order.
    All,
    /// Only these.
    Only(&'a [&'a str]),
    /// All but these.
    Skip(&'a [&'a str]),
}

/// Where [`install`] put the SDKs.
#[derive(Debug, Clone)]
pub struct Oracles {
    /// Folder holding `oss2` and its dependencies (goes on `PYTHONPATH`).
    pub python_path: PathBuf,
    /// `node_modules` folder holding `ali-oss` (goes on `NODE_PATH`).
    pub node_path: PathBuf,
}

/// What a driver talks to.
#[derive(Clone)]
pub struct Target {
    /// Base URL, e.g. from [`Sdk::endpoint_for`].
    pub endpoint: String,
    /// An existing bucket.
    pub bucket: String,
    /// Access key id.
    pub access_key_id: String,
    /// Access key secret (passed to the driver in its environment, never shown).
    pub access_key_secret: String,
    /// V4 signing region, e.g. `cn-hangzhou`.
    pub region: String,
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Target")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"<redacted>")
            .field("region", &self.region)
            .finish()
    }
}

/// Installs the pinned SDKs (once per process; `install.sh` itself is idempotent and
/// locked against other processes). Blocking: call it from `spawn_blocking` in async code.
pub fn install() -> Result<Oracles, InteropError> {
    static DONE: OnceLock<Result<Oracles, (String, String)>> = OnceLock::new();
    DONE.get_or_init(install_now)
        .clone()
        .map_err(|(status, output)| InteropError::Install { status, output })
}

/// Runs `install.sh`; the error is (exit status, what it printed).
fn install_now() -> Result<Oracles, (String, String)> {
    let dir = run_install_script("install.sh")?;
    Ok(Oracles {
        python_path: dir.join("python"),
        node_path: dir.join("node").join("node_modules"),
    })
}

/// Runs `sdk`'s `checks` against `target` with signature `version`. A driver still
/// running after `limit` is killed and reported as failed, with the output it had printed.
pub async fn run_driver(
    oracles: &Oracles,
    sdk: Sdk,
    version: SignatureVersion,
    target: &Target,
    checks: Checks<'_>,
    limit: Duration,
) -> Result<DriverOutput, InteropError> {
    let script = sdk_dir().join(sdk.script());
    let mut command = match sdk {
        Sdk::Oss2 => {
            let mut c = tokio::process::Command::new(python());
            c.env("PYTHONPATH", &oracles.python_path)
                .env("PYTHONDONTWRITEBYTECODE", "1");
            c
        }
        Sdk::AliOss => {
            let mut c = tokio::process::Command::new("node");
            c.env("NODE_PATH", &oracles.node_path);
            c
        }
    };
    command
        .arg(&script)
        .env("OSS_ENDPOINT", &target.endpoint)
        .env("OSS_BUCKET", &target.bucket)
        .env("OSS_ACCESS_KEY_ID", &target.access_key_id)
        .env("OSS_ACCESS_KEY_SECRET", &target.access_key_secret)
        .env("OSS_REGION", &target.region)
        .env("OSS_SIGNATURE_VERSION", version.as_arg())
        .env_remove("OSS_ONLY_CHECKS")
        .env_remove("OSS_SKIP_CHECKS");
    match checks {
        Checks::All => {}
        Checks::Only(names) => {
            command.env("OSS_ONLY_CHECKS", names.join(","));
        }
        Checks::Skip(names) => {
            command.env("OSS_SKIP_CHECKS", names.join(","));
        }
    }
    let program = format!(
        "{} {}",
        command.as_std().get_program().to_string_lossy(),
        script.display()
    );
    run_with_limit(&mut command, program, limit).await
}
