//! `jitstore -v`: one log line per storage operation on stderr, naming the element, the
//! operation, the key and the size; without `-v`, nothing but errors.

mod common;

use std::time::Duration;

use common::{jitstore, run_within, stderr, stdout, write};

const LIMIT: Duration = Duration::from_secs(60);

/// The lines of `log` that end a storage operation of `op`.
fn operation_lines<'a>(log: &'a str, op: &str) -> Vec<&'a str> {
    log.lines()
        .filter(|l| l.contains("storage{") && l.contains(&format!("op={op} ")))
        .filter(|l| l.contains(" done ") || l.contains(" failed "))
        .collect()
}

#[test]
fn verbose_put_and_get_log_one_line_per_operation() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path();
    write(
        app,
        "storages/Files/e.json",
        r#"{"title": "Files", "type": "storages.DiskType"}"#,
    );
    write(app, "storages/Files/Files.json", r#"{"directory": "data"}"#);
    let local = app.join("hello.txt");
    std::fs::write(&local, "hello from the CLI\n").unwrap();
    let run = |args: &[&str]| {
        let mut command = jitstore();
        command.arg("--app").arg(app).args(args);
        run_within(command, LIMIT)
    };

    let out = run(&[
        "-v",
        "put",
        "storages.Files",
        local.to_str().unwrap(),
        "docs/a b.txt",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let log = stderr(&out);
    let lines = operation_lines(&log, "put");
    assert_eq!(lines.len(), 1, "{log}");
    for field in [
        "element=storages.Files",
        "type_name=storages.DiskType",
        "key=\"docs/a b.txt\"",
        "size=19",
        "duration=",
        " done ",
    ] {
        assert!(lines[0].contains(field), "{field:?} missing: {}", lines[0]);
    }
    assert!(
        !log.contains('\u{1b}'),
        "no colours when stderr is not a terminal: {log:?}"
    );

    let out = run(&["-v", "get", "storages.Files", "docs/a b.txt", "-"]);
    assert_eq!(stdout(&out), "hello from the CLI\n");
    let log = stderr(&out);
    let lines = operation_lines(&log, "get");
    assert_eq!(lines.len(), 1, "{log}");
    for field in [
        "element=storages.Files",
        "key=\"docs/a b.txt\"",
        "size=19",
        " done ",
    ] {
        assert!(lines[0].contains(field), "{field:?} missing: {}", lines[0]);
    }

    // A failure is one line too, with the error.
    let out = run(&["-v", "stat", "storages.Files", "missing.txt"]);
    assert_eq!(out.status.code(), Some(1));
    let log = stderr(&out);
    let lines = operation_lines(&log, "stat");
    assert_eq!(lines.len(), 1, "{log}");
    assert!(
        lines[0].contains("failed") && lines[0].contains("NotFound"),
        "{}",
        lines[0]
    );

    // Quiet by default; JITSTORE_LOG alone still turns logging on.
    let out = run(&["get", "storages.Files", "docs/a b.txt", "-"]);
    assert_eq!(stderr(&out), "");
    let mut command = jitstore();
    command
        .arg("--app")
        .arg(app)
        .args(["get", "storages.Files", "docs/a b.txt", "-"])
        .env("JITSTORE_LOG", "jit_storage=info");
    let out = run_within(command, LIMIT);
    assert_eq!(
        operation_lines(&stderr(&out), "get").len(),
        1,
        "{}",
        stderr(&out)
    );
}
