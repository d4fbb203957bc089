//! A proxy in front of serve-s3 that behaves like a server without flexible checksums
//! (Cloudflare R2 before CRC-64/NVME, older MinIO): a request carrying an upload
//! checksum (`x-amz-checksum-crc64nvme`, `x-amz-checksum-algorithm`,
//! `x-amz-sdk-checksum-algorithm`, `x-amz-trailer`) is answered 501 `NotImplemented`
//! with R2's message; any other request is forwarded as it came (Host included, so
//! its signature still verifies) and its answer returned. It counts its refusals.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;

const REFUSED_HEADERS: [&str; 4] = [
    "x-amz-checksum-crc64nvme",
    "x-amz-checksum-algorithm",
    "x-amz-sdk-checksum-algorithm",
    "x-amz-trailer",
];

#[derive(Clone)]
struct Upstream {
    addr: SocketAddr,
    client: reqwest::Client,
    refused: Arc<AtomicUsize>,
}

/// The running proxy: its address and how many requests it refused.
pub struct Refusing {
    pub addr: SocketAddr,
    refused: Arc<AtomicUsize>,
}

impl Refusing {
    pub fn refused(&self) -> usize {
        self.refused.load(Ordering::Relaxed)
    }
}

/// A refusing proxy in front of `upstream`.
pub async fn refusing(upstream: SocketAddr) -> Refusing {
    let refused = Arc::new(AtomicUsize::new(0));
    let state = Upstream {
        addr: upstream,
        client: reqwest::Client::new(),
        refused: refused.clone(),
    };
    let app = axum::Router::new().fallback(handle).with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Refusing { addr, refused }
}

async fn handle(State(up): State<Upstream>, req: Request) -> Response {
    if REFUSED_HEADERS
        .iter()
        .any(|h| req.headers().contains_key(*h))
    {
        up.refused.fetch_add(1, Ordering::Relaxed);
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NotImplemented</Code>\
            <Message>Header 'x-amz-checksum-algorithm' with value 'CRC64NVME' not implemented</Message></Error>";
        return Response::builder()
            .status(501)
            .header("content-type", "application/xml")
            .body(Body::from(xml))
            .unwrap();
    }
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut forward = up
        .client
        .request(parts.method.clone(), format!("http://{}{path}", up.addr));
    for (name, value) in &parts.headers {
        forward = forward.header(name, value);
    }
    let answer = forward.body(body).send().await.unwrap();
    let mut response = Response::builder().status(answer.status().as_u16());
    for (name, value) in answer.headers() {
        if name != "transfer-encoding" && name != "connection" {
            response = response.header(name, value);
        }
    }
    response
        .body(Body::from(answer.bytes().await.unwrap()))
        .unwrap()
}
