//! Measures a client from a small process of its own, so that its peak RSS is its own.
//!
//! On Linux a process's `ru_maxrss` starts at the resident size of the process it was
//! spawned from (`exec` keeps the larger of the two high-water marks), so a client
//! spawned straight from the benchmark, whose RSS holds buffers and a runtime, would
//! never report less than the benchmark itself. The benchmark therefore runs a client
//! through its own binary in launcher mode (`jitstore-bench --measure-child SECS --
//! PROGRAM ARGS…`, handled before any flag parsing): a fresh process of a few MiB that
//! spawns the client, measures it with [`run_measured`], and prints the result as one
//! JSON line. The client's `ru_maxrss` then starts at the launcher's few MiB, below
//! any client's own peak (what `/usr/bin/time` gets by being small).

use std::ffi::OsString;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use crate::child::{run_measured, Measured};
use crate::error::{BenchError, BenchResult};

/// The hidden first argument of launcher mode.
const FLAG: &str = "--measure-child";

/// Launcher mode, if this process was started in it: runs the client named on the
/// command line and returns the exit code (0 after printing the measurement, 2 with the
/// reason on stderr). `None` for a normal run.
pub fn launcher_main() -> Option<i32> {
    let mut args = std::env::args_os().skip(1);
    if args.next()? != FLAG {
        return None;
    }
    let outcome = (|| -> BenchResult<Measured> {
        let bad = || BenchError::Check(format!("usage: {FLAG} SECS -- PROGRAM [ARGS…]"));
        let secs: u64 = args
            .next()
            .and_then(|s| s.into_string().ok())
            .and_then(|s| s.parse().ok())
            .ok_or_else(bad)?;
        if args.next().as_deref() != Some("--".as_ref()) {
            return Err(bad());
        }
        let program = args.next().ok_or_else(bad)?;
        let mut cmd = Command::new(program);
        cmd.args(args);
        run_measured(&mut cmd, Duration::from_secs(secs))
    })();
    match outcome {
        Ok(m) => {
            let doc = json!({
                "wall_us": m.wall.as_micros() as u64,
                "user_us": m.user.as_micros() as u64,
                "sys_us": m.sys.as_micros() as u64,
                "max_rss_kib": m.max_rss_kib,
                "stdout": m.stdout,
            });
            println!("{doc}");
            Some(0)
        }
        Err(e) => {
            eprintln!("{e}");
            Some(2)
        }
    }
}

/// Runs `cmd` through a launcher (this binary, `exe`) and returns the client's own
/// measurement; `cmd`'s environment and folder carry over, its stdin is closed.
pub fn run_isolated(
    exe: &std::path::Path,
    cmd: &Command,
    limit: Duration,
) -> BenchResult<Measured> {
    let mut launcher = Command::new(exe);
    launcher
        .arg(FLAG)
        .arg(limit.as_secs().max(1).to_string())
        .arg("--")
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (name, value) in cmd.get_envs() {
        match value {
            Some(value) => launcher.env(name, value),
            None => launcher.env_remove(name),
        };
    }
    if let Some(dir) = cmd.get_current_dir() {
        launcher.current_dir(dir);
    }
    let what: OsString = cmd.get_program().to_owned();
    let out = launcher.stdin(Stdio::null()).output()?;
    if !out.status.success() {
        return Err(BenchError::Check(format!(
            "{}: {}",
            what.to_string_lossy(),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    parse(&out.stdout)
}

/// The launcher's JSON line as a [`Measured`].
fn parse(stdout: &[u8]) -> BenchResult<Measured> {
    let doc: Value = serde_json::from_slice(stdout)
        .map_err(|e| BenchError::Check(format!("launcher output unreadable: {e}")))?;
    let us = |k: &str| {
        doc[k]
            .as_u64()
            .map(Duration::from_micros)
            .ok_or_else(|| BenchError::Check(format!("launcher output lacks {k}")))
    };
    Ok(Measured {
        wall: us("wall_us")?,
        user: us("user_us")?,
        sys: us("sys_us")?,
        max_rss_kib: doc["max_rss_kib"].as_u64().unwrap_or(0),
        stdout: doc["stdout"].as_str().unwrap_or("").to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_launcher_line() {
        let m = parse(
            br#"{"wall_us":1500000,"user_us":200,"sys_us":300,"max_rss_kib":4096,"stdout":"x\n"}"#,
        )
        .unwrap();
        assert_eq!(m.wall, Duration::from_millis(1500));
        assert_eq!(m.cpu(), Duration::from_micros(500));
        assert_eq!(m.max_rss_kib, 4096);
        assert_eq!(m.stdout, "x\n");
        assert!(parse(b"{}").is_err());
    }
}
