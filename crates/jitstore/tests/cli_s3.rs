//! The S3 family through the `jitstore` tool, end to end between two processes:
//! `jitstore serve-s3` (which verifies every SigV4 signature) and `jitstore put`, `get`,
//! `stat`, `sign`, `ls`, `rm` on a MinioType and an AwsS3Type element of an app folder
//! pointing at it; a wrong secret is refused in one line naming the element.

use std::path::Path;
use std::process::{Command, Output};

use served::{serve_announced, ServerProcess};

mod served;

/// Starts `jitstore serve-s3` on a free loopback port; returns it and its `host:port`.
fn serve() -> (ServerProcess, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_jitstore"));
    command
        .args([
            "serve-s3",
            "--addr",
            "127.0.0.1:0",
            "--bucket",
            "cli-bucket",
            "--access-key-id",
            "CLIS3KEY",
        ])
        .env("JITSTORE_S3_ACCESS_KEY_SECRET", "cli-s3-secret");
    serve_announced(command, "local S3 server on http://")
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// An app with `storages.Minio` (MinioType, `host:port`, http by default) and
/// `storages.Aws` (AwsS3Type, path style) on `addr`, secrets from `SECRET`.
fn app() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, type_name, extra) in [
        ("Minio", "storages.MinioType", r#""endPoint": "{{ADDR}}""#),
        (
            "Aws",
            "storages.AwsS3Type",
            r#""endPoint": "http://{{ADDR}}", "region": "us-east-1", "pathStyle": true"#,
        ),
    ] {
        write(
            dir.path(),
            &format!("storages/{name}/e.json"),
            &format!(
                r#"{{"title": "{name}", "type": "{type_name}", "backendBundleEntry": ".",
                    "variables": [{{"name": "ADDR"}}, {{"name": "SECRET"}}]}}"#
            ),
        );
        write(
            dir.path(),
            &format!("storages/{name}/{name}.json"),
            &format!(
                r#"{{"accessKeyId": "CLIS3KEY", "accessKeySecret": "{{{{SECRET}}}}",
                    "bucketName": "cli-bucket", {extra}}}"#
            ),
        );
    }
    dir
}

fn jitstore(app: &Path, addr: &str, secret: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jitstore"))
        .arg("--app")
        .arg(app)
        .args(args)
        .env("ADDR", addr)
        .env("SECRET", secret)
        .env_remove("JITSTORE_APP")
        .output()
        .expect("run jitstore")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_s3_types_work_through_the_cli_against_serve_s3() {
    let (_server, addr) = serve();
    let app = app();
    let local = app.path().join("hello.txt");
    std::fs::write(&local, "hello over S3\n").unwrap();
    for element in ["storages.Minio", "storages.Aws"] {
        let run = |args: &[&str]| jitstore(app.path(), &addr, "cli-s3-secret", args);
        let key = format!("{element}/hello world.txt");
        let out = run(&[
            "put",
            element,
            local.to_str().unwrap(),
            &key,
            "--content-type",
            "text/plain",
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout)
                .trim()
                .starts_with(&format!("http://{addr}/cli-bucket/")),
            "{}",
            text(&out.stdout)
        );

        let out = run(&["get", element, &key, "-"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(text(&out.stdout), "hello over S3\n");

        let out = run(&["stat", element, &key]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let info: serde_json::Value = serde_json::from_str(&text(&out.stdout)).unwrap();
        assert_eq!(info["size"], 14);
        assert_eq!(info["contentType"], "text/plain");

        let out = run(&["sign", element, &key, "--expires", "60"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains("X-Amz-Signature="),
            "{}",
            text(&out.stdout)
        );

        let out = run(&["ls", element, &format!("{element}/")]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).starts_with(&format!("{key}\t14\t")),
            "{}",
            text(&out.stdout)
        );

        let out = run(&["rm", element, &key]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(!run(&["stat", element, &key]).status.success());
    }

    let out = jitstore(
        app.path(),
        &addr,
        "wrong-secret",
        &["put", "storages.Minio", local.to_str().unwrap(), "x.txt"],
    );
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("storages.Minio"), "{err}");
    assert!(err.contains("SignatureDoesNotMatch"), "{err}");
    assert!(!err.contains("wrong-secret"), "{err}");
}
