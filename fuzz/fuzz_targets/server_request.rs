//! Fuzz target: any request to the local OSS server's router (through tower's
//! `oneshot`, one memory-backed state for the whole run): raw method/Host/path/query/
//! headers/body, or a `Range` on a known object, or a `<Delete>` or
//! `<CompleteMultipartUpload>` body. Invariants: no panic, no 500; every refusal is an
//! OSS `<Error>` document; a 206 carries exactly the slice its Content-Range names.

#![no_main]

use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Method, Request, StatusCode, Uri};
use base64::Engine as _;
use jit_oss_protocol::OssErrorBody;
use jit_oss_server::{build_state, router, AppState, ServerConfig};
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

const OBJECT: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz!?";

#[derive(Arbitrary, Debug)]
enum Input {
    Raw {
        method: u8,
        host: String,
        path: String,
        query: String,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    Range(String),
    Delete(Vec<u8>),
    Complete(Vec<u8>),
}

struct Server {
    runtime: tokio::runtime::Runtime,
    state: Arc<AppState>,
    upload_id: String,
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

async fn send(
    state: &Arc<AppState>,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Option<Answer> {
    let mut request = Request::new(Body::from(body));
    *request.method_mut() = Method::from_bytes(method.as_bytes()).ok()?;
    *request.uri_mut() = uri.parse::<Uri>().ok()?;
    for (name, value) in headers {
        let name = HeaderName::from_bytes(name.as_bytes()).ok()?;
        request
            .headers_mut()
            .append(name, HeaderValue::from_str(value).ok()?);
    }
    let response = router(state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec();
    Some(Answer {
        status,
        headers,
        body,
    })
}

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let (state, upload_id) = runtime.block_on(async {
            let state = build_state(ServerConfig {
                buckets: vec!["test-bucket".to_string()],
                credentials: vec![("AK".to_string(), "secret".to_string())],
                allow_anonymous: true,
                ..ServerConfig::default()
            })
            .await
            .unwrap();
            let host = [("host", "127.0.0.1")];
            send(&state, "PUT", "/test-bucket/obj", &host, OBJECT.to_vec())
                .await
                .unwrap();
            let init = send(&state, "POST", "/test-bucket/mp?uploads", &host, Vec::new())
                .await
                .unwrap();
            let text = String::from_utf8(init.body).unwrap();
            let id = text
                .split("<UploadId>")
                .nth(1)
                .unwrap()
                .split("</UploadId>")
                .next()
                .unwrap()
                .to_string();
            let part = format!("/test-bucket/mp?partNumber=1&uploadId={id}");
            send(&state, "PUT", &part, &host, b"part".to_vec())
                .await
                .unwrap();
            (state, id)
        });
        Server {
            runtime,
            state,
            upload_id,
        }
    })
}

fn check(answer: &Answer) {
    assert_ne!(
        answer.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{:?}",
        String::from_utf8_lossy(&answer.body)
    );
    if answer.status.is_client_error() || answer.status.is_server_error() {
        let document = match answer.headers.get("x-oss-err") {
            Some(v) if answer.body.is_empty() => base64::engine::general_purpose::STANDARD
                .decode(v.as_bytes())
                .unwrap(),
            _ => answer.body.clone(),
        };
        let error = OssErrorBody::parse(&document).expect("an OSS error document");
        assert!(!error.code.is_empty());
    }
}

fuzz_target!(|input: Input| {
    let server = server();
    let host = ("host", "127.0.0.1");
    server.runtime.block_on(async {
        let answer = match input {
            Input::Raw {
                method,
                host,
                path,
                query,
                headers,
                body,
            } => {
                let methods = ["GET", "PUT", "POST", "DELETE", "HEAD", "OPTIONS", "PATCH"];
                let method = methods[usize::from(method) % methods.len()];
                let uri = if query.is_empty() {
                    format!("/{path}")
                } else {
                    format!("/{path}?{query}")
                };
                let mut all: Vec<(&str, &str)> = vec![("host", host.as_str())];
                all.extend(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())));
                send(&server.state, method, &uri, &all, body).await
            }
            Input::Range(range) => {
                let Some(answer) = send(
                    &server.state,
                    "GET",
                    "/test-bucket/obj",
                    &[host, ("range", &range)],
                    Vec::new(),
                )
                .await
                else {
                    return;
                };
                if answer.status == StatusCode::PARTIAL_CONTENT {
                    let cr = answer.headers["content-range"].to_str().unwrap();
                    let (span, total) = cr.strip_prefix("bytes ").unwrap().split_once('/').unwrap();
                    let (a, b) = span.split_once('-').unwrap();
                    let (a, b): (usize, usize) = (a.parse().unwrap(), b.parse().unwrap());
                    assert_eq!(total, OBJECT.len().to_string());
                    assert_eq!(&answer.body[..], &OBJECT[a..=b]);
                } else if answer.status == StatusCode::OK {
                    assert_eq!(&answer.body[..], OBJECT);
                }
                Some(answer)
            }
            Input::Delete(body) => {
                send(&server.state, "POST", "/test-bucket?delete", &[host], body).await
            }
            Input::Complete(body) => {
                // Completing would end the upload; the parser runs before that on a
                // non-matching part list, and a valid one completes it (later cases then
                // get NoSuchUpload, still a client error).
                let uri = format!("/test-bucket/mp?uploadId={}", server.upload_id);
                send(&server.state, "POST", &uri, &[host], body).await
            }
        };
        if let Some(answer) = answer {
            check(&answer);
        }
    });
});
