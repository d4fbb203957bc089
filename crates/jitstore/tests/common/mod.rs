//! Helpers shared by the `jitstore` binary tests: writing app folders, running the real
//! binary under a timeout guard, and `serve-oss` as a real process whose stderr is kept.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Writes `text` to `root/rel`, creating folders.
pub fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// `jitstore` with a clean environment for the app settings it reads.
pub fn jitstore() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_jitstore"));
    command
        .env_remove("JITSTORE_APP")
        .env_remove("JITSTORE_LOG")
        .env_remove("JITSTORE_ALLOW_ENV");
    command
}

/// Runs `command` to its end; fails the test if it is still running after `limit` (a
/// guard against hangs, never a measurement).
pub fn run_within(mut command: Command, limit: Duration) -> Output {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start jitstore");
    let stdout = drain(child.stdout.take().unwrap());
    let stderr = drain(child.stderr.take().unwrap());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for jitstore") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("jitstore {command:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

/// Reads a pipe to its end on another thread.
fn drain(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut all = Vec::new();
        let _ = pipe.read_to_end(&mut all);
        all
    })
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `jitstore serve-oss` as a separate process; killed when dropped. Everything it writes
/// to stderr is kept.
pub struct OssServer {
    child: Child,
    /// The `http://127.0.0.1:PORT` it announced.
    pub endpoint: String,
    log: Arc<Mutex<String>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl OssServer {
    /// Starts `jitstore <extra> serve-oss` on a free loopback port, serving `bucket` to
    /// `access_key_id` / `secret` (passed in the environment, as users are told to).
    pub fn start(
        extra: &[&str],
        env: &[(&str, &str)],
        bucket: &str,
        access_key_id: &str,
        secret: &str,
    ) -> Self {
        let mut command = jitstore();
        command
            .args(extra)
            .args(["serve-oss", "--addr", "127.0.0.1:0", "--bucket", bucket])
            .args(["--access-key-id", access_key_id])
            .env("JITSTORE_OSS_ACCESS_KEY_SECRET", secret)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("start jitstore serve-oss");
        let stderr = child.stderr.take().expect("stderr");
        let log = Arc::new(Mutex::new(String::new()));
        let (announced, endpoint) = std::sync::mpsc::channel();
        let kept = log.clone();
        let reader = std::thread::spawn(move || {
            let mut announced = Some(announced);
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.split("local OSS server on ").nth(1) {
                    let endpoint = rest
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_string();
                    if let Some(tx) = announced.take() {
                        let _ = tx.send(endpoint);
                    }
                }
                let mut log = kept.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let endpoint = endpoint
            .recv_timeout(Duration::from_secs(60))
            .expect("serve-oss announces its address");
        Self {
            child,
            endpoint,
            log,
            reader: Some(reader),
        }
    }

    /// Stops the server and returns everything it wrote to stderr.
    pub fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        let log = self.log.lock().unwrap().clone();
        log
    }
}

impl Drop for OssServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
