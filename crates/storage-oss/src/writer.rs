//! Writing an object: the upload headers (content type, metadata, serving headers),
//! one PutObject for payloads up to `multipartThresholdBytes` (bytes in memory can be
//! retried; a stream is sent once, digested as it goes), the CRC-64 checked against the
//! server's, and larger payloads handed to `multipart`.

use jit_oss_protocol::crc64;
use jit_storage::{Payload, PutOptions, StorageError, StorageResult};
use reqwest::header::HeaderMap;
use reqwest::Method;

use crate::core::{OssCore, OssRequest, RequestBody};
use crate::error;
use crate::integrity::{crc_header, mismatch, UploadDigest};
use crate::lister::trim_etag;
use crate::multipart::{self, Uploaded};

/// Writes `payload` to `name` (already validated) with `options`: in one request, or
/// in parts above the multipart threshold. The CRC-64 returned is the server's,
/// checked against the one computed here.
pub(crate) async fn write(
    core: &OssCore,
    name: &str,
    payload: Payload,
    options: &PutOptions,
) -> StorageResult<Uploaded> {
    let headers = put_headers(name, options)?;
    if payload.len() > core.settings.multipart_threshold {
        return multipart::upload(core, name, payload, headers).await;
    }
    let (response_headers, local_crc) = put_single(core, name, payload, headers).await?;
    let server_crc = crc_header(&response_headers);
    if let Some(server) = server_crc {
        if server != local_crc {
            let err = mismatch("upload", local_crc, server);
            return Err(error::with_request_id(err, &response_headers));
        }
    }
    let etag = response_headers
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(trim_etag);
    Ok(Uploaded {
        etag,
        crc64: server_crc.unwrap_or(local_crc),
    })
}

/// Upload headers of `name`: content type (the one given, else the one its extension
/// implies), metadata and the serving headers.
fn put_headers(name: &str, options: &PutOptions) -> StorageResult<Vec<(String, String)>> {
    let mut headers = vec![("content-type".to_string(), options.content_type_for(name))];
    for (name, value) in &options.metadata {
        let valid = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid {
            return Err(StorageError::invalid_argument(format!(
                "metadata name {name:?} must be non-empty ASCII letters, digits, '-' or '_'"
            )));
        }
        headers.push((
            format!("x-oss-meta-{}", name.to_ascii_lowercase()),
            value.clone(),
        ));
    }
    if let Some(v) = &options.content_disposition {
        headers.push(("content-disposition".into(), v.clone()));
    }
    if let Some(v) = &options.cache_control {
        headers.push(("cache-control".into(), v.clone()));
    }
    Ok(headers)
}

/// PutObject of a whole payload: the response headers and the CRC-64 of what was
/// sent. A stream that fails, or yields more or fewer bytes than declared, fails the
/// upload with its own error rather than the broken connection it causes.
async fn put_single(
    core: &OssCore,
    name: &str,
    payload: Payload,
    headers: Vec<(String, String)>,
) -> StorageResult<(HeaderMap, u64)> {
    let length = payload.len();
    let mut req = OssRequest::new(Method::PUT, Some(name));
    req.headers = headers;
    match payload {
        Payload::Bytes(bytes) => {
            let crc = crc64::checksum(&bytes);
            let response = core.send(req.body(RequestBody::Bytes(bytes))).await?;
            Ok((response.headers().clone(), crc))
        }
        Payload::Stream { stream, length: _ } => {
            let digest = UploadDigest::default();
            let body = digest.request_body(stream, length);
            req = req
                .header("content-length", length.to_string())
                .body(RequestBody::Stream(body, digest.progress()));
            let result = core.send(req).await;
            if let Some(failure) = digest.take_payload_error() {
                return Err(failure);
            }
            let response = result?;
            if digest.bytes_sent() != length {
                return Err(StorageError::invalid_argument(format!(
                    "the payload stream yielded {} bytes, not its declared {length}",
                    digest.bytes_sent()
                )));
            }
            Ok((response.headers().clone(), digest.crc64()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jit_storage::StorageErrorKind;

    #[test]
    fn metadata_names_are_checked() {
        let ok = PutOptions::default().with_metadata("Author", "x");
        let headers = put_headers("blob", &ok).unwrap();
        assert!(headers.contains(&("x-oss-meta-author".to_string(), "x".to_string())));
        assert!(headers.contains(&(
            "content-type".to_string(),
            jit_storage::DEFAULT_CONTENT_TYPE.to_string()
        )));
        let bad = PutOptions::default().with_metadata("a b", "x");
        assert_eq!(
            put_headers("blob", &bad).unwrap_err().kind(),
            StorageErrorKind::InvalidArgument
        );
    }
}
