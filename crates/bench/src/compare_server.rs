//! The server of the `compare` group: one `jitstore serve-oss` (or `serve-s3`) process (memory store,
//! the build next to this benchmark's binary) on 127.0.0.1 with a free port, so that no
//! client shares a process, a runtime or an allocator with it, and its CPU time can be
//! read apart from theirs (`/proc/<pid>/stat`).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use crate::child::{cpu_so_far, terminate};
use crate::compare_protocol::Protocol;
use crate::error::{BenchError, BenchResult};
use crate::oss_fixture::{ACCESS_KEY_ID, ACCESS_KEY_SECRET, BUCKET};

/// A running `jitstore serve-oss` or `serve-s3`.
#[derive(Debug)]
pub struct ServerProcess {
    child: Child,
    endpoint: String,
}

impl ServerProcess {
    /// Starts `jitstore serve-oss` (or `serve-s3`) from `jitstore` on 127.0.0.1 (port
    /// chosen by the system) with the benchmark's bucket and test key; waits for the
    /// line announcing its endpoint.
    pub fn start(jitstore: &Path, protocol: Protocol) -> BenchResult<ServerProcess> {
        let serve = protocol.serve_command();
        let mut child = Command::new(jitstore)
            .args([serve, "--addr", "127.0.0.1:0", "--bucket", BUCKET])
            .args(["--access-key-id", ACCESS_KEY_ID])
            .env(protocol.server_secret_env(), ACCESS_KEY_SECRET)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| BenchError::Check(format!("cannot run {}: {e}", jitstore.display())))?;
        let stderr = child.stderr.take().expect("stderr is piped");
        let (tx, rx) = mpsc::channel();
        // Reads the server's stderr for as long as it runs: the first endpoint line is
        // sent back, the rest is dropped (it must be read, or the server would block).
        thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(endpoint) = endpoint_of(&line) {
                    if let Some(tx) = tx.take() {
                        let _ = tx.send(endpoint);
                    }
                }
            }
        });
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(endpoint) => Ok(ServerProcess { child, endpoint }),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                Err(BenchError::Check(format!(
                    "jitstore {serve} did not announce its endpoint within 30 s"
                )))
            }
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// CPU time the server has used since it started.
    pub fn cpu(&self) -> Option<Duration> {
        cpu_so_far(self.child.id())
    }

    /// Stops the server (SIGTERM, its graceful stop) and waits for it.
    pub fn stop(mut self) -> BenchResult<()> {
        if !terminate(self.child.id()) {
            self.child.kill()?;
        }
        self.child.wait()?;
        Ok(())
    }
}

/// The endpoint in `jitstore: local OSS server on http://127.0.0.1:PORT (buckets: …)`.
fn endpoint_of(line: &str) -> Option<String> {
    let rest = line.split_once(" on ")?.1;
    let endpoint = rest.split_whitespace().next()?;
    endpoint.starts_with("http://").then(|| endpoint.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_endpoint_from_the_announcements_of_both_servers() {
        let s3 = "jitstore: local S3 server on http://127.0.0.1:40124 (region us-east-1, \
                  buckets: b); Ctrl-C stops it";
        assert_eq!(endpoint_of(s3).as_deref(), Some("http://127.0.0.1:40124"));
        let line =
            "jitstore: local OSS server on http://127.0.0.1:40123 (buckets: b); Ctrl-C stops it";
        assert_eq!(endpoint_of(line).as_deref(), Some("http://127.0.0.1:40123"));
        assert_eq!(endpoint_of("jitstore: injecting faults on nothing"), None);
    }
}
