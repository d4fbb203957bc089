//! `jitstore serve-oss --fault-*` as a separate process: the faults asked for are
//! injected, announced with their seed at start and counted when the server stops, and
//! the same seed gives the same run.

mod support;

use support::*;

/// Runs 20 requests one after another against a server started with `faults`, stops
/// it, and returns what each request got plus the server's stderr after the address.
async fn run(faults: &[&str]) -> (Vec<String>, String) {
    let root = tempfile::tempdir().expect("temp dir");
    let mut server = serve(root.path(), faults);
    let oss = Oss::new(server.addr);
    let mut seen = Vec::new();
    for i in 0..10 {
        let key = format!("k{i}");
        let data = pattern(100 + i, i as u64);
        for (method, body) in [("PUT", data), ("GET", Vec::new())] {
            seen.push(match oss.send(method, Some(&key), &[], body).await {
                Ok(answer) => format!(
                    "{method} {} crc {}",
                    answer.status,
                    answer.header("x-oss-hash-crc64ecma").unwrap_or("-")
                ),
                Err(_) => format!("{method} no answer"),
            });
        }
    }
    let stderr = server.interrupt();
    (seen, stderr)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_are_injected_announced_and_counted() {
    let (seen, stderr) = run(&[
        "--fault-rate",
        "1",
        "--fault-kinds",
        "503",
        "--fault-seed",
        "7",
    ])
    .await;
    assert!(seen.iter().all(|s| s.contains(" 503 ")), "{seen:?}");
    assert!(
        stderr.contains("faults injected: 503 20 (20 in all)"),
        "{stderr}"
    );

    let (seen, stderr) = run(&["--fault-rate", "1", "--fault-kinds", "reset-request"]).await;
    assert!(seen.iter().all(|s| s.ends_with("no answer")), "{seen:?}");
    assert!(
        stderr.contains("faults injected: reset-request 20"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_seed_gives_the_same_run() {
    let args = [
        "--fault-rate",
        "0.5",
        "--fault-kinds",
        "500,503,bad-crc,lost-answer",
        "--fault-seed",
        "7",
    ];
    let (first, first_err) = run(&args).await;
    let (again, again_err) = run(&args).await;
    assert_eq!(first, again);
    let counted = |stderr: &str| {
        stderr
            .lines()
            .find(|l| l.contains("faults injected:"))
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("no count printed: {stderr}"))
    };
    assert_eq!(counted(&first_err), counted(&again_err));
    assert!(!counted(&first_err).ends_with("none"), "{first_err}");
    eprintln!("{}", counted(&first_err));
}

/// Runs `jitstore serve-oss` with `extra` flags, expecting it to refuse them; returns
/// its stderr.
fn refused(extra: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_jitstore"))
        .args([
            "serve-oss",
            "--bucket",
            BUCKET,
            "--access-key-id",
            AK,
            "--access-key-secret",
            SK,
            "--addr",
            "127.0.0.1:0",
        ])
        .args(extra)
        .output()
        .expect("run");
    assert!(!out.status.success(), "{extra:?} accepted");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn fault_flags_are_checked() {
    assert!(refused(&["--fault-kinds", "503"]).contains("--fault-rate"));
    assert!(refused(&["--fault-seed", "7"]).contains("--fault-rate"));
    assert!(refused(&["--fault-rate", "1.5"]).contains("from 0 to 1"));
    assert!(refused(&["--fault-rate=-0.1"]).contains("from 0 to 1"));
    let unknown = refused(&["--fault-rate", "1", "--fault-kinds", "503,nope"]);
    assert!(unknown.contains("unknown fault kind \"nope\""), "{unknown}");
}
