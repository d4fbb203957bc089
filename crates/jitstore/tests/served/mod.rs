//! What the tests that run `jitstore serve-oss` or `jitstore serve-s3` as a plain child
//! process share: starting it, reading the address it announces on stderr, and
//! killing it when the test ends, whatever happens.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A server process, killed (and waited for) when dropped.
pub struct ServerProcess(Child);

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `command` (a `jitstore serve-*` with its arguments and environment) and
/// waits for the stderr line that holds `banner`; returns the process and the word
/// that follows the banner (its endpoint or address).
pub fn serve_announced(mut command: Command, banner: &str) -> (ServerProcess, String) {
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the server");
    let stderr = child.stderr.take().expect("stderr");
    let process = ServerProcess(child);
    for line in BufReader::new(stderr).lines() {
        let line = line.expect("read stderr");
        if let Some(rest) = line.split(banner).nth(1) {
            let word = rest.split_whitespace().next().expect("address").to_owned();
            return (process, word);
        }
    }
    panic!("the server exited without a line with {banner:?}");
}
