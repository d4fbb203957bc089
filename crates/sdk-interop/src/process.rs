//! What running a driver needs, for the OSS and the S3 SDKs alike: where the scripts
//! and the installed SDKs are ([`sdk_dir`], [`oracles_dir`]), what a run printed
//! ([`DriverOutput`]), why it could not run ([`InteropError`]), reading a pipe.

use std::path::{Path, PathBuf};

use tokio::io::AsyncReadExt;

/// Why the SDKs could not be installed or a driver could not be run.
#[derive(Debug, thiserror::Error)]
pub enum InteropError {
    /// `sdk/install.sh` failed; `output` is what it printed.
    #[error(
        "installing the official OSS SDKs failed (sdk/install.sh exited with {status}):\n{output}"
    )]
    Install {
        /// Exit status description.
        status: String,
        /// The installer's stdout and stderr.
        output: String,
    },
    /// A program (bash, python3, node) could not be started.
    #[error("cannot run {program}: {source}")]
    Spawn {
        /// The program.
        program: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
}

/// The folder of this crate's `sdk/` scripts.
pub fn sdk_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sdk")
}

/// Where the SDKs are installed: `$SDK_ORACLES_DIR`, else `<workspace>/target/sdk-oracles`.
pub fn oracles_dir() -> PathBuf {
    match std::env::var_os("SDK_ORACLES_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/sdk-oracles"),
    }
}

/// What a driver run printed and how it ended.
#[derive(Debug)]
pub struct DriverOutput {
    /// Whether the driver exited with status 0 (every check passed).
    pub success: bool,
    /// Exit status description.
    pub status: String,
    /// Standard output (one line per check, then `N passed, M failed`).
    pub stdout: String,
    /// Standard error (tracebacks, SDK warnings).
    pub stderr: String,
}

impl DriverOutput {
    /// Everything the driver printed, for a failure message.
    pub fn transcript(&self) -> String {
        format!(
            "exit: {}\n--- stdout ---\n{}--- stderr ---\n{}",
            self.status, self.stdout, self.stderr
        )
    }
}

/// Reads a child's pipe to the end as (lossy) UTF-8 text.
pub(crate) async fn read_all(pipe: Option<impl tokio::io::AsyncRead + Unpin>) -> String {
    let mut bytes = Vec::new();
    if let Some(mut pipe) = pipe {
        let _ = pipe.read_to_end(&mut bytes).await;
    }
    String::from_utf8_lossy(&bytes).into_owned()
}
