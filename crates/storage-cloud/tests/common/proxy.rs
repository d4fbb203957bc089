//! A small axum proxy on 127.0.0.1 that misbehaves on purpose in front of a real
//! server: error answers, corrupted bodies and headers, and broken connections at every
//! point of an exchange — reset before the request body is read, after it is read (the
//! server never sees it), after the server carried it out (the answer is lost), or half
//! way through the answer. It records every request it saw.
//!
//! Connections are reset for real: the proxy's listener hands out connections that a
//! handler can kill (`SO_LINGER` 0, then every read and write fails), so the client sees
//! exactly what a dropped connection looks like.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::connect_info::Connected;
use axum::extract::{ConnectInfo, Request, State};
use axum::response::Response;
use axum::serve::{IncomingStream, Listener};
use bytes::Bytes;
use futures::StreamExt as _;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// What the proxy does to traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forward everything untouched (and record it).
    Pass,
    /// Flip one byte in the body of successful GETs.
    CorruptGetBody,
    /// Replace `x-oss-hash-crc64ecma` of successful PUTs with a wrong value.
    WrongPutCrc,
    /// Answer the first N requests with 503 (non-XML body) without forwarding.
    Fail503(usize),
    /// Answer the first N requests with 403 `RequestTimeTooSkewed` (OSS XML).
    Skewed(usize),
    /// Answer the first N requests with 403 `SignatureDoesNotMatch` (OSS XML).
    SignatureMismatch(usize),
    /// Answer every UploadPart of this part number with 503, without forwarding.
    FailPart(u32),
    /// Hold UploadPart 1 until UploadPart 2 has arrived: only a client with two parts
    /// in flight gets past it.
    HoldPart1UntilPart2,
    /// Each request gets the break of the first rule that selects it and has not used
    /// up its `times`.
    Rules(&'static [Rule]),
    /// Every `every`-th request (the `every`-th, the `2 × every`-th, …) is broken, the
    /// breaks taken in turn from [`FLAKY_BREAKS`].
    Flaky { every: usize },
}

/// The breaks a [`Fault::Flaky`] proxy deals in turn.
pub const FLAKY_BREAKS: [Break; 5] = [
    Break::Unavailable,
    Break::ResetBeforeBody,
    Break::ResetAfterBody,
    Break::DropAnswer,
    Break::ResetMidResponse,
];

/// What kind of request a rule selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Req {
    Any,
    PutObject,
    UploadPart,
    Initiate,
    Complete,
    Abort,
    GetObject,
    Head,
    List,
    ListUploads,
    DeleteObject,
    Other,
}

impl Req {
    /// The kind of a request with `method` and `query`.
    pub fn of(method: &str, query: &str) -> Req {
        let has = |name: &str| {
            query
                .split('&')
                .any(|pair| pair == name || pair.starts_with(&format!("{name}=")))
        };
        match method {
            "PUT" if has("partNumber") => Req::UploadPart,
            "PUT" => Req::PutObject,
            "POST" if has("uploads") => Req::Initiate,
            "POST" if has("uploadId") => Req::Complete,
            "DELETE" if has("uploadId") => Req::Abort,
            "DELETE" => Req::DeleteObject,
            "HEAD" => Req::Head,
            "GET" if has("list-type") => Req::List,
            "GET" if has("uploads") => Req::ListUploads,
            "GET" => Req::GetObject,
            _ => Req::Other,
        }
    }

    fn selects(self, kind: Req) -> bool {
        self == Req::Any || self == kind
    }
}

/// How a request is broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Break {
    /// Answer 503 (non-XML body) without forwarding.
    Unavailable,
    /// Reset the connection before reading the request body: the server sees nothing.
    ResetBeforeBody,
    /// Read the whole request body, then reset: the server sees nothing.
    ResetAfterBody,
    /// Forward the request (the server carries it out), then reset instead of
    /// answering: the answer is lost.
    DropAnswer,
    /// Forward, send the answer's headers and half its body, then reset.
    ResetMidResponse,
    /// Forward; a 206 answer's Content-Range is shifted by one byte.
    ShiftContentRange,
    /// Forward; a successful XML answer is padded (after its root element) to
    /// [`XML_FLOOD_BYTES`].
    XmlFlood,
    /// Forward; `x-oss-hash-crc64ecma` is removed from the answer.
    StripCrc,
    /// [`Break::StripCrc`] and [`Break::ResetMidResponse`] together.
    ResetMidResponseWithoutCrc,
}

/// The size of a [`Break::XmlFlood`] answer: more than any XML answer a client should
/// read into memory.
pub const XML_FLOOD_BYTES: usize = 20 * 1024 * 1024;

/// Selects requests and breaks the first `times` of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub on: Req,
    pub times: usize,
    pub then: Break,
}

/// A request the proxy saw.
#[derive(Debug, Clone)]
pub struct Seen {
    pub kind: Req,
    pub method: String,
    pub path: String,
    pub query: String,
    pub range: Option<String>,
    pub authorization: Option<String>,
    pub security_token: Option<String>,
    pub broken: Option<Break>,
}

impl Seen {
    /// The access key id the request was signed with (V4 `Credential=ID/…` or V1
    /// `OSS ID:…`).
    pub fn access_key_id(&self) -> Option<String> {
        let auth = self.authorization.as_deref()?;
        if let Some(rest) = auth.split("Credential=").nth(1) {
            return rest.split('/').next().map(str::to_string);
        }
        auth.strip_prefix("OSS ")?
            .split(':')
            .next()
            .map(str::to_string)
    }
}

/// A running proxy, how many requests reached it, and what they were.
pub struct Proxy {
    pub addr: SocketAddr,
    pub seen: Arc<AtomicUsize>,
    pub log: Arc<Mutex<Vec<Seen>>>,
    _task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    /// Every request seen so far, in order of arrival.
    pub fn requests(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }

    /// How many requests of `kind` arrived.
    pub fn count(&self, kind: Req) -> usize {
        self.requests()
            .iter()
            .filter(|s| kind.selects(s.kind))
            .count()
    }

    /// How many requests were broken.
    pub fn broken(&self) -> usize {
        self.requests()
            .iter()
            .filter(|s| s.broken.is_some())
            .count()
    }
}

#[derive(Clone)]
struct ProxyState {
    upstream: SocketAddr,
    fault: Fault,
    seen: Arc<AtomicUsize>,
    log: Arc<Mutex<Vec<Seen>>>,
    rule_hits: Arc<Vec<AtomicUsize>>,
    client: reqwest::Client,
    part2_arrived: Arc<tokio::sync::Notify>,
}

/// Starts a proxy on 127.0.0.1:0 forwarding to `upstream` with `fault`.
pub async fn proxy(upstream: SocketAddr, fault: Fault) -> Proxy {
    let seen = Arc::new(AtomicUsize::new(0));
    let log = Arc::new(Mutex::new(Vec::new()));
    let rules = match fault {
        Fault::Rules(rules) => rules.len(),
        _ => 0,
    };
    let state = ProxyState {
        upstream,
        fault,
        seen: seen.clone(),
        log: log.clone(),
        rule_hits: Arc::new((0..rules).map(|_| AtomicUsize::new(0)).collect()),
        client: reqwest::Client::new(),
        part2_arrived: Arc::new(tokio::sync::Notify::new()),
    };
    let app = axum::Router::new()
        .fallback(forward)
        .with_state(state)
        .into_make_service_with_connect_info::<Kill>();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        axum::serve(KillableListener(listener), app).await.unwrap();
    });
    Proxy {
        addr,
        seen,
        log,
        _task: task,
    }
}

/// The break, if any, request number `n` (from 0) of `kind` gets.
fn break_for(state: &ProxyState, n: usize, kind: Req) -> Option<Break> {
    match state.fault {
        Fault::Rules(rules) => rules.iter().enumerate().find_map(|(i, rule)| {
            if !rule.on.selects(kind) {
                return None;
            }
            let hit = state.rule_hits[i].fetch_add(1, Ordering::SeqCst);
            (hit < rule.times).then_some(rule.then)
        }),
        Fault::Flaky { every } if every > 0 && (n + 1).is_multiple_of(every) => {
            Some(FLAKY_BREAKS[((n + 1) / every - 1) % FLAKY_BREAKS.len()])
        }
        Fault::Fail503(count) if n < count => Some(Break::Unavailable),
        _ => None,
    }
}

fn unavailable(id: String) -> Response {
    Response::builder()
        .status(503)
        .header("x-oss-request-id", id)
        .body(Body::from("<html>temporarily unavailable</html>"))
        .unwrap()
}

async fn forward(
    State(state): State<ProxyState>,
    ConnectInfo(kill): ConnectInfo<Kill>,
    request: Request,
) -> Response {
    let n = state.seen.fetch_add(1, Ordering::SeqCst);
    let method = request.method().to_string();
    let path = request.uri().path().to_string();
    let query = request.uri().query().unwrap_or("").to_string();
    let kind = Req::of(&method, &query);
    let broken = break_for(&state, n, kind);
    let seen = {
        let header = |name: &str| {
            request
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        Seen {
            kind,
            method: method.clone(),
            path,
            query: query.clone(),
            range: header("range"),
            authorization: header("authorization"),
            security_token: header("x-oss-security-token"),
            broken,
        }
    };
    state.log.lock().unwrap().push(seen);

    match broken {
        Some(Break::Unavailable) => return unavailable(format!("PROXY-{n}")),
        Some(Break::ResetBeforeBody) => return kill.now(),
        _ => {}
    }
    if let Fault::Skewed(count) = state.fault {
        if n < count {
            return oss_error(
                403,
                "RequestTimeTooSkewed",
                "The difference between the request time and the current time is too large.",
                "SKEW",
            );
        }
    }
    if let Fault::SignatureMismatch(count) = state.fault {
        if n < count {
            return oss_error(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.",
                "MISMATCH",
            );
        }
    }
    if let Fault::FailPart(number) = state.fault {
        let wanted = format!("partNumber={number}");
        if method == "PUT" && query.split('&').any(|pair| pair == wanted) {
            return Response::builder()
                .status(503)
                .header("x-oss-request-id", format!("PROXY-PART-{number}"))
                .body(Body::from("<html>part refused</html>"))
                .unwrap();
        }
    }
    if state.fault == Fault::HoldPart1UntilPart2 && method == "PUT" {
        if query.split('&').any(|pair| pair == "partNumber=1") {
            state.part2_arrived.notified().await;
        } else if query.split('&').any(|pair| pair == "partNumber=2") {
            state.part2_arrived.notify_one();
        }
    }

    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(body) => body,
        Err(_) => return kill.now(),
    };
    if broken == Some(Break::ResetAfterBody) {
        return kill.now();
    }
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let url = format!("http://{}{}", state.upstream, path_and_query);
    let mut upstream = state.client.request(parts.method.clone(), &url);
    for (name, value) in &parts.headers {
        if name != "host" && name != "content-length" {
            upstream = upstream.header(name, value);
        }
    }
    let answer = match upstream.body(body).send().await {
        Ok(answer) => answer,
        Err(_) => return kill.now(),
    };
    let status = answer.status();
    let headers = answer.headers().clone();
    let mut bytes = match answer.bytes().await {
        Ok(bytes) => bytes.to_vec(),
        Err(_) => return kill.now(),
    };
    if broken == Some(Break::DropAnswer) {
        return kill.now();
    }

    let mut builder = Response::builder().status(status);
    for (name, value) in &headers {
        let shift = broken == Some(Break::ShiftContentRange) && name == "content-range";
        if name == "x-oss-hash-crc64ecma"
            && state.fault == Fault::WrongPutCrc
            && parts.method == "PUT"
            && status.is_success()
        {
            let wrong = value.to_str().unwrap().parse::<u64>().unwrap() ^ 1;
            builder = builder.header(name, wrong.to_string());
        } else if name == "x-oss-hash-crc64ecma"
            && matches!(
                broken,
                Some(Break::StripCrc | Break::ResetMidResponseWithoutCrc)
            )
        {
            continue;
        } else if shift {
            builder = builder.header(name, shifted(value.to_str().unwrap()));
        } else if name == "content-length" && broken == Some(Break::XmlFlood) {
            continue;
        } else if name != "transfer-encoding" {
            builder = builder.header(name, value);
        }
    }
    if state.fault == Fault::CorruptGetBody && parts.method == "GET" && status.is_success() {
        if let Some(b) = bytes.get_mut(0) {
            *b ^= 0xFF;
        }
    }
    if broken == Some(Break::XmlFlood) && status.is_success() {
        bytes.extend_from_slice(b"<!--");
        bytes.resize(XML_FLOOD_BYTES - 3, b'x');
        bytes.extend_from_slice(b"-->");
    }
    if matches!(
        broken,
        Some(Break::ResetMidResponse | Break::ResetMidResponseWithoutCrc)
    ) {
        let half = bytes.len() / 2;
        let first = Bytes::copy_from_slice(&bytes[..half]);
        let rest = async move {
            // Let the headers and the first half go out before the reset.
            tokio::time::sleep(Duration::from_millis(50)).await;
            kill.set();
            Err::<Bytes, io::Error>(io::ErrorKind::ConnectionReset.into())
        };
        let stream = futures::stream::iter([Ok::<Bytes, io::Error>(first)])
            .chain(futures::stream::once(rest));
        return builder.body(Body::from_stream(stream)).unwrap();
    }
    builder.body(Body::from(bytes)).unwrap()
}

/// `bytes a-b/t` moved one byte (later if it fits, else earlier).
fn shifted(value: &str) -> String {
    let parse = || -> Option<(u64, u64, u64)> {
        let rest = value.strip_prefix("bytes ")?;
        let (range, total) = rest.split_once('/')?;
        let (a, b) = range.split_once('-')?;
        Some((a.parse().ok()?, b.parse().ok()?, total.parse().ok()?))
    };
    match parse() {
        Some((a, b, t)) if b + 1 < t => format!("bytes {}-{}/{t}", a + 1, b + 1),
        Some((a, b, t)) if a > 0 => format!("bytes {}-{}/{t}", a - 1, b - 1),
        _ => value.to_string(),
    }
}

/// An OSS error answer: the XML body, repeated base64 in `x-oss-err` as OSS does.
fn oss_error(status: u16, code: &str, message: &str, request_id: &str) -> Response {
    let xml = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>{request_id}</RequestId><HostId>proxy</HostId></Error>");
    use base64::Engine as _;
    let repeated = base64::engine::general_purpose::STANDARD.encode(&xml);
    Response::builder()
        .status(status)
        .header("content-type", "application/xml")
        .header("x-oss-err", repeated)
        .body(Body::from(xml))
        .unwrap()
}

/// The kill switch of one proxied connection (its connect info).
#[derive(Clone, Debug, Default)]
pub struct Kill(Arc<AtomicBool>);

impl Kill {
    fn set(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    fn is_set(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// Kills the connection: the response returned goes nowhere.
    fn now(&self) -> Response {
        self.set();
        Response::new(Body::empty())
    }
}

impl Connected<IncomingStream<'_, KillableListener>> for Kill {
    fn connect_info(stream: IncomingStream<'_, KillableListener>) -> Self {
        stream.remote_addr().clone()
    }
}

/// A TCP listener whose connections can be killed.
struct KillableListener(TcpListener);

impl Listener for KillableListener {
    type Io = KillableIo;
    type Addr = Kill;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            if let Ok((stream, _)) = self.0.accept().await {
                let kill = Kill::default();
                let io = KillableIo {
                    inner: stream,
                    kill: kill.clone(),
                    reset: false,
                };
                return (io, kill);
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(Kill::default())
    }
}

/// A connection that fails every read and write once killed, and is reset (RST, not
/// FIN) when it is then dropped.
struct KillableIo {
    inner: TcpStream,
    kill: Kill,
    reset: bool,
}

impl KillableIo {
    /// `Some(error)` once killed.
    fn killed(&mut self) -> Option<io::Error> {
        if !self.kill.is_set() {
            return None;
        }
        if !self.reset {
            // SO_LINGER 0: dropping the socket sends RST. It only blocks on drop for a
            // non-zero linger time.
            #[allow(deprecated)]
            let _ = self.inner.set_linger(Some(Duration::ZERO));
            self.reset = true;
        }
        Some(io::ErrorKind::ConnectionReset.into())
    }
}

impl AsyncRead for KillableIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if let Some(err) = self.killed() {
            return Poll::Ready(Err(err));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if let Some(err) = self.killed() {
            return Poll::Ready(Err(err));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(err) = self.killed() {
            return Poll::Ready(Err(err));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(err) = self.killed() {
            return Poll::Ready(Err(err));
        }
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
