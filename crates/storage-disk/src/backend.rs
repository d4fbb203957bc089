//! [`DiskStorage`], the [`StorageMeta`] implementation of `storages.DiskType`: objects are
//! files under the storage folder, described by sidecars, written atomically, read as
//! CRC-checked streams, listed in key order and handed out with signed URLs.

use std::any::Any;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use jit_storage::{
    guess_content_type, Capabilities, GetOptions, GetResult, ListOptions, ListPage, ObjectInfo,
    Payload, PresignMethod, PresignOptions, PresignedRequest, PutOptions, StorageError,
    StorageErrorKind, StorageMeta, StorageResult, UploadResult,
};

use crate::meta_file::{Described, Sidecar};
use crate::names::path_segments;
use crate::paths::{remove_file, Layout};
use crate::read::{clamp_range, describe_object, open_object, stream_object, OpenObject};
use crate::signing::{
    signed_url, unix_seconds, verify_signed_url, SignatureError, SignedGrant, SigningKey,
    MAX_SIGN_EXPIRES,
};
use crate::url::{encode_key, file_url};
use crate::write::{blocking, commit, sweep_stale_temp_files, write_temp};

/// What a [`DiskStorage`] needs; built from the element config by
/// [`DiskType`](crate::DiskType), or directly by embedding code and tests.
#[derive(Debug, Clone)]
pub struct DiskSettings {
    /// The storage folder (absolute, or relative to the process's working directory).
    pub directory: PathBuf,
    /// Where the signed-URL router is mounted, without a trailing `/`.
    pub base_url: Option<String>,
    /// The secret that signs URLs.
    pub signing_key: Option<SigningKey>,
    /// The config file the settings came from, named in configuration hints.
    pub config_file: Option<PathBuf>,
    /// The storage's identity, bound into every signed URL so that storages sharing a
    /// signing key do not accept each other's URLs: the element fullName when built by
    /// [`DiskType`](crate::DiskType). `None`: the canonical folder path. It must stay
    /// the same across restarts for URLs handed out before to keep working.
    pub identity: Option<String>,
}

impl DiskSettings {
    /// Settings with just a folder: `file://` object URLs, no signed URLs.
    pub fn new(directory: impl Into<PathBuf>) -> Self {
        Self {
            directory: directory.into(),
            base_url: None,
            signing_key: None,
            config_file: None,
            identity: None,
        }
    }
}

/// A local-folder storage (`storages.DiskType`).
#[derive(Debug)]
pub struct DiskStorage {
    layout: Layout,
    base_url: Option<String>,
    signing_key: Option<SigningKey>,
    config_file: Option<PathBuf>,
    identity: String,
}

impl DiskStorage {
    /// Opens (creating it if missing) the folder of `settings`, with its reserved
    /// `.jitstore` tree, and sweeps temp files a crash left behind.
    pub async fn open(settings: DiskSettings) -> StorageResult<Self> {
        let directory = settings.directory.clone();
        let layout = blocking(move || {
            std::fs::create_dir_all(&directory).map_err(|e| {
                StorageError::io(format!("cannot create {}", directory.display()), e)
            })?;
            let root = std::fs::canonicalize(&directory).map_err(|e| {
                StorageError::io(format!("cannot resolve {}", directory.display()), e)
            })?;
            if !root.is_dir() {
                return Err(StorageError::new(
                    StorageErrorKind::InvalidConfig,
                    format!("{} is not a folder", root.display()),
                ));
            }
            let layout = Layout::open(root)?;
            let swept = sweep_stale_temp_files(&layout.tmp_dir(&layout.root_dir()?)?);
            if swept > 0 {
                tracing::info!(
                    folder = %layout.root.display(),
                    swept,
                    "removed temp files left by writers that are gone"
                );
            }
            Ok(layout)
        })
        .await?;
        let identity = settings
            .identity
            .unwrap_or_else(|| layout.root.to_string_lossy().into_owned());
        Ok(Self {
            layout,
            base_url: settings.base_url,
            signing_key: settings.signing_key,
            config_file: settings.config_file,
            identity,
        })
    }

    /// The storage folder (canonical).
    pub fn directory(&self) -> &Path {
        &self.layout.root
    }

    /// The base URL object URLs and signed URLs start with, if configured.
    pub fn base_url(&self) -> Option<&str> {
        self.base_url.as_deref()
    }

    /// The identity bound into this storage's signed URLs (see
    /// [`DiskSettings::identity`]).
    pub fn identity(&self) -> &str {
        &self.identity
    }

    /// Checks a signed request against this storage's key and identity at time `now`
    /// (see [`verify_signed_url`]).
    pub fn verify_signed_request(
        &self,
        method: PresignMethod,
        key: &str,
        query: &[(String, String)],
        request_content_type: Option<&str>,
        now: SystemTime,
    ) -> Result<SignedGrant, SignatureError> {
        let signing_key = self
            .signing_key
            .as_ref()
            .ok_or(SignatureError::NotConfigured)?;
        verify_signed_url(
            signing_key,
            &self.identity,
            method,
            key,
            query,
            request_content_type,
            now,
        )
    }

    /// Opens an object for serving (the signed-URL handler).
    pub(crate) async fn open_for_serving(&self, key: &str) -> StorageResult<OpenObject> {
        open_object(&self.layout, key).await
    }

    /// Why this storage cannot sign URLs: names every missing field, since both are
    /// needed.
    fn signing_not_configured(&self) -> StorageError {
        let mut missing = Vec::new();
        if self.signing_key.is_none() {
            missing.push(format!(
                "`signingKey` (the HMAC secret, at least {} bytes, usually a variable \
                 reference such as \"{{{{FILES_SIGNING_KEY}}}}\")",
                SigningKey::MIN_LEN
            ));
        }
        if self.base_url.is_none() {
            missing.push(
                "`baseUrl` (the http(s) address where signed_url_router is mounted)".to_string(),
            );
        }
        StorageError::new(
            StorageErrorKind::InvalidConfig,
            format!(
                "signed URLs need both `signingKey` and `baseUrl`; missing {} {}",
                missing.join(" and "),
                self.config_hint()
            ),
        )
    }

    fn config_hint(&self) -> String {
        match &self.config_file {
            Some(file) => format!("in {}", file.display()),
            None => "in the storage's settings".to_string(),
        }
    }

    /// Streams `payload` into place as `name`; its serving headers and metadata come from
    /// `described` (a copy's source) or else from `options`.
    async fn store(
        &self,
        name: &str,
        payload: Payload,
        content_type: String,
        described: Option<Described>,
        options: PutOptions,
    ) -> StorageResult<UploadResult> {
        let segments: Vec<String> = path_segments(name)?
            .into_iter()
            .map(str::to_string)
            .collect();
        let url = self.object_url(name)?;
        let length = payload.len();
        let written = write_temp(&self.layout, payload.into_stream(), Some(length)).await?;
        let mut sidecar = Sidecar::new(
            written.stamp,
            content_type,
            written.etag.clone(),
            written.crc64,
        );
        match described {
            Some(d) => {
                sidecar.metadata = d.info.metadata;
                sidecar.content_disposition = d.content_disposition;
                sidecar.cache_control = d.cache_control;
            }
            None => {
                sidecar.metadata = options.metadata;
                sidecar.content_disposition = options.content_disposition;
                sidecar.cache_control = options.cache_control;
            }
        }
        let result = UploadResult {
            url,
            key: name.to_string(),
            size: written.stamp.size,
            etag: Some(written.etag.clone()),
            crc64: Some(written.crc64),
        };
        commit(&self.layout, segments, written, sidecar).await?;
        Ok(result)
    }
}

/// Refuses content types that cannot be a header value.
fn check_content_type(content_type: &str) -> StorageResult<()> {
    if content_type.trim().is_empty() || content_type.chars().any(|c| c.is_control()) {
        return Err(StorageError::invalid_argument(
            "the content type must be a non-empty header value without control characters",
        ));
    }
    Ok(())
}

#[async_trait]
impl StorageMeta for DiskStorage {
    fn capabilities(&self) -> Capabilities {
        let signing = self.base_url.is_some() && self.signing_key.is_some();
        let mut capabilities = Capabilities::all();
        capabilities.presign_get = signing;
        capabilities.presign_put = signing;
        capabilities.multipart_upload = false;
        capabilities
    }

    /// Opts in to [`jit_storage::downcast_storage`], so a host holding the element can
    /// reach this `DiskStorage` (e.g. for [`signed_url_router`](crate::signed_url_router)).
    fn as_any_arc(self: Arc<Self>) -> Option<Arc<dyn Any + Send + Sync>> {
        Some(self)
    }

    async fn put(
        &self,
        name: &str,
        payload: Payload,
        options: PutOptions,
    ) -> StorageResult<UploadResult> {
        let content_type = options.content_type_for(name);
        check_content_type(&content_type)?;
        self.store(name, payload, content_type, None, options).await
    }

    async fn get(&self, name: &str, options: GetOptions) -> StorageResult<GetResult> {
        let open = open_object(&self.layout, name).await?;
        let info = open.described.info.clone();
        let range = match options.range {
            Some(range) => Some(clamp_range(range, info.size)?),
            None => None,
        };
        let stream = stream_object(open, range.clone()).await?;
        Ok(GetResult {
            info,
            range,
            stream,
        })
    }

    async fn stat(&self, name: &str) -> StorageResult<ObjectInfo> {
        Ok(describe_object(&self.layout, name).await?.info)
    }

    async fn delete(&self, name: &str) -> StorageResult<()> {
        let layout = self.layout.clone();
        let name = name.to_string();
        blocking(move || {
            let segments = path_segments(&name)?;
            // The object goes first: a crash in between leaves the object deleted and a
            // sidecar no object file matches (never listed, never used), rather than an
            // object that lost its description.
            let root = layout.root_dir()?;
            remove_file(&root, &segments)?;
            remove_file(&layout.meta_dir(&root)?, &segments)?;
            Ok(())
        })
        .await
    }

    async fn list(&self, options: ListOptions) -> StorageResult<ListPage> {
        let layout = self.layout.clone();
        blocking(move || crate::list::list_page(&layout, &options)).await
    }

    async fn presign(
        &self,
        name: &str,
        options: PresignOptions,
    ) -> StorageResult<PresignedRequest> {
        path_segments(name)?;
        let (Some(signing_key), Some(base_url)) = (&self.signing_key, &self.base_url) else {
            return Err(self.signing_not_configured());
        };
        if options.expires.is_zero() || options.expires > MAX_SIGN_EXPIRES {
            return Err(StorageError::invalid_argument(format!(
                "a signed URL must live between 1 second and {} days, not {:?}",
                MAX_SIGN_EXPIRES.as_secs() / 86_400,
                options.expires
            )));
        }
        // An upload URL always binds a type: the caller's, else the one the key's
        // extension implies, so an upload cannot choose how it will be served.
        let content_type = match (options.method, options.content_type) {
            (PresignMethod::Put, None) => Some(guess_content_type(name)),
            (_, given) => given,
        };
        if let Some(ct) = content_type.as_deref() {
            check_content_type(ct)?;
        }
        let seconds = options.expires.as_secs() + u64::from(options.expires.subsec_nanos() > 0);
        let expires = unix_seconds(SystemTime::now())
            .checked_add(seconds)
            .ok_or_else(|| StorageError::invalid_argument("the expiry overflows the clock"))?;
        let content_type = content_type.as_deref();
        let url = signed_url(
            base_url,
            signing_key,
            &self.identity,
            options.method,
            name,
            expires,
            content_type,
        );
        let headers = match (options.method, content_type) {
            (PresignMethod::Put, Some(ct)) => vec![("Content-Type".to_string(), ct.to_string())],
            _ => Vec::new(),
        };
        Ok(PresignedRequest {
            url,
            method: options.method,
            headers,
            expires_at: UNIX_EPOCH + Duration::from_secs(expires),
        })
    }

    fn object_url(&self, name: &str) -> StorageResult<String> {
        path_segments(name)?;
        Ok(match &self.base_url {
            Some(base) => format!("{base}/{}", encode_key(name)),
            None => file_url(&self.layout.root.join(name)),
        })
    }

    /// Copies within the folder: the source file is streamed (its CRC checked) into a
    /// new temp file and renamed into place; content type, metadata and serving headers
    /// are kept.
    async fn copy(&self, from: &str, to: &str) -> StorageResult<UploadResult> {
        path_segments(to)?;
        let open = open_object(&self.layout, from).await?;
        let described = open.described.clone();
        let size = described.info.size;
        let content_type = described
            .info
            .content_type
            .clone()
            .unwrap_or_else(|| guess_content_type(to));
        let stream = stream_object(open, None).await?;
        let payload = Payload::Stream {
            stream,
            length: size,
        };
        self.store(
            to,
            payload,
            content_type,
            Some(described),
            PutOptions::default(),
        )
        .await
    }
}
