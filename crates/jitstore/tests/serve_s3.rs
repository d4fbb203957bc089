//! `jitstore serve-s3` as a separate process: requests signed with AWS SigV4 (by
//! `jit_oss_protocol::s3`) are verified by the served process, the key pair comes from
//! the environment, a wrong secret is refused, and the folder store keeps the object
//! for the next process; `--cors-origin` is honoured.

use std::process::Command;
use std::time::SystemTime;

use jit_oss_protocol::s3::{sign_header, PayloadHash, S3Request};
use jit_oss_protocol::Credentials;
use served::{serve_announced, ServerProcess};

mod served;

/// Starts `jitstore serve-s3` on a free loopback port; returns it and its address.
fn serve(root: &std::path::Path) -> (ServerProcess, String) {
    serve_with(root, &[])
}

/// Like [`serve`], with more arguments.
fn serve_with(root: &std::path::Path, more: &[&str]) -> (ServerProcess, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_jitstore"));
    command
        .args([
            "serve-s3",
            "--addr",
            "127.0.0.1:0",
            "--bucket",
            "cli-bucket",
        ])
        .args(["--region", "eu-west-1", "--root"])
        .arg(root)
        .env("JITSTORE_S3_ACCESS_KEY_ID", "CLIS3KEY")
        .args(more)
        .env("JITSTORE_S3_ACCESS_KEY_SECRET", "cli-s3-secret");
    serve_announced(command, "local S3 server on http://")
}

/// Sends a request signed with `secret`: (status, body).
async fn send(addr: &str, method: &str, key: &str, body: &[u8], secret: &str) -> (u16, Vec<u8>) {
    let mut req = S3Request::path_style(method, "cli-bucket", Some(key)).with_header("host", addr);
    let credentials = Credentials::new("CLIS3KEY", secret);
    let payload = PayloadHash::of(body);
    sign_header(
        &mut req,
        &credentials,
        "eu-west-1",
        &payload,
        SystemTime::now(),
    )
    .unwrap();
    let client = reqwest::Client::new();
    let mut builder = client
        .request(
            reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
            format!("http://{addr}{}", req.path_and_query()),
        )
        .body(body.to_vec());
    for (name, value) in req.headers.iter().filter(|(n, _)| n != "host") {
        builder = builder.header(name, value);
    }
    let response = builder.send().await.expect("send");
    let status = response.status().as_u16();
    (status, response.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn serve_s3_verifies_signatures_and_keeps_objects() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("s3-root");
    let (server, addr) = serve(&root);
    let (status, _) = send(
        &addr,
        "PUT",
        "dir/a b.txt",
        b"over the CLI",
        "cli-s3-secret",
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = send(&addr, "GET", "dir/a b.txt", b"", "wrong-secret").await;
    assert_eq!(status, 403);
    assert!(String::from_utf8_lossy(&body).contains("<Code>SignatureDoesNotMatch</Code>"));
    drop(server);

    let (_server, addr) = serve(&root);
    let (status, body) = send(&addr, "GET", "dir/a b.txt", b"", "cli-s3-secret").await;
    assert_eq!((status, body.as_slice()), (200, &b"over the CLI"[..]));
}

#[tokio::test]
async fn serve_s3_honours_cors_origin() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, addr) = serve_with(dir.path(), &["--cors-origin", "http://localhost:3000"]);
    let preflight = |origin: &'static str| {
        let url = format!("http://{addr}/cli-bucket/up.bin");
        async move {
            let answer = reqwest::Client::new()
                .request(reqwest::Method::OPTIONS, url)
                .header("origin", origin)
                .header("access-control-request-method", "PUT")
                .send()
                .await
                .unwrap();
            let allow = answer
                .headers()
                .get("access-control-allow-origin")
                .map(|v| v.to_str().unwrap().to_owned());
            (answer.status().as_u16(), allow)
        }
    };
    assert_eq!(
        preflight("http://localhost:3000").await,
        (200, Some("http://localhost:3000".to_owned()))
    );
    assert_eq!(preflight("http://evil.test").await, (403, None));
}
