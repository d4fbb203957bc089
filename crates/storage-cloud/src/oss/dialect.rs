//! The OSS dialect: V4 (`OSS4-HMAC-SHA256`, the signing key cached per secret, day and
//! region) or V1 signing of every attempt and of presigned URLs by
//! `jit-oss-protocol`, the `x-oss-*` headers, and CRC-64/XZ in
//! `x-oss-hash-crc64ecma` (an unsigned decimal, always returned, never sent).

use std::time::{Duration, SystemTime};

use jit_oss_protocol::sign::{v1, v4, SignRequest};
use jit_oss_protocol::{Credentials, SignatureVersion};
use jit_storage::{StorageError, StorageResult};
use jit_wire::crc64::Crc64Algorithm;

use crate::engine::checksum::{ChecksumEncoding, ObjectChecksum};
use crate::engine::dialect::{Dialect, SigningRequest};
use crate::engine::signing_key::SigningKeyCache;
use crate::engine::vocabulary::Vocabulary;

/// The header OSS puts its request id in.
pub const REQUEST_ID_HEADER: &str = "x-oss-request-id";

/// OSS's header names and conventions.
pub(crate) static OSS_VOCABULARY: Vocabulary = Vocabulary {
    service: "OSS",
    name: "oss",
    request_id: REQUEST_ID_HEADER,
    error_header: Some("x-oss-err"),
    meta_prefix: "x-oss-meta-",
    storage_class: "x-oss-storage-class",
    copy_source: "x-oss-copy-source",
    url_encoded_listings: true,
};

/// OSS's object checksum: CRC-64/XZ as a decimal in `x-oss-hash-crc64ecma`, returned
/// with every object, part and upload; nothing to send or ask for.
pub(crate) static OSS_CHECKSUM: ObjectChecksum = ObjectChecksum {
    algorithm: Crc64Algorithm::Xz,
    header: "x-oss-hash-crc64ecma",
    encoding: ChecksumEncoding::Decimal,
    sent_with_uploads: false,
    ask: &[],
    multipart_initiate: &[],
    multipart_complete: &[],
    part_element: None,
    streamed_upload: &[],
};

/// OSS as the engine speaks it: the signature version, the V4 region and the V4
/// signing-key cache. `Debug` shows no key.
#[derive(Debug)]
pub(crate) struct OssDialect {
    signature: SignatureVersion,
    region: String,
    signing_key: SigningKeyCache,
}

impl OssDialect {
    /// Signing with `signature`; V4 in `region` (V1 needs none).
    pub fn new(signature: SignatureVersion, region: Option<String>) -> Self {
        Self {
            signature,
            region: region.unwrap_or_default(),
            signing_key: SigningKeyCache::default(),
        }
    }

    /// The request as `jit-oss-protocol` signs it (the canonical resource is always
    /// `/bucket/key`, whatever the addressing).
    fn sign_request(request: &SigningRequest) -> SignRequest {
        let mut sign = SignRequest::new(request.method.as_str()).with_bucket(&request.bucket);
        sign.key = request.key.clone();
        sign.query = request.query.clone();
        for (name, value) in &request.headers {
            sign.set_header(name, value.clone());
        }
        sign
    }
}

impl Dialect for OssDialect {
    fn vocabulary(&self) -> &'static Vocabulary {
        &OSS_VOCABULARY
    }

    fn checksum(&self) -> &'static ObjectChecksum {
        &OSS_CHECKSUM
    }

    fn sign(
        &self,
        request: &mut SigningRequest,
        credentials: &Credentials,
        now: SystemTime,
    ) -> StorageResult<()> {
        let mut sign = Self::sign_request(request);
        let result = match self.signature {
            SignatureVersion::V4 => {
                let secret = credentials.access_key_secret.expose();
                let region = self.region.as_str();
                v4::sign_header_with_key(&mut sign, credentials, region, &[], now, |date| {
                    self.signing_key.key(secret, date, region, v4::signing_key)
                })
            }
            SignatureVersion::V1 => v1::sign_header(&mut sign, credentials, now),
        };
        result.map_err(|e| StorageError::invalid_argument(e.to_string()).with_source(e))?;
        request.query = sign.query;
        request.headers = sign.headers;
        Ok(())
    }

    fn presign(
        &self,
        request: &mut SigningRequest,
        credentials: &Credentials,
        now: SystemTime,
        expires_secs: u64,
    ) -> StorageResult<()> {
        let mut sign = Self::sign_request(request);
        let result = match self.signature {
            SignatureVersion::V4 => {
                v4::presign(&mut sign, credentials, &self.region, &[], now, expires_secs)
            }
            SignatureVersion::V1 => {
                let expires_at = now
                    .checked_add(Duration::from_secs(expires_secs))
                    .ok_or_else(|| {
                        StorageError::invalid_argument("the expiry time cannot be represented")
                    })?;
                v1::presign(&mut sign, credentials, expires_at)
            }
        };
        result.map_err(|e| StorageError::invalid_argument(e.to_string()).with_source(e))?;
        request.query = sign.query;
        request.headers = sign.headers;
        Ok(())
    }
}
