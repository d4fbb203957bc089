//! Nothing leaked: every command of `jitstore`, at the most verbose level (`-vv` with
//! `JITSTORE_LOG=trace`), against a DiskType element with a signing key and OssType
//! elements (V4 and V1) with a secret and an STS token, pointed at `jitstore serve-oss`
//! run as a real process — and that server's own log — never print a secret.
//!
//! One exception, by design: `jitstore sign` on an element with an STS token prints a
//! URL that carries the token in its `x-oss-security-token` (V4) or `security-token`
//! (V1) query parameter, because OSS cannot check the URL without it. The user asked
//! for that URL; it is a bearer credential until it expires either way. Exactly that
//! parameter of the URL `sign` prints on stdout is blanked before the search.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{jitstore, run_within, stderr, stdout, write, OssServer};

const LIMIT: Duration = Duration::from_secs(120);
const ACCESS_KEY_ID: &str = "HUNTKEYID";
const SECRET: &str = "S3cr3t-access-key-secret-7f3a9c";
const STS_TOKEN: &str = "STS-token-CAFEBABE-5e2d71";
const SIGNING_KEY: &str = "disk-signing-key-0b8e4d2a91";
const BUCKET: &str = "hunt-bucket";

fn declare_app(app: &Path) {
    write(
        app,
        "storages/Files/e.json",
        r#"{"title": "Files", "type": "storages.DiskType",
            "variables": [{"name": "DISK_SIGNING_KEY"}]}"#,
    );
    write(
        app,
        "storages/Files/Files.json",
        r#"{"directory": "data", "baseUrl": "http://127.0.0.1:9/files",
            "signingKey": "{{DISK_SIGNING_KEY}}"}"#,
    );
    for (name, version) in [("Remote", "v4"), ("RemoteV1", "v1")] {
        write(
            app,
            &format!("storages/{name}/e.json"),
            &format!(
                r#"{{"title": "{name}", "type": "storages.OssType",
                    "variables": [{{"name": "OSS_SECRET"}}, {{"name": "OSS_STS_TOKEN"}},
                                  {{"name": "OSS_ENDPOINT"}}]}}"#
            ),
        );
        write(
            app,
            &format!("storages/{name}/{name}.json"),
            &format!(
                r#"{{"accessKeyId": "{ACCESS_KEY_ID}", "accessKeySecret": "{{{{OSS_SECRET}}}}",
                    "securityToken": "{{{{OSS_STS_TOKEN}}}}", "endPoint": "{{{{OSS_ENDPOINT}}}}",
                    "bucketName": "{BUCKET}", "region": "cn-hangzhou", "pathStyle": true,
                    "signatureVersion": "{version}", "maxRetries": 1}}"#
            ),
        );
    }
    // A broken element whose misspelt key holds the secret: `check` reports the key.
    write(
        app,
        "storages/Typo/e.json",
        r#"{"title": "Typo", "type": "storages.OssType",
            "variables": [{"name": "OSS_SECRET"}, {"name": "OSS_ENDPOINT"}]}"#,
    );
    write(
        app,
        "storages/Typo/Typo.json",
        &format!(
            r#"{{"accessKeyId": "{ACCESS_KEY_ID}", "accessKeySecrt": "{{{{OSS_SECRET}}}}",
                "endPoint": "{{{{OSS_ENDPOINT}}}}", "bucketName": "{BUCKET}"}}"#
        ),
    );
}

/// Blanks the STS token's query parameter in a URL printed by `sign` (see the module
/// documentation): the value of `x-oss-security-token=` or `security-token=`.
fn without_token_parameter(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_string();
    };
    let query: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if name == "x-oss-security-token" || name == "security-token" => {
                format!("{name}=<token>")
            }
            _ => pair.to_string(),
        })
        .collect();
    format!("{base}?{}", query.join("&"))
}

#[test]
fn no_command_prints_a_secret_at_the_most_verbose_level() {
    let dir = tempfile::Builder::new().prefix("hunt-").tempdir().unwrap();
    let app = dir.path().join("app");
    declare_app(&app);
    let local = dir.path().join("hello.txt");
    std::fs::write(&local, "hello, nothing to see here\n").unwrap();
    let copy = dir.path().join("copy.txt");

    let server = OssServer::start(
        &["-vv"],
        &[("JITSTORE_LOG", "trace")],
        BUCKET,
        ACCESS_KEY_ID,
        SECRET,
    );
    let endpoint = server.endpoint.clone();
    let run = |args: &[&str]| {
        let mut command = jitstore();
        command
            .arg("--app")
            .arg(&app)
            .arg("-vv")
            .args(args)
            .env("JITSTORE_LOG", "trace")
            .env("DISK_SIGNING_KEY", SIGNING_KEY)
            .env("OSS_SECRET", SECRET)
            .env("OSS_STS_TOKEN", STS_TOKEN)
            .env("OSS_ENDPOINT", &endpoint);
        run_within(command, LIMIT)
    };

    // (what ran, its stdout, its stderr)
    let mut outputs: Vec<(String, String, String)> = Vec::new();
    let mut record = |label: String, out: &std::process::Output, ok: bool| {
        assert_eq!(
            out.status.success(),
            ok,
            "{label}: {}\n{}",
            stdout(out),
            stderr(out)
        );
        let printed = if label.contains(" sign ") {
            stdout(out)
                .lines()
                .map(without_token_parameter)
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            stdout(out)
        };
        outputs.push((label, printed, stderr(out)));
    };

    record("elements".into(), &run(&["elements"]), true);
    record("check".into(), &run(&["check"]), false);
    let local = local.to_str().unwrap();
    let copy = copy.to_str().unwrap();
    for element in ["storages.Files", "storages.Remote", "storages.RemoteV1"] {
        let key = "hunt/hello.txt";
        let commands: Vec<(Vec<&str>, bool)> = vec![
            (
                vec!["put", element, local, key, "--meta", "who=hunter"],
                true,
            ),
            (vec!["get", element, key, copy], true),
            (vec!["get", element, key, "-"], true),
            (vec!["stat", element, key], true),
            (vec!["sign", element, key, "--expires", "600"], true),
            (
                vec![
                    "sign",
                    element,
                    key,
                    "--put",
                    "--content-type",
                    "text/plain",
                ],
                true,
            ),
            (vec!["ls", element, "hunt/", "--delimiter", "/"], true),
            (vec!["rm", element, key], true),
            (vec!["stat", element, key], false),
        ];
        for (args, ok) in commands {
            let out = run(&args);
            record(format!("jitstore {}", args.join(" ")), &out, ok);
        }
        assert_eq!(
            std::fs::read_to_string(copy).unwrap(),
            "hello, nothing to see here\n",
            "{element}: the round trip really ran"
        );
    }
    let server_log = server.stop();
    outputs.push(("serve-oss".into(), String::new(), server_log));

    // The run was as verbose as it gets: trace events, and each OSS request's debug line.
    let all_stderr: String = outputs.iter().map(|(_, _, e)| e.as_str()).collect();
    assert!(all_stderr.contains(" TRACE "), "trace level was on");
    assert!(
        all_stderr.contains("oss request") && all_stderr.contains("status=200"),
        "-vv shows each HTTP attempt"
    );

    let secrets = [
        ("the access key secret", SECRET),
        ("the STS token", STS_TOKEN),
        ("the signing key", SIGNING_KEY),
    ];
    for (label, printed, logged) in &outputs {
        for (what, secret) in secrets {
            for (stream, text) in [("stdout", printed), ("stderr", logged)] {
                assert!(
                    !text.contains(secret),
                    "{label} printed {what} on {stream}:\n{}",
                    text.lines()
                        .filter(|l| l.contains(secret))
                        .collect::<Vec<_>>()
                        .join("\n")
                );
            }
        }
    }
}
