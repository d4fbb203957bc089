//! Reading an object on GET/HEAD, as both protocols do it: the `Range` header
//! ([`parse_range`]), the conditional headers ([`check_conditions`]), opening the
//! bytes of an object that may be replaced meanwhile ([`open_current`]), the
//! `response-*` overrides ([`RESPONSE_OVERRIDES`]) and the length or partial-content
//! headers ([`length_headers`]).

use axum::http::{HeaderMap, StatusCode};

use super::request::header_text;
use super::response::put_header;
use crate::store::blob::ByteStream;
use crate::store::error::StoreError;
use crate::store::metadata::ObjectMeta;
use crate::store::object_store::Store;

/// A parsed `Range` header against an object of `size` bytes.
#[derive(Debug, PartialEq, Eq)]
pub enum RangeAnswer {
    /// No usable range: send everything (malformed and multiple ranges are ignored).
    Whole,
    /// Send the inclusive range.
    Part(u64, u64),
    /// 416 InvalidRange.
    Unsatisfiable,
}

/// Interprets a `Range` header as OSS and S3 do.
pub fn parse_range(header: Option<&str>, size: u64) -> RangeAnswer {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return RangeAnswer::Whole;
    };
    if spec.contains(',') {
        return RangeAnswer::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return RangeAnswer::Whole;
    };
    let (first, last) = (first.trim(), last.trim());
    if first.is_empty() {
        // Suffix range: the last N bytes.
        return match last.parse::<u64>() {
            Ok(0) => RangeAnswer::Unsatisfiable,
            Ok(_) if size == 0 => RangeAnswer::Unsatisfiable,
            Ok(n) => RangeAnswer::Part(size.saturating_sub(n), size - 1),
            Err(_) => RangeAnswer::Whole,
        };
    }
    let Ok(first) = first.parse::<u64>() else {
        return RangeAnswer::Whole;
    };
    let last = if last.is_empty() {
        None
    } else {
        match last.parse::<u64>() {
            Ok(n) if n >= first => Some(n),
            _ => return RangeAnswer::Whole,
        }
    };
    if first >= size {
        return RangeAnswer::Unsatisfiable;
    }
    RangeAnswer::Part(first, last.map_or(size - 1, |l| l.min(size - 1)))
}

/// What the conditional headers decide.
#[derive(Debug, PartialEq, Eq)]
pub enum Condition {
    /// Go ahead.
    Go,
    /// 304 Not Modified.
    NotModified,
    /// 412 PreconditionFailed; the header that failed.
    Failed(&'static str),
}

/// Whether one ETag of a comma-separated `If-Match` / `If-None-Match` list (or `*`)
/// matches `etag`.
pub fn etag_matches(list: &str, etag: &str) -> bool {
    list.split(',')
        .map(|t| t.trim().trim_start_matches("W/").trim_matches('"'))
        .any(|t| t == "*" || t.eq_ignore_ascii_case(etag))
}

/// Checks If-Match / If-Unmodified-Since, then If-None-Match / If-Modified-Since.
pub fn check_conditions(headers: &HeaderMap, meta: &ObjectMeta) -> Condition {
    let date = |name: &str| {
        header_text(headers, name)
            .and_then(|v| httpdate::parse_http_date(v).ok())
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_secs())
    };
    if let Some(list) = header_text(headers, "if-match") {
        if !etag_matches(list, &meta.etag) {
            return Condition::Failed("If-Match");
        }
    } else if let Some(since) = date("if-unmodified-since") {
        if meta.last_modified > since {
            return Condition::Failed("If-Unmodified-Since");
        }
    }
    let not_modified = if let Some(list) = header_text(headers, "if-none-match") {
        etag_matches(list, &meta.etag)
    } else if let Some(since) = date("if-modified-since") {
        meta.last_modified <= since
    } else {
        false
    };
    if not_modified {
        Condition::NotModified
    } else {
        Condition::Go
    }
}

/// Why [`open_current`] could not open an object's bytes.
#[derive(Debug)]
pub enum OpenError {
    /// The store's error.
    Store(StoreError),
    /// The object was replaced by one of another size while a range was asked.
    Changed,
    /// The object was replaced again and again.
    KeptChanging,
}

impl From<StoreError> for OpenError {
    fn from(err: StoreError) -> Self {
        OpenError::Store(err)
    }
}

/// Opens an object's bytes, re-reading its metadata if it was replaced meanwhile.
pub async fn open_current(
    store: &Store,
    bucket: &str,
    key: &str,
    mut meta: ObjectMeta,
    range: Option<(u64, u64)>,
) -> Result<(ObjectMeta, ByteStream), OpenError> {
    for _ in 0..3 {
        match store.open_blob(bucket, &meta.blob, range).await {
            Ok(stream) => return Ok((meta, stream)),
            Err(err) => {
                let fresh = store.head(bucket, key)?;
                if fresh.blob == meta.blob {
                    return Err(err.into());
                }
                if range.is_some() && fresh.size != meta.size {
                    return Err(OpenError::Changed);
                }
                meta = fresh;
            }
        }
    }
    Err(OpenError::KeptChanging)
}

/// The query parameters that override a GET's response headers, and the headers.
pub const RESPONSE_OVERRIDES: [(&str, &str); 6] = [
    ("response-content-type", "content-type"),
    ("response-content-language", "content-language"),
    ("response-expires", "expires"),
    ("response-cache-control", "cache-control"),
    ("response-content-disposition", "content-disposition"),
    ("response-content-encoding", "content-encoding"),
];

/// Content-Length (and Content-Range for a part) of an answer sending `range` of an
/// object of `size` bytes; returns its status, 206 or 200.
pub fn length_headers(headers: &mut HeaderMap, range: Option<(u64, u64)>, size: u64) -> StatusCode {
    match range {
        Some((first, last)) => {
            put_header(headers, "content-length", &(last - first + 1).to_string());
            put_header(
                headers,
                "content-range",
                &format!("bytes {first}-{last}/{size}"),
            );
            StatusCode::PARTIAL_CONTENT
        }
        None => {
            put_header(headers, "content-length", &size.to_string());
            StatusCode::OK
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_follow_oss_and_s3_rules() {
        assert_eq!(parse_range(None, 10), RangeAnswer::Whole);
        assert_eq!(parse_range(Some("bytes=0-4"), 10), RangeAnswer::Part(0, 4));
        assert_eq!(parse_range(Some("bytes=5-"), 10), RangeAnswer::Part(5, 9));
        assert_eq!(parse_range(Some("bytes=-3"), 10), RangeAnswer::Part(7, 9));
        assert_eq!(parse_range(Some("bytes=-30"), 10), RangeAnswer::Part(0, 9));
        assert_eq!(
            parse_range(Some("bytes=8-100"), 10),
            RangeAnswer::Part(8, 9)
        );
        assert_eq!(
            parse_range(Some("bytes=10-20"), 10),
            RangeAnswer::Unsatisfiable
        );
        assert_eq!(
            parse_range(Some("bytes=0-0"), 0),
            RangeAnswer::Unsatisfiable
        );
        assert_eq!(parse_range(Some("bytes=5-2"), 10), RangeAnswer::Whole);
        assert_eq!(parse_range(Some("bytes=0-1,3-4"), 10), RangeAnswer::Whole);
        assert_eq!(parse_range(Some("items=0-1"), 10), RangeAnswer::Whole);
    }
}
