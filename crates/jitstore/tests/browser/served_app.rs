//! What tests/serve_app.rs and tests/browser.rs share: a temporary copy of app-example
//! (its `app.json`, `storages/` and the page in `web/`), and `jitstore serve` over it
//! as a real process — its announced address, everything it wrote, and killed when
//! dropped.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The workspace's app-example folder.
pub fn example_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../app-example")
}

/// Copies app-example's `app.json`, `storages/` and `web/` (not its data or code) into
/// `dest`.
pub fn copy_example(dest: &Path) {
    let source = example_dir();
    std::fs::copy(source.join("app.json"), dest.join("app.json")).expect("copy app.json");
    copy_tree(&source.join("storages"), &dest.join("storages"));
    copy_tree(&source.join("web"), &dest.join("web"));
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create a folder");
    for entry in std::fs::read_dir(from).expect("read a folder") {
        let entry = entry.expect("read a folder entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a file");
        }
    }
}

/// `jitstore serve` as a child process; killed when dropped.
pub struct ServeApp {
    child: Child,
    /// `http://127.0.0.1:PORT`, as announced.
    pub base: String,
    /// Its stdout (the announcement line included).
    pub stdout: Arc<Mutex<String>>,
    /// Its stderr.
    pub stderr: Arc<Mutex<String>>,
}

impl Drop for ServeApp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Keeps reading `pipe` into `into` on a thread; sends each line to `lines`.
fn keep(
    pipe: impl std::io::Read + Send + 'static,
    into: Arc<Mutex<String>>,
    lines: Option<mpsc::Sender<String>>,
) {
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            {
                let mut all = into.lock().unwrap();
                all.push_str(&line);
                all.push('\n');
            }
            if let Some(tx) = &lines {
                let _ = tx.send(line);
            }
        }
    });
}

impl ServeApp {
    /// Starts `jitstore serve --app APP --addr 127.0.0.1:0 <extra>` with `env` added to
    /// a clean environment, and waits (at most 60 s) for `serving … on http://ADDR`.
    pub fn start(app: &Path, extra: &[&str], env: &[(&str, &str)]) -> ServeApp {
        Self::start_at(app, "127.0.0.1:0", extra, env)
    }

    /// [`ServeApp::start`] listening on `addr`.
    pub fn start_at(app: &Path, addr: &str, extra: &[&str], env: &[(&str, &str)]) -> ServeApp {
        let mut command = Command::new(env!("CARGO_BIN_EXE_jitstore"));
        command
            .env_remove("JITSTORE_APP")
            .env_remove("JITSTORE_LOG")
            .env_remove("JITSTORE_ALLOW_ENV")
            .env_remove("JITSTORE_TOKEN")
            .arg("serve")
            .arg("--app")
            .arg(app)
            .args(["--addr", addr])
            .args(extra)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("start jitstore serve");
        let stdout = Arc::new(Mutex::new(String::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        let (tx, lines) = mpsc::channel();
        keep(child.stdout.take().unwrap(), stdout.clone(), Some(tx));
        keep(child.stderr.take().unwrap(), stderr.clone(), None);
        let mut process = ServeApp {
            child,
            base: String::new(),
            stdout,
            stderr,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match lines.recv_timeout(left) {
                Ok(line) => {
                    if let Some(addr) = line.split(" on http://").nth(1) {
                        assert!(line.starts_with("serving "), "{line}");
                        process.base = format!("http://{}", addr.trim());
                        return process;
                    }
                }
                Err(_) => panic!(
                    "jitstore serve did not announce its address within 60 s; stderr:\n{}",
                    process.stderr.lock().unwrap()
                ),
            }
        }
    }

    /// Sends SIGTERM and waits (at most 30 s) for the process to end.
    pub fn terminate(&mut self) -> ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM failed");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(exit) = self.child.try_wait().expect("wait for jitstore serve") {
                return exit;
            }
            assert!(
                Instant::now() < deadline,
                "jitstore serve did not stop within 30 s of SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Everything written to stdout and stderr so far.
    pub fn output(&self) -> String {
        format!(
            "{}{}",
            self.stdout.lock().unwrap(),
            self.stderr.lock().unwrap()
        )
    }
}
