//! Shared test harness: starts a server on 127.0.0.1:0 (memory or a temp folder) and
//! sends requests signed with `jit_oss_protocol::sign` (V1 or V4, path or
//! virtual-hosted style) through reqwest.

#![allow(dead_code)]

use std::time::{Duration, SystemTime};

use jit_oss_protocol::error_xml::OssErrorBody;
use jit_oss_protocol::sign::{v1, v4, SignRequest};
use jit_oss_protocol::Credentials;
use jit_oss_server::{start, FaultConfig, RunningServer, ServerConfig};

pub const AK: &str = "test-ak";
pub const SK: &str = "test-secret";
pub const BUCKET: &str = "test-bucket";
pub const REGION: &str = "cn-hangzhou";

/// Signature version used by a [`Client`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sig {
    V1,
    V4,
    /// No signature at all.
    Anonymous,
}

/// Addressing style used by a [`Client`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Path,
    Virtual,
}

/// Which store the server uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    Memory,
    Folder,
}

/// A running server plus what is needed to talk to it.
pub struct Harness {
    pub server: RunningServer,
    pub dir: Option<tempfile::TempDir>,
}

/// Starts a server with one access key and the bucket [`BUCKET`].
pub async fn harness(kind: StoreKind) -> Harness {
    harness_with_faults(kind, FaultConfig::default()).await
}

/// Starts a server like [`harness`], injecting `faults`.
pub async fn harness_with_faults(kind: StoreKind, faults: FaultConfig) -> Harness {
    let dir = match kind {
        StoreKind::Memory => None,
        StoreKind::Folder => Some(tempfile::tempdir().expect("temp dir")),
    };
    let server = start(ServerConfig {
        root: dir.as_ref().map(|d| d.path().to_owned()),
        buckets: vec![BUCKET.to_owned()],
        credentials: vec![(AK.to_owned(), SK.to_owned())],
        faults,
        ..ServerConfig::default()
    })
    .await
    .expect("server starts");
    Harness { server, dir }
}

/// A request to send.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: &'static str,
    pub bucket: Option<String>,
    pub key: Option<String>,
    pub query: Vec<(String, Option<String>)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Req {
    pub fn new(method: &'static str, bucket: Option<&str>, key: Option<&str>) -> Self {
        Req {
            method,
            bucket: bucket.map(str::to_owned),
            key: key.map(str::to_owned),
            query: Vec::new(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// A request on an object of [`BUCKET`].
    pub fn object(method: &'static str, key: &str) -> Self {
        Req::new(method, Some(BUCKET), Some(key))
    }

    /// A request on [`BUCKET`] itself.
    pub fn bucket(method: &'static str) -> Self {
        Req::new(method, Some(BUCKET), None)
    }

    pub fn query(mut self, name: &str, value: Option<&str>) -> Self {
        self.query.push((name.to_owned(), value.map(str::to_owned)));
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers
            .push((name.to_ascii_lowercase(), value.to_owned()));
        self
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }
}

/// A signing client.
pub struct Client {
    pub http: reqwest::Client,
    pub addr: std::net::SocketAddr,
    pub sig: Sig,
    pub style: Style,
    pub credentials: Credentials,
    /// Clock used for signing (tests move it to simulate skew).
    pub now: SystemTime,
}

/// A client for `server` signing with `sig` in `style`.
pub fn client(server: &RunningServer, sig: Sig, style: Style) -> Client {
    let addr = server.local_addr();
    let http = reqwest::Client::builder()
        .resolve(&format!("{BUCKET}.localhost"), addr)
        .resolve("other-bucket.localhost", addr)
        .build()
        .expect("client");
    Client {
        http,
        addr,
        sig,
        style,
        credentials: Credentials::new(AK, SK),
        now: SystemTime::now(),
    }
}

/// An answer whose body may have been cut short.
#[derive(Debug)]
pub struct Partial {
    /// Status, headers and the body bytes received.
    pub resp: Resp,
    /// What cut the body short, if anything did.
    pub error: Option<reqwest::Error>,
}

/// A received response, body read.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The parsed OSS error body (panics with the body if it is not one).
    pub fn error(&self) -> OssErrorBody {
        OssErrorBody::parse(&self.body)
            .unwrap_or_else(|| panic!("not an OSS error body: {}", self.text()))
    }

    /// Asserts an OSS error with this status and code, returning the body.
    pub fn expect_error(&self, status: u16, code: &str) -> OssErrorBody {
        assert_eq!(self.status, status, "body: {}", self.text());
        let err = self.error();
        assert_eq!(err.code, code, "body: {}", self.text());
        assert_eq!(
            Some(err.request_id.as_str()),
            self.header("x-oss-request-id"),
            "request id in body and header"
        );
        err
    }
}

impl Client {
    fn sign_request(&self, req: &Req) -> SignRequest {
        let mut sign = SignRequest::new(req.method);
        sign.bucket = req.bucket.clone();
        sign.key = req.key.clone();
        sign.query = req.query.clone();
        for (name, value) in &req.headers {
            sign.set_header(name, value.clone());
        }
        sign
    }

    fn url(&self, sign: &SignRequest) -> String {
        let path = match (self.style, &sign.bucket) {
            (Style::Virtual, Some(_)) => sign.object_path(),
            _ => sign.path_style_path(),
        };
        let base = match (self.style, &sign.bucket) {
            (Style::Virtual, Some(bucket)) => {
                format!("http://{bucket}.localhost:{}", self.addr.port())
            }
            _ => format!("http://{}", self.addr),
        };
        let query = sign.query_string();
        if query.is_empty() {
            format!("{base}{path}")
        } else {
            format!("{base}{path}?{query}")
        }
    }

    /// Signs `req` with headers (per `self.sig`) and sends it.
    pub async fn send(&self, req: Req) -> Resp {
        let mut sign = self.sign_request(&req);
        match self.sig {
            Sig::V1 => v1::sign_header(&mut sign, &self.credentials, self.now).expect("sign v1"),
            Sig::V4 => v4::sign_header(&mut sign, &self.credentials, REGION, &[], self.now)
                .expect("sign v4"),
            Sig::Anonymous => {}
        }
        self.execute(&sign, req.body).await
    }

    /// Presigns `req` (valid `expires` from `self.now`) and sends it without an
    /// Authorization header.
    pub async fn send_presigned(&self, req: Req, expires: Duration) -> Resp {
        let mut sign = self.sign_request(&req);
        match self.sig {
            Sig::V1 => {
                v1::presign(&mut sign, &self.credentials, self.now + expires).expect("presign v1")
            }
            Sig::V4 => v4::presign(
                &mut sign,
                &self.credentials,
                REGION,
                &[],
                self.now,
                expires.as_secs(),
            )
            .expect("presign v4"),
            Sig::Anonymous => {}
        }
        self.execute(&sign, req.body).await
    }

    async fn execute(&self, sign: &SignRequest, body: Vec<u8>) -> Resp {
        let partial = self
            .execute_partial(sign, body)
            .await
            .expect("request sent");
        if let Some(err) = partial.error {
            panic!("body: {err}");
        }
        partial.resp
    }

    /// Sends a signed request and reads as much of the answer as comes: `Err` if no
    /// answer head came back, else the head, the body bytes received, and the error
    /// that cut the body short, if one did.
    async fn execute_partial(
        &self,
        sign: &SignRequest,
        body: Vec<u8>,
    ) -> Result<Partial, reqwest::Error> {
        let method = reqwest::Method::from_bytes(sign.method.as_bytes()).expect("method");
        let mut builder = self.http.request(method, self.url(sign));
        for (name, value) in &sign.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let mut response = builder.body(body).send().await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let mut body = Vec::new();
        let error = loop {
            match response.chunk().await {
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                Ok(None) => break None,
                Err(err) => break Some(err),
            }
        };
        Ok(Partial {
            resp: Resp {
                status,
                headers,
                body,
            },
            error,
        })
    }

    /// Signs `req` with headers and sends it, reporting failures instead of panicking.
    pub async fn try_send(&self, req: Req) -> Result<Partial, reqwest::Error> {
        let mut sign = self.sign_request(&req);
        match self.sig {
            Sig::V1 => v1::sign_header(&mut sign, &self.credentials, self.now).expect("sign v1"),
            Sig::V4 => v4::sign_header(&mut sign, &self.credentials, REGION, &[], self.now)
                .expect("sign v4"),
            Sig::Anonymous => {}
        }
        self.execute_partial(&sign, req.body).await
    }

    pub async fn put(&self, key: &str, body: &[u8]) -> Resp {
        let resp = self.send(Req::object("PUT", key).body(body.to_vec())).await;
        assert_eq!(resp.status, 200, "PUT {key}: {}", resp.text());
        resp
    }

    pub async fn get(&self, key: &str) -> Resp {
        self.send(Req::object("GET", key)).await
    }
}

/// Upper-case MD5 hex of `data`.
pub fn md5_hex(data: &[u8]) -> String {
    use md5::Digest;
    hex::encode_upper(md5::Md5::digest(data))
}

/// Base64 MD5 of `data`, as in Content-MD5.
pub fn md5_b64(data: &[u8]) -> String {
    use base64::Engine;
    use md5::Digest;
    base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(data))
}

/// Text of the first `<name>` element in `xml` (tests only; not an XML parser).
pub fn xml_text(xml: &str, name: &str) -> Option<String> {
    all_xml_text(xml, name).into_iter().next()
}

/// Texts of all `<name>` elements in `xml`, in order, unescaped.
pub fn all_xml_text(xml: &str, name: &str) -> Vec<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    let mut inside = false;
    let mut text = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) if e.name().as_ref() == name.as_bytes() => {
                inside = true;
                text.clear();
            }
            Ok(Event::Empty(e)) if e.name().as_ref() == name.as_bytes() => out.push(String::new()),
            Ok(Event::Text(t)) if inside => text.push_str(&t.unescape().expect("text")),
            Ok(Event::End(e)) if e.name().as_ref() == name.as_bytes() => {
                inside = false;
                out.push(std::mem::take(&mut text));
            }
            Ok(Event::Eof) => break,
            Err(e) => panic!("bad XML {e}: {xml}"),
            _ => {}
        }
    }
    out
}

/// Deterministic test bytes.
pub fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u32).wrapping_mul(31).wrapping_add(seed as u32) as u8)
        .collect()
}
