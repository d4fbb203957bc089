//! `jitstore serve` as a real process over a copy of app-example: the page at `/`, the
//! StorageSvc routes, writes behind `JITSTORE_TOKEN` (never printed), CORS origins, a
//! clear error for a bad `--page` or origin, and a clean stop on SIGTERM.

#[path = "browser/served_app.rs"]
mod served_app;

mod common;

use std::time::Duration;

use common::{jitstore, run_within, stderr};
use served_app::{copy_example, ServeApp};

const TOKEN: &str = "serve-app-test-token-5f1c";
const SVC: &str = "/storages/services/StorageSvc";

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

#[tokio::test]
async fn serves_the_page_and_the_service_with_writes_behind_the_token() {
    let app = tempfile::tempdir().unwrap();
    copy_example(app.path());
    let mut server = ServeApp::start(
        app.path(),
        &[
            "--cors-origin",
            "http://127.0.0.1:1",
            "--sweep-interval",
            "1",
        ],
        &[("JITSTORE_TOKEN", TOKEN)],
    );
    let http = client();
    let base = server.base.clone();
    let stdout = server.stdout.lock().unwrap().clone();
    assert_eq!(
        stdout.trim(),
        format!("serving {} on {base}", app.path().display()),
        "one line on stdout"
    );

    // The page, from <app>/web.
    let page = http.get(format!("{base}/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("id=\"upload-direct\""), "{html}");
    let script = http.get(format!("{base}/app.js")).send().await.unwrap();
    assert_eq!(script.status(), 200);

    // Writes need the token.
    let upload = |token: Option<&str>| {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(b"served bytes".to_vec()).file_name("served.txt"),
        );
        let mut request = http
            .post(format!("{base}{SVC}/uploadByFile"))
            .multipart(form);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    let refused = upload(None).await.unwrap();
    assert_eq!(refused.status(), 401);
    assert_eq!(refused.headers()["www-authenticate"], "Bearer");
    assert_eq!(upload(Some("not-the-token")).await.unwrap().status(), 401);
    let accepted = upload(Some(TOKEN)).await.unwrap();
    assert_eq!(accepted.status(), 200);
    let body: serde_json::Value = accepted.json().await.unwrap();
    assert_eq!(body["errcode"], 0, "{body}");
    assert_eq!(body["data"]["storeFullName"], "storages.Default", "{body}");

    // Reads are open.
    let url = format!("{base}{}", body["data"]["url"].as_str().unwrap());
    let preview = http.get(&url).send().await.unwrap();
    assert_eq!(preview.status(), 200);
    assert_eq!(preview.bytes().await.unwrap(), b"served bytes"[..]);

    // CORS for the origin given.
    let preflight = http
        .request(reqwest::Method::OPTIONS, format!("{base}{SVC}/getSignUrl"))
        .header("Origin", "http://127.0.0.1:1")
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization,content-type",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        "http://127.0.0.1:1"
    );

    let exit = server.terminate();
    assert!(exit.success(), "exit {exit}: {}", server.output());
    assert!(
        !server.output().contains(TOKEN),
        "the token was printed:\n{}",
        server.output()
    );
}

#[test]
fn a_missing_page_folder_or_a_bad_origin_is_a_clear_error() {
    let app = tempfile::tempdir().unwrap();
    copy_example(app.path());
    let missing = app.path().join("no-such-page");
    let mut command = jitstore();
    command
        .arg("serve")
        .arg("--app")
        .arg(app.path())
        .args(["--addr", "127.0.0.1:0", "--page"])
        .arg(&missing);
    let out = run_within(command, Duration::from_secs(60));
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("--page") && err.contains("no-such-page"),
        "{err}"
    );

    let mut command = jitstore();
    command.arg("serve").arg("--app").arg(app.path()).args([
        "--addr",
        "127.0.0.1:0",
        "--cors-origin",
        "127.0.0.1:8080",
    ]);
    let out = run_within(command, Duration::from_secs(60));
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("CORS origin \"127.0.0.1:8080\""), "{err}");
}
