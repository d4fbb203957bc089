//! Request assembly: an [`OssRequest`] (method, key, query, headers, body) becomes the
//! signed `reqwest::Request` of each attempt: URLs per addressing style, headers,
//! signing with `jit-oss-protocol` (V4 or V1, a fresh signature per attempt with the
//! credentials the element's provider gives for it, the V4 signing key reused for the
//! secret, day and region), presigned URLs. [`OssCore::send`] runs the attempts of a
//! request whose body is in memory under the element's
//! [`RetryPolicy`](jit_storage::retry::RetryPolicy); writes that must confirm a lost
//! answer drive [`OssCore::attempt`] themselves. Executing an attempt (idle timeouts,
//! error bodies) is the transport's job.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use jit_oss_protocol::encode::encode_path;
use jit_oss_protocol::sign::{v1, v4, SignRequest};
use jit_oss_protocol::{Credentials, SignatureVersion};
use jit_storage::ElementStorage;
use jit_storage::{StorageError, StorageErrorKind, StorageResult};
use reqwest::header::{HeaderName, HeaderValue};
use reqwest::{Method, Response};
use tracing::Instrument;

use crate::engine::credentials::{
    CredentialsProvider, CredentialsSetting, EnvironmentCredentials, StaticCredentials,
};
use crate::engine::transport::{counted_body, Progress, Transport};
use crate::oss::settings::{Addressing, OssSettings};
use crate::oss::signing_key::SigningKeyCache;

/// The body of a request to OSS that [`OssCore::send`] sends (and sends again).
pub(crate) enum RequestBody {
    /// No body.
    Empty,
    /// Bytes in memory: sent again, whole, by every attempt.
    Bytes(Bytes),
}

/// The body of one attempt: what the HTTP client sends, its length when known, and
/// the counter the idle timeout watches.
pub(crate) type AttemptBody = Option<(reqwest::Body, Option<u64>, Progress)>;

/// A fresh body of `bytes` for one more attempt (no copy of the bytes).
pub(crate) fn bytes_body(bytes: &Bytes) -> AttemptBody {
    let progress = Progress::default();
    let body = counted_body(bytes.clone(), progress.clone());
    Some((body, Some(bytes.len() as u64), progress))
}

/// One request to OSS, before signing.
pub(crate) struct OssRequest {
    /// HTTP method.
    pub method: Method,
    /// Raw object key; `None` for bucket-level requests.
    pub key: Option<String>,
    /// Raw query pairs (`None` for bare names such as `uploads`).
    pub query: Vec<(String, Option<String>)>,
    /// Headers, names lower case.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: RequestBody,
}

impl OssRequest {
    /// A request about `key` (or the bucket when `None`).
    pub fn new(method: Method, key: Option<&str>) -> Self {
        Self {
            method,
            key: key.map(str::to_string),
            query: Vec::new(),
            headers: Vec::new(),
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

    /// Sets the body.
    pub fn body(mut self, body: RequestBody) -> Self {
        self.body = body;
        self
    }
}

/// What every operation of an element shares: settings, the credentials provider, the
/// HTTP transport and the V4 signing-key cache.
pub(crate) struct OssCore {
    /// Checked configuration.
    pub settings: OssSettings,
    /// Connection pool and idle timeouts.
    pub transport: Transport,
    /// Asked for credentials at every attempt.
    credentials: Arc<dyn CredentialsProvider>,
    /// The V4 signing key of the last secret, day and region (never shown by Debug).
    signing_key: SigningKeyCache,
}

impl std::fmt::Debug for OssCore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OssCore")
            .field("settings", &self.settings)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl OssCore {
    /// Builds the core and its transport; `pinned_hosts` pins host names to addresses
    /// (a hook for local servers reached through virtual-hosted names); `host_provider`
    /// serves settings whose credentials come from the host (and is required then).
    pub fn new(
        settings: OssSettings,
        pinned_hosts: &[(String, SocketAddr)],
        host_provider: Option<Arc<dyn CredentialsProvider>>,
    ) -> StorageResult<Self> {
        let credentials: Arc<dyn CredentialsProvider> = match &settings.credentials {
            CredentialsSetting::Static(c) => Arc::new(StaticCredentials::new(c.clone())),
            CredentialsSetting::Environment => Arc::new(EnvironmentCredentials),
            CredentialsSetting::Host => host_provider.ok_or_else(|| {
                StorageError::new(
                    StorageErrorKind::InvalidConfig,
                    "field `credentials`: \"host\" needs a credentials provider from the host (OssType::with_credentials_provider), and none was installed",
                )
            })?,
        };
        Ok(Self {
            transport: Transport::new(settings.timeout, pinned_hosts)?,
            settings,
            credentials,
            signing_key: SigningKeyCache::default(),
        })
    }

    /// `scheme://host[/bucket]`: the URL prefix objects live under, without a trailing `/`.
    pub fn base_url(&self) -> String {
        let s = &self.settings;
        match &s.addressing {
            Addressing::VirtualHost => format!("{}://{}.{}", s.scheme, s.bucket, s.endpoint),
            Addressing::PathStyle => format!("{}://{}/{}", s.scheme, s.endpoint, s.bucket),
            Addressing::CustomDomain(domain) => format!("{}://{domain}", s.scheme),
        }
    }

    /// The object's unsigned address: the base URL plus the percent-encoded key
    /// (segment by segment, `/` kept); the bucket root (`…/`) for `None`.
    pub fn url(&self, key: Option<&str>) -> String {
        format!("{}/{}", self.base_url(), encode_path(key.unwrap_or("")))
    }

    /// The credentials to sign with now, from the element's provider.
    pub async fn credentials(&self) -> StorageResult<Credentials> {
        self.credentials.credentials().await
    }

    /// The request as `jit-oss-protocol` signs it.
    fn sign_request(&self, req: &OssRequest) -> SignRequest {
        let mut sign = SignRequest::new(req.method.as_str()).with_bucket(&self.settings.bucket);
        sign.key = req.key.clone();
        sign.query = req.query.clone();
        for (name, value) in &req.headers {
            sign.set_header(name, value.clone());
        }
        sign
    }

    /// Signs with an `Authorization` header by `credentials` at `now`.
    fn sign_header(
        &self,
        sign: &mut SignRequest,
        credentials: &Credentials,
        now: SystemTime,
    ) -> StorageResult<()> {
        let result = match self.settings.signature {
            SignatureVersion::V4 => {
                let region = self.settings.region.as_deref().unwrap_or("");
                let secret = credentials.access_key_secret.expose();
                v4::sign_header_with_key(sign, credentials, region, &[], now, |date| {
                    self.signing_key.key(secret, date, region)
                })
            }
            SignatureVersion::V1 => v1::sign_header(sign, credentials, now),
        };
        result.map_err(|e| StorageError::invalid_argument(e.to_string()).with_source(e))
    }

    /// Presigns `sign` (whose headers must be sent by the URL's user) with the current
    /// credentials, valid from `now` until `expires_at` (`expires_secs` later); returns
    /// the URL.
    pub async fn presign_url(
        &self,
        mut sign: SignRequest,
        now: SystemTime,
        expires_secs: u64,
        expires_at: SystemTime,
    ) -> StorageResult<String> {
        let credentials = self.credentials().await?;
        let result = match self.settings.signature {
            SignatureVersion::V4 => v4::presign(
                &mut sign,
                &credentials,
                self.settings.region.as_deref().unwrap_or(""),
                &[],
                now,
                expires_secs,
            ),
            SignatureVersion::V1 => v1::presign(&mut sign, &credentials, expires_at),
        };
        result.map_err(|e| StorageError::invalid_argument(e.to_string()).with_source(e))?;
        Ok(format!(
            "{}?{}",
            self.url(sign.key.as_deref()),
            sign.query_string()
        ))
    }

    /// A signing request for presigning `key` with `method`.
    pub fn presign_request(&self, method: &str, key: &str) -> SignRequest {
        SignRequest::new(method)
            .with_bucket(&self.settings.bucket)
            .with_key(key)
    }

    /// Builds the HTTP request of one attempt, signed by `credentials` at `now`.
    fn build(
        &self,
        req: &OssRequest,
        body: Option<(reqwest::Body, Option<u64>)>,
        credentials: &Credentials,
        now: SystemTime,
    ) -> StorageResult<reqwest::Request> {
        let mut sign = self.sign_request(req);
        self.sign_header(&mut sign, credentials, now)?;
        let mut url = self.url(req.key.as_deref());
        let query = sign.query_string();
        if !query.is_empty() {
            url.push('?');
            url.push_str(&query);
        }
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
            StorageError::invalid_argument("cannot build the request to OSS").with_source(e)
        })
    }

    /// One attempt: `req` with `body` (its own body is ignored), signed now with the
    /// credentials the provider gives now, and executed; its successful (2xx) response.
    pub async fn attempt(&self, req: &OssRequest, body: AttemptBody) -> StorageResult<Response> {
        let (body, progress) = match body {
            Some((body, length, progress)) => (Some((body, length)), Some(progress)),
            None => (None, None),
        };
        let credentials = self.credentials().await?;
        let request = self.build(req, body, &credentials, SystemTime::now())?;
        let response = self.transport.execute(request, progress.as_ref()).await?;
        let request_id = crate::engine::error::request_id(response.headers());
        if let Some(id) = &request_id {
            ElementStorage::record_request_id(id);
        }
        tracing::debug!(
            status = response.status().as_u16(),
            request_id = request_id.as_deref().unwrap_or(""),
            "oss request"
        );
        Ok(response)
    }

    /// A tracing span for the attempts of `req`.
    pub fn span(req: &OssRequest) -> tracing::Span {
        tracing::debug_span!(
            "oss",
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
    pub async fn send(&self, mut req: OssRequest) -> StorageResult<Response> {
        let span = Self::span(&req);
        let body = std::mem::replace(&mut req.body, RequestBody::Empty);
        let req = &req;
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
        if let Err(err) = &result {
            span.in_scope(|| tracing::debug!(error = %err, "oss request failed"));
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oss::config::OssConfig;

    fn core(extra: serde_json::Value) -> OssCore {
        let mut json = serde_json::json!({
            "accessKeyId": "ak",
            "accessKeySecret": "sk",
            "endPoint": "oss-cn-hangzhou.aliyuncs.com",
            "bucketName": "bkt"
        });
        for (k, v) in extra.as_object().unwrap() {
            json[k] = v.clone();
        }
        let config: OssConfig = serde_json::from_value(json).unwrap();
        let settings = config.validate().unwrap();
        OssCore::new(settings, &[], None).unwrap()
    }

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
        let req = OssRequest::new(Method::GET, None)
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
        let req = OssRequest::new(Method::PUT, Some(KEY)).header("Content-Type", "text/plain");
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
                    &OssRequest::new(Method::HEAD, Some("k")),
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
    fn host_credentials_need_a_provider() {
        let config: OssConfig = serde_json::from_value(serde_json::json!({
            "credentials": "host",
            "endPoint": "oss-cn-hangzhou.aliyuncs.com", "bucketName": "bkt"
        }))
        .unwrap();
        let err = OssCore::new(config.validate().unwrap(), &[], None).unwrap_err();
        assert_eq!(err.kind(), StorageErrorKind::InvalidConfig);
        assert!(err.message().contains("credentials"), "{err}");
    }

    #[test]
    fn debug_hides_the_secret() {
        let mut json = serde_json::json!({
            "accessKeyId": "ak", "accessKeySecret": "very-secret-sk",
            "endPoint": "oss-cn-hangzhou.aliyuncs.com", "bucketName": "bkt"
        });
        json["securityToken"] = "sts-token-xyz".into();
        let config: OssConfig = serde_json::from_value(json).unwrap();
        let settings = config.validate().unwrap();
        let c = OssCore::new(settings, &[], None).unwrap();
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("very-secret-sk") && !shown.contains("sts-token-xyz"),
            "{shown}"
        );
    }
}
