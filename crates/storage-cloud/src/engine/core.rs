//! Request assembly: a [`Request`] (method, key, query, headers, body) becomes the
//! signed `reqwest::Request` of each attempt: its URL per addressing style, its
//! headers (the checksum headers too, while the server takes them), signed by the
//! [`Dialect`] afresh for every attempt with the credentials the element's provider
//! gives for it; presigned URLs likewise. [`Core::send`] runs the attempts of a request
//! whose body is in memory under the element's
//! [`RetryPolicy`](jit_storage::retry::RetryPolicy); writes that must confirm a lost
//! answer drive [`Core::attempt`] themselves. Executing an attempt (idle timeouts,
//! error bodies) is the transport's job.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use jit_oss_protocol::encode::encode_query;
use jit_oss_protocol::Credentials;
use jit_storage::ElementStorage;
use jit_storage::{StorageError, StorageResult};
use reqwest::header::{HeaderName, HeaderValue};
use reqwest::{Method, Response};
use tracing::Instrument;

use crate::engine::addressing::Place;
use crate::engine::checksum::ObjectChecksum;
use crate::engine::config::credentials::CredentialsProvider;
use crate::engine::config::settings::CommonSettings;
use crate::engine::dialect::{Dialect, PayloadView, SigningRequest};
use crate::engine::error;
use crate::engine::transport::{counted_body, Progress, Transport};
use crate::engine::vocabulary::Vocabulary;

/// The body of a request that [`Core::send`] sends (and sends again).
pub(crate) enum RequestBody {
    /// No body.
    Empty,
    /// Bytes in memory: sent again, whole, by every attempt.
    Bytes(Bytes),
}

/// The body of one attempt: what the HTTP client sends, its length when known, the
/// counter the idle timeout watches, the body as the signer sees it, and headers its
/// framing needs.
pub(crate) struct AttemptBody {
    /// What the HTTP client sends.
    pub body: reqwest::Body,
    /// `Content-Length`, when known.
    pub length: Option<u64>,
    /// Bytes handed to the HTTP client so far.
    pub progress: Progress,
    /// The body for the signer.
    pub payload: PayloadView,
    /// Headers the body needs (its framing), sent with the request's.
    pub headers: Vec<(String, String)>,
}

/// A fresh body of `bytes` for one more attempt (no copy of the bytes).
pub(crate) fn bytes_body(bytes: &Bytes) -> Option<AttemptBody> {
    let progress = Progress::default();
    let body = counted_body(bytes.clone(), progress.clone());
    Some(AttemptBody {
        body,
        length: Some(bytes.len() as u64),
        progress,
        payload: PayloadView::Bytes(bytes.clone()),
        headers: Vec::new(),
    })
}

/// One request to the object store, before signing.
pub(crate) struct Request {
    /// HTTP method.
    pub method: Method,
    /// Raw object key; `None` for bucket-level requests.
    pub key: Option<String>,
    /// Raw query pairs (`None` for bare names such as `uploads`).
    pub query: Vec<(String, Option<String>)>,
    /// Headers, names lower case.
    pub headers: Vec<(String, String)>,
    /// Checksum headers, names lower case: sent after `headers` while the server takes
    /// them (see [`Core::checksum_refused`]).
    pub checksum: Vec<(String, String)>,
    /// Body.
    pub body: RequestBody,
}

impl Request {
    /// A request about `key` (or the bucket when `None`).
    pub fn new(method: Method, key: Option<&str>) -> Self {
        Self {
            method,
            key: key.map(str::to_string),
            query: Vec::new(),
            headers: Vec::new(),
            checksum: Vec::new(),
            body: RequestBody::Empty,
        }
    }

    /// Adds a query parameter.
    pub fn query(mut self, name: &str, value: Option<&str>) -> Self {
        self.query
            .push((name.to_string(), value.map(str::to_string)));
        self
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_ascii_lowercase(), value.into()));
        self
    }

    /// Adds checksum headers (`&[]` for a dialect that needs none).
    pub fn checksum_headers(mut self, headers: &[(&str, &str)]) -> Self {
        for (name, value) in headers {
            self.checksum
                .push((name.to_ascii_lowercase(), (*value).to_string()));
        }
        self
    }

    /// Adds one checksum header.
    pub fn checksum_header(mut self, name: &str, value: String) -> Self {
        self.checksum.push((name.to_ascii_lowercase(), value));
        self
    }

    /// Sets the body.
    pub fn body(mut self, body: RequestBody) -> Self {
        self.body = body;
        self
    }
}

/// What every operation of an element shares: settings, the dialect, the credentials
/// provider and the HTTP transport.
pub(crate) struct Core {
    /// Checked configuration.
    pub settings: CommonSettings,
    /// Connection pool and idle timeouts.
    pub transport: Transport,
    /// The protocol spoken.
    dialect: Arc<dyn Dialect>,
    /// Asked for credentials at every attempt.
    credentials: Arc<dyn CredentialsProvider>,
    /// Whether checksum headers are sent (until the server refuses them).
    checksums: AtomicBool,
}

impl std::fmt::Debug for Core {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Core")
            .field("settings", &self.settings)
            .field("dialect", &self.dialect)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl Core {
    /// Builds the core and its transport; `pinned_hosts` pins host names to addresses
    /// (a hook for local servers reached through virtual-hosted names).
    pub fn new(
        settings: CommonSettings,
        dialect: Arc<dyn Dialect>,
        credentials: Arc<dyn CredentialsProvider>,
        pinned_hosts: &[(String, SocketAddr)],
    ) -> StorageResult<Self> {
        Ok(Self {
            transport: Transport::new(settings.timeout, pinned_hosts, dialect.vocabulary())?,
            settings,
            dialect,
            credentials,
            checksums: AtomicBool::new(true),
        })
    }

    /// The dialect spoken.
    pub fn dialect(&self) -> &dyn Dialect {
        self.dialect.as_ref()
    }

    /// The dialect's header names and conventions.
    pub fn words(&self) -> &'static Vocabulary {
        self.dialect.vocabulary()
    }

    /// The dialect's object checksum.
    pub fn checksum(&self) -> &'static ObjectChecksum {
        self.dialect.checksum()
    }

    /// Where the bucket's requests go.
    fn place(&self) -> Place<'_> {
        let s = &self.settings;
        Place {
            scheme: s.scheme,
            endpoint: &s.endpoint,
            bucket: &s.bucket,
            addressing: &s.addressing,
        }
    }

    /// `scheme://host[/bucket]`: the URL prefix objects live under, without a trailing `/`.
    #[cfg(test)]
    pub fn base_url(&self) -> String {
        self.place().base_url()
    }

    /// The object's unsigned address: the base URL plus the percent-encoded key
    /// (segment by segment, `/` kept); the bucket root (`…/`) for `None`.
    pub fn url(&self, key: Option<&str>) -> String {
        self.place().url(key)
    }

    /// The credentials to sign with now, from the element's provider.
    pub async fn credentials(&self) -> StorageResult<Credentials> {
        self.credentials.credentials().await
    }

    /// Whether checksum headers are still sent.
    pub fn checksums_on(&self) -> bool {
        self.checksums.load(Ordering::Relaxed)
    }

    /// Whether `err`, the failure of an attempt of `req`, is the server refusing the
    /// checksum headers `req` carried (the dialect says). The first time, checksum
    /// headers are turned off for this element (said in a debug log) and `true` tells
    /// the caller to send the request again at once; transfers are then checked by
    /// their length and whatever checksum answers still carry.
    pub fn checksum_refused(&self, req: &Request, err: &StorageError) -> bool {
        if req.checksum.is_empty() || !self.dialect.refuses_checksum(err) {
            return false;
        }
        let was_on = self.checksums.swap(false, Ordering::Relaxed);
        if was_on {
            tracing::debug!(
                error = %err,
                header = self.checksum().header,
                "the server refuses the checksum headers: transfers are checked by length only"
            );
        }
        was_on
    }

    /// A request to sign for `method` on `key` (the bucket when `None`), with no query,
    /// headers or body yet.
    pub fn signing_request(&self, method: &str, key: Option<&str>) -> SigningRequest {
        let place = self.place();
        SigningRequest {
            method: method.to_ascii_uppercase(),
            bucket: self.settings.bucket.clone(),
            key: key.map(str::to_string),
            host: place.host(),
            path: place.path(key),
            query: Vec::new(),
            headers: Vec::new(),
            payload: PayloadView::Empty,
        }
    }

    /// The URL of a signed request: `scheme://host` + path + `?` + query.
    fn signed_url(&self, signed: &SigningRequest) -> String {
        let mut url = format!("{}://{}{}", self.settings.scheme, signed.host, signed.path);
        let query = encode_query(signed.query.iter().map(|(n, v)| (n.as_str(), v.as_deref())));
        if !query.is_empty() {
            url.push('?');
            url.push_str(&query);
        }
        url
    }

    /// Presigns `request` (whose headers must be sent by the URL's user) with the
    /// current credentials, valid from `now` for `expires_secs`; returns the URL.
    pub async fn presign_url(
        &self,
        mut request: SigningRequest,
        now: SystemTime,
        expires_secs: u64,
    ) -> StorageResult<String> {
        let credentials = self.credentials().await?;
        self.dialect
            .presign(&mut request, &credentials, now, expires_secs)?;
        Ok(self.signed_url(&request))
    }

    /// Builds the HTTP request of one attempt, signed by `credentials` at `now`.
    fn build(
        &self,
        req: &Request,
        body: Option<AttemptBody>,
        credentials: &Credentials,
        now: SystemTime,
    ) -> StorageResult<reqwest::Request> {
        let mut sign = self.signing_request(req.method.as_str(), req.key.as_deref());
        sign.query = req.query.clone();
        sign.headers = req.headers.clone();
        if self.checksums_on() {
            sign.headers.extend(req.checksum.iter().cloned());
        }
        let body = body.map(|b| {
            sign.payload = b.payload;
            sign.headers.extend(b.headers);
            (b.body, b.length)
        });
        self.dialect.sign(&mut sign, credentials, now)?;
        let url = self.signed_url(&sign);
        let mut builder = self.transport.request(req.method.clone(), &url);
        for (name, value) in &sign.headers {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                StorageError::invalid_argument(format!("{name:?} is not a valid header name"))
            })?;
            let value = HeaderValue::from_bytes(value.as_bytes()).map_err(|_| {
                StorageError::invalid_argument(format!(
                    "the value of header {name} is not valid in HTTP"
                ))
            })?;
            builder = builder.header(name, value);
        }
        if let Some((body, length)) = body {
            if let Some(length) = length {
                builder = builder.header(reqwest::header::CONTENT_LENGTH, length);
            }
            builder = builder.body(body);
        }
        builder.build().map_err(|e| {
            StorageError::invalid_argument(format!(
                "cannot build the request to {}",
                self.words().service
            ))
            .with_source(e)
        })
    }

    /// One attempt: `req` with `body` (its own body is ignored), signed now with the
    /// credentials the provider gives now, and executed; its successful (2xx) response.
    pub async fn attempt(
        &self,
        req: &Request,
        body: Option<AttemptBody>,
    ) -> StorageResult<Response> {
        let progress = body.as_ref().map(|b| b.progress.clone());
        let credentials = self.credentials().await?;
        let request = self.build(req, body, &credentials, SystemTime::now())?;
        let response = self.transport.execute(request, progress.as_ref()).await?;
        let request_id = error::request_id(self.words(), response.headers());
        if let Some(id) = &request_id {
            ElementStorage::record_request_id(id);
        }
        tracing::debug!(
            status = response.status().as_u16(),
            request_id = request_id.as_deref().unwrap_or(""),
            "{} request",
            self.words().name
        );
        Ok(response)
    }

    /// A tracing span for the attempts of `req`.
    pub fn span(&self, req: &Request) -> tracing::Span {
        tracing::debug_span!(
            "request",
            service = self.words().name,
            method = %req.method,
            key = req.key.as_deref().unwrap_or(""),
        )
    }

    /// Sends `req`, signing every attempt afresh, and returns its successful (2xx)
    /// response; anything else is an error.
    ///
    /// Its body is in memory, so the request is retried under the element's
    /// [`RetryPolicy`](jit_storage::retry::RetryPolicy) when its failure is retryable
    /// (`jit_storage::retry::is_retryable`, the one table); an error after several
    /// attempts says how many. For requests that are safe to send again (reads,
    /// deletes, UploadPart); writes whose lost answer must be confirmed first use
    /// [`attempt`](Self::attempt).
    pub async fn send(&self, mut req: Request) -> StorageResult<Response> {
        let span = self.span(&req);
        let body = std::mem::replace(&mut req.body, RequestBody::Empty);
        let req = &req;
        let result = loop {
            let result = self
                .settings
                .retry
                .run(|_| {
                    let body = match &body {
                        RequestBody::Empty => None,
                        RequestBody::Bytes(bytes) => bytes_body(bytes),
                    };
                    self.attempt(req, body)
                })
                .instrument(span.clone())
                .await;
            match result {
                Err(err) if self.checksum_refused(req, &err) => continue,
                other => break other,
            }
        };
        if let Err(err) = &result {
            span.in_scope(|| tracing::debug!(error = %err, "{} request failed", self.words().name));
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oss::backend::test_core as core;

    fn static_credentials() -> Credentials {
        Credentials::new("ak", "sk")
    }

    const KEY: &str = "dir/a b+c%d#e?f/文.txt";
    const ENCODED: &str = "dir/a%20b%2Bc%25d%23e%3Ff/%E6%96%87.txt";

    #[test]
    fn virtual_host_urls() {
        let c = core(serde_json::json!({}));
        assert_eq!(c.base_url(), "https://bkt.oss-cn-hangzhou.aliyuncs.com");
        assert_eq!(
            c.url(Some(KEY)),
            format!("https://bkt.oss-cn-hangzhou.aliyuncs.com/{ENCODED}")
        );
        assert_eq!(c.url(None), "https://bkt.oss-cn-hangzhou.aliyuncs.com/");
    }

    #[test]
    fn path_style_urls() {
        let c = core(
            serde_json::json!({"pathStyle": true, "endPoint": "http://127.0.0.1:9000", "region": "cn-hangzhou"}),
        );
        assert_eq!(
            c.url(Some(KEY)),
            format!("http://127.0.0.1:9000/bkt/{ENCODED}")
        );
        assert_eq!(c.url(None), "http://127.0.0.1:9000/bkt/");
    }

    #[test]
    fn custom_domain_urls() {
        let c = core(serde_json::json!({"customDomain": "static.example.com"}));
        assert_eq!(
            c.url(Some(KEY)),
            format!("https://static.example.com/{ENCODED}")
        );
        let c = core(
            serde_json::json!({"customDomain": "http://cdn.example.com:8080/", "secure": true}),
        );
        assert_eq!(c.url(Some("k")), "http://cdn.example.com:8080/k");
    }

    #[test]
    fn requests_carry_signature_and_encoded_query() {
        let c = core(serde_json::json!({}));
        let req = Request::new(Method::GET, None)
            .query("list-type", Some("2"))
            .query("prefix", Some("a b/"));
        let built = c
            .build(&req, None, &static_credentials(), SystemTime::now())
            .unwrap();
        assert_eq!(
            built.url().as_str(),
            "https://bkt.oss-cn-hangzhou.aliyuncs.com/?list-type=2&prefix=a%20b%2F"
        );
        let auth = built.headers()["authorization"].to_str().unwrap();
        assert!(
            auth.starts_with("OSS4-HMAC-SHA256 Credential=ak/"),
            "{auth}"
        );
        assert!(built.headers().contains_key("x-oss-date"));

        let c = core(serde_json::json!({"signatureVersion": "v1"}));
        let req = Request::new(Method::PUT, Some(KEY)).header("Content-Type", "text/plain");
        let built = c
            .build(&req, None, &static_credentials(), SystemTime::now())
            .unwrap();
        assert!(built.headers()["authorization"]
            .to_str()
            .unwrap()
            .starts_with("OSS ak:"));
        assert_eq!(built.headers()["content-type"], "text/plain");
        assert!(built.headers().contains_key("date"));
    }

    #[test]
    fn requests_carry_the_sts_token() {
        for version in ["v4", "v1"] {
            let c = core(serde_json::json!({ "signatureVersion": version }));
            let credentials = Credentials::with_token("STS.ak", "sk", "the-token");
            let built = c
                .build(
                    &Request::new(Method::HEAD, Some("k")),
                    None,
                    &credentials,
                    SystemTime::now(),
                )
                .unwrap();
            assert_eq!(built.headers()["x-oss-security-token"], "the-token");
            assert!(!built.url().as_str().contains("the-token"));
        }
    }

    #[test]
    fn debug_hides_the_secret() {
        let c = core(serde_json::json!({
            "accessKeySecret": "very-secret-sk", "securityToken": "sts-token-xyz"
        }));
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("very-secret-sk") && !shown.contains("sts-token-xyz"),
            "{shown}"
        );
    }
}
