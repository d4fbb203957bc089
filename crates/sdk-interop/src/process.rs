//! What running a driver needs, for the OSS and the S3 SDKs alike: where the scripts
//! and the installed SDKs are ([`sdk_dir`], [`oracles_dir`]), what a run printed
//! ([`DriverOutput`]), why it could not run ([`InteropError`]), running an install
//! script, and running a driver with a time limit while reading its pipes.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

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

/// The Python interpreter for the Python SDKs: `$PYTHON`, else `python3` (as in the
/// install scripts).
pub(crate) fn python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

/// Runs `sdk/<script>` with bash on [`oracles_dir`]: the folder, or (exit status,
/// what it printed).
pub(crate) fn run_install_script(script: &str) -> Result<PathBuf, (String, String)> {
    let dir = oracles_dir();
    let script = sdk_dir().join(script);
    let out = Command::new("bash")
        .arg(&script)
        .arg(&dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|err| {
            let output = format!("cannot run bash {}: {err}", script.display());
            ("not started".to_owned(), output)
        })?;
    if !out.status.success() {
        let output = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        return Err((out.status.to_string(), output));
    }
    Ok(dir)
}

/// Runs a driver `command` (`program` names it in errors) with no input and piped
/// output. One still running after `limit` is killed and reported as failed, with the
/// output it had printed.
pub(crate) async fn run_with_limit(
    command: &mut tokio::process::Command,
    program: String,
    limit: Duration,
) -> Result<DriverOutput, InteropError> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = command
        .spawn()
        .map_err(|source| InteropError::Spawn { program, source })?;
    // Read both pipes while waiting, so a hung driver still shows how far it got.
    let stdout = tokio::spawn(read_all(child.stdout.take()));
    let stderr = tokio::spawn(read_all(child.stderr.take()));
    let (success, status) = match tokio::time::timeout(limit, child.wait()).await {
        Ok(Ok(status)) => (status.success(), status.to_string()),
        Ok(Err(err)) => (false, format!("cannot wait for the driver: {err}")),
        Err(_) => {
            let _ = child.kill().await;
            (false, format!("killed: still running after {limit:?}"))
        }
    };
    Ok(DriverOutput {
        success,
        status,
        stdout: stdout.await.unwrap_or_default(),
        stderr: stderr.await.unwrap_or_default(),
    })
}
