//! The `jitstore` binary end to end: a real app folder in a temp dir, the real binary,
//! real files; errors checked for their one-line message and exit code.

use std::path::Path;
use std::process::{Command, Output};

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// The storage service's SQLite records in an app folder (its default place).
const RECORDS: &str = "data/storage-svc/records.sqlite3";

/// An app with a DiskType storage `storages.Files` (signed URLs on an unused base URL).
fn app() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "storages/Files/e.json",
        r#"{"title": "Files", "type": "storages.DiskType", "backendBundleEntry": ".",
            "variables": [{"name": "KEY"}]}"#,
    );
    write(
        dir.path(),
        "storages/Files/Files.json",
        r#"{"directory": "data", "baseUrl": "http://127.0.0.1:9/files", "signingKey": "{{KEY}}"}"#,
    );
    write(
        dir.path(),
        "storages/Broken/e.json",
        r#"{"type": "storages.DiskType"}"#,
    );
    dir
}

fn jitstore(app: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jitstore"))
        .arg("--app")
        .arg(app)
        .args(args)
        .env("KEY", "cli-test-signing-key-0123456789")
        .env_remove("JITSTORE_APP")
        .output()
        .expect("run jitstore")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn elements_lists_declarations_and_warns_about_broken_ones() {
    let app = app();
    let out = jitstore(app.path(), &["elements"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // The storage service is a builtin element: listed, not loaded (no records file).
    assert_eq!(
        stdout(&out),
        "storages.Files\tstorages.DiskType\tFiles\n\
         storages.services.StorageSvc\tservices.NormalType\tStorage service\n"
    );
    assert!(!app.path().join(RECORDS).exists());
    let err = stderr(&out);
    assert!(
        err.contains("storages.Broken") && err.contains("title"),
        "{err}"
    );
}

#[test]
fn put_get_stat_sign_ls_rm_round_trip() {
    let app = app();
    let local = app.path().join("hello.txt");
    std::fs::write(&local, "hello from the CLI\n").unwrap();

    let out = jitstore(
        app.path(),
        &[
            "put",
            "storages.Files",
            local.to_str().unwrap(),
            "docs/hello world.txt",
            "--content-type",
            "text/plain",
            "--meta",
            "author=cli",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        "http://127.0.0.1:9/files/docs/hello%20world.txt"
    );
    assert_eq!(
        std::fs::read_to_string(app.path().join("data/docs/hello world.txt")).unwrap(),
        "hello from the CLI\n"
    );

    let copy = app.path().join("copy.txt");
    let out = jitstore(
        app.path(),
        &[
            "get",
            "storages.Files",
            "docs/hello world.txt",
            copy.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(&copy).unwrap(),
        "hello from the CLI\n"
    );

    let out = jitstore(
        app.path(),
        &["get", "storages.Files", "docs/hello world.txt", "-"],
    );
    assert_eq!(stdout(&out), "hello from the CLI\n");

    let out = jitstore(
        app.path(),
        &["stat", "storages.Files", "docs/hello world.txt"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let info: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(info["key"], "docs/hello world.txt");
    assert_eq!(info["size"], 19);
    assert_eq!(info["contentType"], "text/plain");
    assert_eq!(info["metadata"]["author"], "cli");

    let out = jitstore(
        app.path(),
        &[
            "sign",
            "storages.Files",
            "docs/hello world.txt",
            "--expires",
            "60",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let url = stdout(&out);
    assert!(
        url.starts_with("http://127.0.0.1:9/files/docs/hello%20world.txt?"),
        "{url}"
    );
    assert!(url.contains("Signature="), "{url}");

    let out = jitstore(app.path(), &["ls", "storages.Files", "docs/"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("docs/hello world.txt\t19\t"),
        "{}",
        stdout(&out)
    );

    let out = jitstore(
        app.path(),
        &["rm", "storages.Files", "docs/hello world.txt"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = jitstore(
        app.path(),
        &["stat", "storages.Files", "docs/hello world.txt"],
    );
    assert!(!out.status.success());
}

#[test]
fn errors_are_one_line_naming_element_file_and_field() {
    let app = app();
    // A missing object.
    let out = jitstore(app.path(), &["stat", "storages.Files", "nope.txt"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("storages.Files (storages.DiskType)") && err.contains("NotFound"),
        "{err}"
    );

    // A broken declaration: names the file and the field.
    let out = jitstore(app.path(), &["stat", "storages.Broken", "x"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("storages/Broken/e.json") && err.contains("\"title\""),
        "{err}"
    );

    // An unknown element.
    let out = jitstore(app.path(), &["rm", "storages.Ghost", "x"]);
    assert!(stderr(&out).contains("storages.Ghost"), "{}", stderr(&out));

    // A bad object name is refused before any I/O.
    let local = app.path().join("f.txt");
    std::fs::write(&local, "x").unwrap();
    let out = jitstore(
        app.path(),
        &[
            "put",
            "storages.Files",
            local.to_str().unwrap(),
            "../escape.txt",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("InvalidArgument"), "{}", stderr(&out));
    assert!(!app.path().join("escape.txt").exists());

    // A missing local file names the file.
    let out = jitstore(app.path(), &["put", "storages.Files", "/no/such/file", "k"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("/no/such/file"), "{}", stderr(&out));

    // A missing variable names it, with the config file and field.
    let out = Command::new(env!("CARGO_BIN_EXE_jitstore"))
        .arg("--app")
        .arg(app.path())
        .args(["stat", "storages.Files", "x"])
        .env_remove("KEY")
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(
        err.contains("KEY") && err.contains("Files.json") && err.contains("signingKey"),
        "{err}"
    );
}

#[test]
fn check_reports_every_broken_element_at_once() {
    let app = app();
    write(
        app.path(),
        "storages/Typo/e.json",
        r#"{"title": "Typo", "type": "storages.DiskTyp"}"#,
    );
    write(
        app.path(),
        "storages/NoDir/e.json",
        r#"{"title": "No directory", "type": "storages.DiskType"}"#,
    );
    write(
        app.path(),
        "storages/NoDir/NoDir.json",
        r#"{"baseUrl": "http://127.0.0.1:9/x"}"#,
    );
    write(
        app.path(),
        "storages/Unset/e.json",
        r#"{"title": "Unset variable", "type": "storages.DiskType"}"#,
    );
    write(
        app.path(),
        "storages/Unset/Unset.json",
        r#"{"directory": "{{CHECK_TEST_UNSET_VARIABLE}}"}"#,
    );
    write(
        app.path(),
        "storages/BadJson/e.json",
        r#"{"title": "Bad JSON", "type": "storages.DiskType"}"#,
    );
    write(
        app.path(),
        "storages/BadJson/BadJson.json",
        r#"{"directory": "#,
    );

    let out = jitstore(app.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    for (element, says) in [
        ("storages.BadJson", "malformed JSON"),
        ("storages.Broken", "title"),
        ("storages.NoDir", "directory"),
        ("storages.Typo", "did you mean \"storages.DiskType\""),
        ("storages.Unset", "CHECK_TEST_UNSET_VARIABLE"),
    ] {
        assert!(
            lines
                .iter()
                .any(|line| line.contains(element) && line.contains(says)),
            "{element} ({says}) not reported:\n{err}"
        );
    }
    assert!(!err.contains("storages.Files:"), "{err}");
    assert!(
        err.contains("5 of the app's elements cannot be used"),
        "{err}"
    );

    let good = self::app();
    std::fs::remove_dir_all(good.path().join("storages/Broken")).unwrap();
    let out = jitstore(good.path(), &["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("2 elements, no problems"),
        "{}",
        stdout(&out)
    );
    // Checking reads the storage service's settings but opens no record store.
    assert!(!good.path().join(RECORDS).exists());

    // Bad service settings are the service element's problem, naming app.json.
    write(
        good.path(),
        "app.json",
        r#"{"settings": {"storageService": {"databaseUrl": "mysql://u:hunter2@h/db"}}}"#,
    );
    let out = jitstore(good.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.lines()
            .any(|l| l.contains("storages.services.StorageSvc")
                && l.contains("app.json")
                && l.contains("settings.storageService.databaseUrl")),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
    assert!(!good.path().join(RECORDS).exists());
}
