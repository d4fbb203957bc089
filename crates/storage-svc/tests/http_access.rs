//! The HTTP service's guards end to end (see `http_support`): the bearer token on
//! writes, a custom hook's 403, CORS, expiry and the upload cap.

mod http_support;

use std::time::Duration;

use async_trait::async_trait;
use http_support::{json, protected, start, uploaded, TOKEN};
use jit_storage_svc::http::{AccessDenied, AccessHook, Action, Caller, RouterOptions};
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;

#[tokio::test]
async fn writes_need_the_token_reads_do_not() {
    let svc = start(protected()).await;
    let record = uploaded(svc.upload("open.txt", b"open".to_vec(), &[]).await).await;
    let file = record["fileName"].as_str().unwrap();

    let form = Form::new().part("file", Part::bytes(b"x".to_vec()).file_name("x.txt"));
    let anonymous = svc
        .http
        .post(svc.url("uploadByFile"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.headers()["www-authenticate"], "Bearer");
    let (_, body) = json(anonymous).await;
    assert_eq!(body["kind"], "Unauthorized");
    assert!(!body.to_string().contains(TOKEN));

    for request in [
        svc.http
            .get(svc.url("getSignUrl"))
            .query(&[("file", "a.png"), ("contentType", "image/png")]),
        svc.http
            .get(svc.url("delete"))
            .query(&[("file", file)])
            .bearer_auth("wrong-token"),
    ] {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    // Reads stay open, and the file was not deleted.
    let read = svc.get("download", &[("file", file)]).await;
    assert_eq!(read.status(), StatusCode::OK);
    assert_eq!(read.bytes().await.unwrap(), b"open"[..]);
}

/// Lets anyone upload, and no one delete.
struct NoDeletes;

#[async_trait]
impl AccessHook for NoDeletes {
    async fn check(
        &self,
        action: Action,
        _: &axum::http::HeaderMap,
    ) -> Result<Caller, AccessDenied> {
        match action {
            Action::Delete => Err(AccessDenied::Forbidden(
                "deleting is not allowed here".into(),
            )),
            _ => Ok(Caller::user("hooked")),
        }
    }
}

#[tokio::test]
async fn a_custom_hook_forbids() {
    let svc = start(RouterOptions::default().with_hook(NoDeletes)).await;
    let record = uploaded(svc.upload("keep.txt", b"keep".to_vec(), &[]).await).await;
    assert_eq!(record["uploadUser"], "hooked");
    let (status, body) = json(
        svc.get("delete", &[("file", record["fileName"].as_str().unwrap())])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["kind"], "Forbidden");
    assert!(
        body["errmsg"].as_str().unwrap().contains("not allowed"),
        "{body}"
    );
}

#[tokio::test]
async fn cors_preflight_and_exposed_headers() {
    let origin = "http://127.0.0.1:4321";
    let svc = start(protected().with_cors_origin(origin)).await;
    let preflight = svc
        .http
        .request(reqwest::Method::OPTIONS, svc.url("uploadByFile"))
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "authorization")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    let h = preflight.headers();
    assert_eq!(h["access-control-allow-origin"], origin);
    let allowed = h["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        allowed.contains("authorization") && allowed.contains("content-type"),
        "{allowed}"
    );

    let record = uploaded(svc.upload("c.txt", b"cors".to_vec(), &[]).await).await;
    let read = svc
        .http
        .get(svc.url("download"))
        .query(&[("file", record["fileName"].as_str().unwrap())])
        .header("Origin", origin)
        .send()
        .await
        .unwrap();
    let exposed = read.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    for name in ["etag", "content-range", "content-disposition"] {
        assert!(exposed.contains(name), "{name} in {exposed}");
    }
    // Another origin gets no CORS headers.
    let other = svc
        .http
        .request(reqwest::Method::OPTIONS, svc.url("uploadByFile"))
        .header("Origin", "http://evil.example")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn an_expired_file_is_404() {
    let svc = start(protected()).await;
    let record = uploaded(
        svc.upload("short.txt", b"short-lived".to_vec(), &[("expires", "1")])
            .await,
    )
    .await;
    let file = record["fileName"].as_str().unwrap();
    assert_eq!(
        svc.get("preview", &[("file", file)]).await.status(),
        StatusCode::OK
    );
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (status, body) = json(svc.get("preview", &[("file", file)]).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}

#[tokio::test]
async fn uploads_over_the_cap_are_413_and_spooled_files_are_deleted() {
    let spool = tempfile::tempdir().unwrap();
    let svc = start(
        protected()
            .with_max_upload_bytes(1000)
            .with_upload_dir(spool.path()),
    )
    .await;
    let (status, body) = json(svc.upload("big.bin", vec![7u8; 100_000], &[]).await).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["kind"], "TooLarge");
    // At the cap is fine.
    uploaded(svc.upload("ok.bin", vec![7u8; 1000], &[]).await).await;
    // The spooled files go once answered (deleted by the blocking pool).
    let mut left = usize::MAX;
    for _ in 0..100 {
        left = std::fs::read_dir(spool.path()).unwrap().count();
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(left, 0, "spooled files left in {}", spool.path().display());
}

/// The service's own errors come back in the envelope with their HTTP status.
#[tokio::test]
async fn an_unknown_storage_is_a_client_error() {
    let svc = start(protected()).await;
    let (status, body) = json(
        svc.http
            .get(svc.url("getSignUrl"))
            .bearer_auth(TOKEN)
            .query(&[
                ("file", "a.png"),
                ("contentType", "image/png"),
                ("storage", "storages.Nope"),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(status.is_client_error(), "{status} {body}");
    assert_ne!(body["errcode"], 0, "{body}");
}
