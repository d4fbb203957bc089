//! Runs a client as a child process and measures it the way `time -v` would: wall time
//! from spawn to exit, CPU time (`ru_utime + ru_stime`) and peak resident set
//! (`ru_maxrss`) of exactly that process, from `wait4(2)`'s `rusage`.
//!
//! The child is first waited for without being reaped (`waitid(WNOWAIT)`), so a
//! watchdog that kills it after the time limit can never signal a reused pid; only then
//! is it reaped with `wait4`, which returns its resource usage. These libc calls (with
//! `kill` and `sysconf`) are the one place in the benchmark that needs `unsafe`: no
//! dependency offers `wait4` with its `rusage` safely.

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::error::{BenchError, BenchResult};

/// What one run of a child cost, and what it printed.
#[derive(Debug, Clone)]
pub struct Measured {
    /// From just before spawn to its exit being seen.
    pub wall: Duration,
    /// User CPU time of the child (threads included).
    pub user: Duration,
    /// System CPU time of the child.
    pub sys: Duration,
    /// Peak resident set size, KiB (`ru_maxrss` on Linux).
    pub max_rss_kib: u64,
    /// Its standard output.
    pub stdout: String,
}

impl Measured {
    /// User + system CPU time.
    pub fn cpu(&self) -> Duration {
        self.user + self.sys
    }
}

/// Whether the child has exited (set before it is reaped), shared with the watchdog.
type Exited = Arc<(Mutex<bool>, Condvar)>;

/// Runs `cmd` to its end (stdin closed, stdout and stderr captured), killing it after
/// `limit`; fails unless it exits with status 0.
pub fn run_measured(cmd: &mut Command, limit: Duration) -> BenchResult<Measured> {
    let what = format!("{:?}", cmd.get_program());
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn()?;
    let pid = child.id() as libc::pid_t;
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let exited: Exited = Arc::new((Mutex::new(false), Condvar::new()));
    let watchdog = {
        let exited = exited.clone();
        thread::spawn(move || kill_after(pid, limit, &exited))
    };
    let waited = wait_exited(pid);
    let wall = start.elapsed();
    *exited.0.lock().expect("exit flag lock") = true;
    exited.1.notify_all();
    let killed = watchdog.join().unwrap_or(false);
    waited?;
    let (status, usage) = reap(pid)?;
    let out = stdout.join().unwrap_or_default();
    let err = stderr.join().unwrap_or_default();
    if killed {
        return Err(BenchError::Check(format!("{what}: killed after {limit:?}")));
    }
    if status != 0 {
        let tail: Vec<&str> = err.lines().rev().take(6).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(BenchError::Check(format!(
            "{what} failed (wait status {status}): {}",
            tail.join(" | ")
        )));
    }
    Ok(Measured {
        wall,
        user: timeval(usage.ru_utime),
        sys: timeval(usage.ru_stime),
        max_rss_kib: usage.ru_maxrss.max(0) as u64,
        stdout: out,
    })
}

/// Reads a pipe to its end on a thread of its own (so a chatty child never blocks).
fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = pipe {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            text = String::from_utf8_lossy(&bytes).into_owned();
        }
        text
    })
}

/// Sends SIGKILL to `pid` unless it exits within `limit`; returns whether it did.
fn kill_after(pid: libc::pid_t, limit: Duration, exited: &Exited) -> bool {
    let (lock, cvar) = &**exited;
    let guard = lock.lock().expect("exit flag lock");
    let (guard, _) = cvar
        .wait_timeout_while(guard, limit, |done| !*done)
        .expect("exit flag lock");
    if *guard {
        return false;
    }
    // SAFETY: kill(2) on a pid that is still ours: the flag is false, so the child has
    // not been seen to exit and, above all, not been reaped (reaping waits for the flag).
    unsafe { libc::kill(pid, libc::SIGKILL) };
    true
}

/// Waits until `pid` has exited, leaving it unreaped (a zombie keeps its pid).
fn wait_exited(pid: libc::pid_t) -> BenchResult<()> {
    loop {
        // SAFETY: an all-zero siginfo_t is a valid value; waitid only writes into it.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: `info` is a live local for the duration of the call.
        let r = unsafe {
            libc::waitid(
                libc::P_PID,
                pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOWAIT,
            )
        };
        if r == 0 {
            return Ok(());
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            return Err(err.into());
        }
    }
}

/// Reaps the exited `pid`: its wait status and resource usage.
fn reap(pid: libc::pid_t) -> BenchResult<(libc::c_int, libc::rusage)> {
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero rusage (plain integers) is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `status` and `usage` are live locals for the duration of the call.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            return Ok((status, usage));
        }
        let err = std::io::Error::last_os_error();
        if r != -1 || err.kind() != std::io::ErrorKind::Interrupted {
            return Err(err.into());
        }
    }
}

/// Sends SIGTERM to `pid`, a child not yet waited for; returns whether it was sent.
pub fn terminate(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: kill(2) has no memory effects; the caller has not reaped `pid`.
    unsafe { libc::kill(pid, libc::SIGTERM) == 0 }
}

/// A `timeval` as a `Duration`.
fn timeval(t: libc::timeval) -> Duration {
    Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
}

/// CPU time (user + system) `pid` has used so far, from `/proc/<pid>/stat`; used for
/// the server, which runs for the whole group. `None` off Linux or if it is gone.
pub fn cpu_so_far(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces), from field 3 on.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    // SAFETY: sysconf has no memory effects.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    let ticks = u64::try_from(ticks).ok().filter(|&t| t > 0)?;
    Some(Duration::from_secs_f64(
        (utime + stime) as f64 / ticks as f64,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_a_child_and_keeps_its_output() {
        let m = run_measured(
            Command::new("sh").args(["-c", "echo hello"]),
            Duration::from_secs(30),
        )
        .unwrap();
        assert_eq!(m.stdout.trim(), "hello");
        assert!(m.max_rss_kib > 0);
    }

    #[test]
    fn a_failing_child_is_an_error() {
        let err = run_measured(
            Command::new("sh").args(["-c", "echo oops >&2; exit 3"]),
            Duration::from_secs(30),
        )
        .unwrap_err();
        assert!(err.to_string().contains("oops"), "{err}");
    }

    #[test]
    fn a_child_over_its_limit_is_killed() {
        let err =
            run_measured(Command::new("sleep").arg("30"), Duration::from_millis(100)).unwrap_err();
        assert!(err.to_string().contains("killed"), "{err}");
    }

    #[test]
    fn this_process_has_used_cpu() {
        assert!(cpu_so_far(std::process::id()).is_some());
    }
}
