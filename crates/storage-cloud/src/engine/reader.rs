//! Reading objects (GetObject). A range's answer is checked: a 206 must carry the
//! Content-Range asked for, a server that ignored the range is cut down to it. The body
//! is checked as it streams: its length always (Content-Length or the range), its
//! checksum (the dialect's CRC-64) when the whole object is read and the server gave
//! one (asked for with the dialect's headers; without one the length is the check, said
//! in a debug log).
//!
//! A body that breaks off mid-stream (a reset, an idle timeout) is resumed: the rest is
//! asked for with a Range from the first byte not received and `If-Match` on the ETag,
//! under the element's retry policy (`maxRetries` resumptions per read at most, and
//! none after `retryDeadlineSeconds` from the start of the read), and the resumed answer
//! must describe the same object (size, ETag, checksum) — else the read fails with
//! Conflict — so the check at the end covers every byte, first answer and resumed ones
//! alike.

use std::ops::Range;
use std::sync::Arc;

use futures::{StreamExt, TryStreamExt};
use jit_storage::retry::{is_retryable, Attempts};
use jit_storage::{
    ByteStream, GetOptions, GetResult, RemoteError, StorageError, StorageErrorKind, StorageResult,
};
use reqwest::header::HeaderMap;
use reqwest::Method;

use crate::engine::core::{Core, Request};
use crate::engine::error;
use crate::engine::head::{content_length, describe, head, header_str};
use crate::engine::integrity::{slice_stream, verify_download_confirming, ConfirmCrc};

/// `bytes 100-1999/10000` → (100..2000, 10000); `None` unless well-formed, first ≤
/// last < total.
pub(crate) fn content_range(headers: &HeaderMap) -> Option<(Range<u64>, u64)> {
    parse_content_range(header_str(headers, "content-range")?)
}

fn parse_content_range(value: &str) -> Option<(Range<u64>, u64)> {
    let rest = value.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (first, last) = range.split_once('-')?;
    let first: u64 = first.trim().parse().ok()?;
    let last: u64 = last.trim().parse().ok()?;
    let total: u64 = total.trim().parse().ok()?;
    let end = last.checked_add(1)?;
    (first <= last && end <= total).then_some((first..end, total))
}

/// What a resumed answer must agree with: it is the same object.
#[derive(Clone)]
pub(crate) struct Identity {
    /// The object's size.
    pub total: u64,
    /// Its ETag, unquoted (sent as `If-Match` by every later request of the read).
    pub etag: Option<String>,
    /// Its checksum, as the first answer announced it.
    pub checksum: Option<u64>,
}

/// When a whole read's bytes do not have the CRC-64 its answer announced, one of the two
/// is wrong. A HEAD (under the retry policy) settles which: if the stored object, still
/// the one read (same size and ETag), has the CRC of the bytes received, the announced
/// header was wrong and the read succeeds; otherwise the bytes were corrupted and the
/// read fails with IntegrityMismatch.
pub(crate) fn confirm_stored_crc(core: Arc<Core>, name: &str, read: Identity) -> ConfirmCrc {
    let name = name.to_string();
    Box::new(move |got| {
        Box::pin(async move {
            match head(&core, &name).await {
                Ok(stored) => {
                    stored.checksum == Some(got)
                        && stored.info.size == read.total
                        && stored.info.etag == read.etag
                }
                Err(_) => false,
            }
        })
    })
}

/// GetObject of `name` with `options`.
pub(crate) async fn get(
    core: &Arc<Core>,
    name: &str,
    options: GetOptions,
) -> StorageResult<GetResult> {
    let asked = options.range;
    let mut req = Request::new(Method::GET, Some(name)).checksum_headers(core.checksum().ask);
    if let Some(range) = &asked {
        if range.end <= range.start {
            return empty_read(core, name, range.start).await;
        }
        req = req.header("range", format!("bytes={}-{}", range.start, range.end - 1));
    }
    let response = match core.send(req).await {
        Err(e) if e.remote().and_then(|r| r.status) == Some(416) => {
            // The range starts at or beyond the end: nothing to return.
            let start = asked.as_ref().map_or(0, |r| r.start);
            return empty_read(core, name, start).await;
        }
        other => other?,
    };
    read_answer(core, name, asked, response)
}

/// The read of `name` that `response` (a successful answer to a GET asking for `asked`,
/// or for the whole object when `None`) begins: its Content-Range checked against the
/// range asked for, its body resumed when it breaks off and checked as it streams.
pub(crate) fn read_answer(
    core: &Arc<Core>,
    name: &str,
    asked: Option<Range<u64>>,
    response: reqwest::Response,
) -> StorageResult<GetResult> {
    let headers = response.headers().clone();
    let partial = response.status().as_u16() == 206;
    let first = core.transport.body_stream(response);
    let words = core.words();
    let request_id = error::request_id(words, &headers);
    let malformed = |message: String| error::malformed_response(words, message, Some(&headers));

    let (described, carried) = if partial {
        let asked = asked
            .as_ref()
            .ok_or_else(|| malformed("206 answer to a read of the whole object".into()))?;
        let value = header_str(&headers, "content-range").unwrap_or("");
        let (range, total) = content_range(&headers)
            .ok_or_else(|| malformed(format!("206 without a valid Content-Range ({value:?})")))?;
        if range.start != asked.start || range.end != asked.end.min(total) {
            return Err(malformed(format!(
                "Content-Range {value:?} does not match the range asked for (bytes {}-{})",
                asked.start,
                asked.end - 1
            )));
        }
        let length = range.end - range.start;
        if content_length(&headers).is_some_and(|l| l != length) {
            return Err(malformed(format!(
                "Content-Length does not match Content-Range {value:?}"
            )));
        }
        (describe(core, name, &headers, total), range)
    } else {
        let size = content_length(&headers)
            .ok_or_else(|| malformed("GET without Content-Length".into()))?;
        (describe(core, name, &headers, size), 0..size)
    };
    let info = described.info;
    let identity = Identity {
        total: info.size,
        etag: info.etag.clone(),
        checksum: described.checksum,
    };
    let length = carried.end - carried.start;
    let whole = carried.start == 0 && carried.end == info.size;
    let body = resuming(core.clone(), name, first, carried, identity.clone());
    let expected_crc = if whole { described.checksum } else { None };
    if whole && expected_crc.is_none() {
        tracing::debug!(
            key = name,
            header = core.checksum().header,
            "the answer carries no checksum: the read is checked by its length only"
        );
    }
    let confirm = confirm_stored_crc(core.clone(), name, identity);
    let hasher = core.checksum().hasher();
    let checked = with_request_id(
        verify_download_confirming(body, hasher, expected_crc, length, Some(confirm)),
        request_id,
    );
    let (range, stream) = match asked {
        None => (None, checked),
        Some(range) if partial => (Some(range.start..range.end.min(info.size)), checked),
        // The server ignored the range and sent everything: cut it here.
        Some(range) => {
            let end = range.end.min(info.size);
            let start = range.start.min(end);
            (Some(start..end), slice_stream(checked, start, end))
        }
    };
    Ok(GetResult {
        info,
        range,
        stream,
    })
}

/// HEAD of a key, for an empty range read.
async fn empty_read(core: &Core, name: &str, start: u64) -> StorageResult<GetResult> {
    let info = head(core, name).await?.info;
    let at = start.min(info.size);
    Ok(GetResult {
        info,
        range: Some(at..at),
        stream: Box::pin(futures::stream::empty()),
    })
}

/// Integrity errors of `stream` carry the request id of the answer it came from.
fn with_request_id(stream: ByteStream, request_id: Option<String>) -> ByteStream {
    Box::pin(stream.map_err(move |e| match &request_id {
        Some(id) if e.kind() == StorageErrorKind::IntegrityMismatch => e.with_remote(RemoteError {
            request_id: Some(id.clone()),
            ..RemoteError::default()
        }),
        _ => e,
    }))
}

/// The state of a body being read and resumed.
struct Resuming {
    core: Arc<Core>,
    key: String,
    body: ByteStream,
    /// The next byte expected (absolute offset in the object).
    next: u64,
    /// One past the last byte this read carries.
    end: u64,
    identity: Identity,
    attempts: Attempts,
}

/// The bytes `carried` of `key`, starting with `first` and resumed after breaks.
pub(crate) fn resuming(
    core: Arc<Core>,
    key: &str,
    first: ByteStream,
    carried: Range<u64>,
    identity: Identity,
) -> ByteStream {
    let attempts = core.settings.retry.start();
    let state = Resuming {
        core,
        key: key.to_string(),
        body: first,
        next: carried.start,
        end: carried.end,
        identity,
        attempts,
    };
    Box::pin(futures::stream::unfold(Some(state), |state| async move {
        let mut st = state?;
        loop {
            match st.body.next().await {
                None => return None,
                Some(Ok(chunk)) => {
                    st.next = st.next.saturating_add(chunk.len() as u64);
                    return Some((Ok(chunk), Some(st)));
                }
                Some(Err(err)) => {
                    if !is_retryable(&err) {
                        return Some((Err(err), None));
                    }
                    if st.next >= st.end {
                        // Every byte arrived before the connection failed: the checks
                        // at the end decide.
                        return None;
                    }
                    if let Err(err) = st.attempts.wait_or_give_up(err).await {
                        return Some((Err(err), None));
                    }
                    tracing::debug!(key = st.key, from = st.next, "resuming a broken read");
                    let (next, end) = (st.next, st.end);
                    match reopen(&st.core, &st.key, next..end, &st.identity).await {
                        Ok(body) => st.body = body,
                        Err(err) => return Some((Err(err), None)),
                    }
                }
            }
        }
    }))
}

/// Bytes `rest` of the object `identity` describes (the rest of a broken read, or a
/// range of a read in parallel ranges): asked for with `If-Match` on its ETag, and
/// the answer checked to be that range of that object (else Conflict).
pub(crate) async fn reopen(
    core: &Core,
    key: &str,
    rest: Range<u64>,
    identity: &Identity,
) -> StorageResult<ByteStream> {
    let mut req = Request::new(Method::GET, Some(key))
        .header("range", format!("bytes={}-{}", rest.start, rest.end - 1))
        .checksum_headers(core.checksum().ask);
    if let Some(etag) = &identity.etag {
        req = req.header("if-match", format!("\"{etag}\""));
    }
    let response = core.send(req).await.map_err(|e| {
        if e.kind() == StorageErrorKind::Conflict {
            StorageError::new(
                StorageErrorKind::Conflict,
                "the object changed while it was being read",
            )
            .with_source(e)
        } else {
            e
        }
    })?;
    let headers = response.headers();
    let words = core.words();
    let changed = |what: &str| {
        error::with_request_id(
            words,
            StorageError::new(
                StorageErrorKind::Conflict,
                format!("the object changed while it was being read ({what} differs)"),
            ),
            headers,
        )
    };
    if response.status().as_u16() != 206 {
        return Err(error::malformed_response(
            words,
            "a resumed read was not answered with the range asked for",
            Some(headers),
        ));
    }
    let (range, total) = content_range(headers).ok_or_else(|| {
        error::malformed_response(words, "206 without a valid Content-Range", Some(headers))
    })?;
    if total != identity.total {
        return Err(changed("size"));
    }
    if range != rest {
        return Err(error::malformed_response(
            words,
            format!(
                "Content-Range bytes {}-{} does not match the range asked for (bytes {}-{})",
                range.start,
                range.end - 1,
                rest.start,
                rest.end - 1
            ),
            Some(headers),
        ));
    }
    let etag = describe(core, key, headers, total).info.etag;
    if identity.etag.is_some() && etag != identity.etag {
        return Err(changed("ETag"));
    }
    // With an ETag (and If-Match) the object is identified; a CRC header is compared
    // only without one, since a CRC header can itself arrive wrong while the bytes are
    // right (the CRC of the bytes is checked at the end either way).
    if identity.etag.is_none() {
        if let (Some(was), Some(now)) = (identity.checksum, core.checksum().read(headers)) {
            if was != now {
                return Err(changed("CRC-64"));
            }
        }
    }
    Ok(core.transport.body_stream(response))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ranges_are_checked() {
        assert_eq!(
            parse_content_range("bytes 100-1999/10000"),
            Some((100..2000, 10000))
        );
        assert_eq!(parse_content_range("bytes 0-0/1"), Some((0..1, 1)));
        for bad in [
            "bytes */10000",
            "bytes 5-4/10",
            "bytes 0-10/10",
            "bytes 0-18446744073709551615/18446744073709551615",
            "bytes 0-1/x",
            "items 0-1/2",
            "bytes -1-2/3",
        ] {
            assert_eq!(parse_content_range(bad), None, "{bad}");
        }
    }
}
