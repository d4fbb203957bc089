//! `aws-chunked` bodies, server side: [`ChunkedDecoder`], a pure incremental decoder.
//!
//! Fed the body in pieces of any size, it writes the decoded bytes out, checks each
//! chunk signature against a [`ChunkChain`] (signed bodies), and collects the trailers
//! (`x-amz-checksum-crc64nvme:…`), checking the trailer signature of signed bodies.
//! Decoded bytes are written before the end of their chunk is reached, so before that
//! chunk's signature is known to be good: a server keeps nothing of a body whose
//! decoding failed, and checks the trailer checksum itself.

use sha2::{Digest, Sha256};

use super::chunked::ChunkChain;
use super::request::AMZ_TRAILER_SIGNATURE;
use crate::v4core::EMPTY_SHA256;

/// Longest chunk-size or trailer line accepted, CRLF included.
pub const MAX_LINE: usize = 8 * 1024;
/// Most trailers accepted.
pub const MAX_TRAILERS: usize = 64;

/// Why an `aws-chunked` body was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChunkedError {
    /// The framing is not `aws-chunked` (bad size line, missing CRLF, bad trailer,
    /// bytes after the end…).
    #[error("malformed aws-chunked body: {0}")]
    Malformed(String),
    /// A chunk signature does not match; `string_to_sign` is what the server computed.
    #[error("chunk {chunk} signature does not match")]
    ChunkSignatureMismatch {
        /// The 0-based index of the chunk (the final empty chunk included).
        chunk: u64,
        /// The server's string to sign.
        string_to_sign: String,
    },
    /// The trailer signature is missing or does not match.
    #[error("trailer signature does not match")]
    TrailerSignatureMismatch {
        /// The server's string to sign (empty when the signature was missing).
        string_to_sign: String,
    },
    /// The body ended before its final chunk and closing line.
    #[error("aws-chunked body ended early")]
    Incomplete,
}

impl ChunkedError {
    /// The S3 error code a server answers with.
    pub fn s3_code(&self) -> &'static str {
        match self {
            ChunkedError::Malformed(_) => "InvalidRequest",
            ChunkedError::ChunkSignatureMismatch { .. }
            | ChunkedError::TrailerSignatureMismatch { .. } => "SignatureDoesNotMatch",
            ChunkedError::Incomplete => "IncompleteBody",
        }
    }

    /// The HTTP status a server answers with.
    pub fn http_status(&self) -> u16 {
        match self {
            ChunkedError::ChunkSignatureMismatch { .. }
            | ChunkedError::TrailerSignatureMismatch { .. } => 403,
            _ => 400,
        }
    }
}

fn malformed(msg: impl Into<String>) -> ChunkedError {
    ChunkedError::Malformed(msg.into())
}

#[derive(Debug, Clone)]
enum State {
    SizeLine,
    Data {
        remaining: u64,
        signature: Option<String>,
        hasher: Sha256,
    },
    DataEnd {
        seen: u8,
    },
    Trailers,
    Done,
    Failed(ChunkedError),
}

/// An incremental `aws-chunked` decoder (see the module docs).
#[derive(Debug, Clone)]
pub struct ChunkedDecoder {
    chain: Option<ChunkChain>,
    signed_trailer: bool,
    state: State,
    line: Vec<u8>,
    chunks: u64,
    decoded: u64,
    trailers: Vec<(String, String)>,
    trailer_signature: Option<String>,
}

impl ChunkedDecoder {
    /// A body with unsigned chunks (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`); chunk
    /// signatures, if any, are ignored.
    pub fn unsigned() -> Self {
        Self::with(None, false)
    }

    /// A body with signed chunks chained from `chain` (the request's seed); with
    /// `signed_trailer` (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`) its trailers
    /// must carry a good `x-amz-trailer-signature`, without it there must be none.
    pub fn signed(chain: ChunkChain, signed_trailer: bool) -> Self {
        Self::with(Some(chain), signed_trailer)
    }

    fn with(chain: Option<ChunkChain>, signed_trailer: bool) -> Self {
        ChunkedDecoder {
            chain,
            signed_trailer,
            state: State::SizeLine,
            line: Vec::new(),
            chunks: 0,
            decoded: 0,
            trailers: Vec::new(),
            trailer_signature: None,
        }
    }

    /// Decoded bytes so far (compare with `x-amz-decoded-content-length`).
    pub fn decoded_len(&self) -> u64 {
        self.decoded
    }

    /// Whether the closing line has been read.
    pub fn is_done(&self) -> bool {
        matches!(self.state, State::Done)
    }

    /// The trailers read so far (names lower-cased, values trimmed), without
    /// `x-amz-trailer-signature`.
    pub fn trailers(&self) -> &[(String, String)] {
        &self.trailers
    }

    /// The value of the trailer `name` (case-insensitive).
    pub fn trailer(&self, name: &str) -> Option<&str> {
        self.trailers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Decodes the next piece of the body, appending the payload bytes to `out`. Once
    /// an error is returned every later call returns it again.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), ChunkedError> {
        if let State::Failed(e) = &self.state {
            return Err(e.clone());
        }
        match self.feed_inner(input, out) {
            Ok(()) => Ok(()),
            Err(e) => {
                self.state = State::Failed(e.clone());
                Err(e)
            }
        }
    }

    /// Ends the body: its trailers if it was complete, else [`ChunkedError::Incomplete`]
    /// (or the error met earlier).
    pub fn finish(self) -> Result<Vec<(String, String)>, ChunkedError> {
        match self.state {
            State::Done => Ok(self.trailers),
            State::Failed(e) => Err(e),
            _ => Err(ChunkedError::Incomplete),
        }
    }

    fn feed_inner(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), ChunkedError> {
        let mut rest = input;
        while !rest.is_empty() {
            match &mut self.state {
                State::SizeLine | State::Trailers => {
                    let Some(line_len) = self.take_line(&mut rest)? else {
                        break;
                    };
                    let line = std::mem::take(&mut self.line);
                    let line = &line[..line_len];
                    if matches!(self.state, State::SizeLine) {
                        self.size_line(line)?;
                    } else {
                        self.trailer_line(line)?;
                    }
                }
                State::Data {
                    remaining, hasher, ..
                } => {
                    let n = usize::try_from(*remaining)
                        .unwrap_or(usize::MAX)
                        .min(rest.len());
                    let (data, tail) = rest.split_at(n);
                    hasher.update(data);
                    out.extend_from_slice(data);
                    *remaining -= n as u64;
                    self.decoded += n as u64;
                    rest = tail;
                    if *remaining == 0 {
                        self.end_of_data()?;
                    }
                }
                State::DataEnd { seen } => {
                    let want = if *seen == 0 { b'\r' } else { b'\n' };
                    if rest[0] != want {
                        return Err(malformed("chunk data is not followed by CRLF"));
                    }
                    rest = &rest[1..];
                    if *seen == 0 {
                        *seen = 1;
                    } else {
                        self.state = State::SizeLine;
                    }
                }
                State::Done => return Err(malformed("bytes after the end of the body")),
                State::Failed(e) => return Err(e.clone()),
            }
        }
        Ok(())
    }

    /// Moves bytes up to a LF into `self.line`; `Some(len without CRLF)` once complete.
    fn take_line(&mut self, rest: &mut &[u8]) -> Result<Option<usize>, ChunkedError> {
        let (piece, complete) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => (&rest[..=i], true),
            None => (*rest, false),
        };
        if self.line.len() + piece.len() > MAX_LINE {
            return Err(malformed("line too long"));
        }
        self.line.extend_from_slice(piece);
        *rest = &rest[piece.len()..];
        if !complete {
            return Ok(None);
        }
        if !self.line.ends_with(b"\r\n") {
            return Err(malformed("line does not end with CRLF"));
        }
        Ok(Some(self.line.len() - 2))
    }

    fn size_line(&mut self, line: &[u8]) -> Result<(), ChunkedError> {
        let line = std::str::from_utf8(line).map_err(|_| malformed("size line is not text"))?;
        let mut parts = line.split(';');
        let size_hex = parts.next().unwrap_or("");
        if size_hex.is_empty()
            || size_hex.len() > 16
            || !size_hex.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(malformed("chunk size is not hex"));
        }
        let size = u64::from_str_radix(size_hex, 16).map_err(|_| malformed("chunk size"))?;
        let mut signature = None;
        for ext in parts {
            if let Some(sig) = ext.strip_prefix("chunk-signature=") {
                signature = Some(sig.to_owned());
            }
        }
        if self.chain.is_some() && signature.is_none() {
            return Err(malformed("chunk without chunk-signature in a signed body"));
        }
        if size == 0 {
            self.check_chunk(EMPTY_SHA256, signature.as_deref())?;
            self.state = State::Trailers;
        } else {
            self.state = State::Data {
                remaining: size,
                signature,
                hasher: Sha256::new(),
            };
        }
        Ok(())
    }

    fn end_of_data(&mut self) -> Result<(), ChunkedError> {
        let state = std::mem::replace(&mut self.state, State::DataEnd { seen: 0 });
        if let State::Data {
            signature, hasher, ..
        } = state
        {
            let hash = hex::encode(hasher.finalize());
            self.check_chunk(&hash, signature.as_deref())?;
        }
        Ok(())
    }

    fn check_chunk(&mut self, hash: &str, signature: Option<&str>) -> Result<(), ChunkedError> {
        let index = self.chunks;
        self.chunks += 1;
        if let (Some(chain), Some(sig)) = (&mut self.chain, signature) {
            chain
                .verify_chunk_hash(hash, sig)
                .map_err(|string_to_sign| ChunkedError::ChunkSignatureMismatch {
                    chunk: index,
                    string_to_sign,
                })?;
        }
        Ok(())
    }

    fn trailer_line(&mut self, line: &[u8]) -> Result<(), ChunkedError> {
        if line.is_empty() {
            return self.end_of_trailers();
        }
        let line = std::str::from_utf8(line).map_err(|_| malformed("trailer is not text"))?;
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| malformed("trailer is not name:value"))?;
        let name = name.trim().to_ascii_lowercase();
        if !crate::sign::is_header_name(&name) {
            return Err(malformed("trailer name is not a header name"));
        }
        if self.trailer_signature.is_some() {
            return Err(malformed("trailer after x-amz-trailer-signature"));
        }
        if name == AMZ_TRAILER_SIGNATURE {
            self.trailer_signature = Some(value.trim().to_owned());
            return Ok(());
        }
        if self.trailers.len() >= MAX_TRAILERS {
            return Err(malformed("too many trailers"));
        }
        self.trailers.push((name, value.trim().to_owned()));
        Ok(())
    }

    fn end_of_trailers(&mut self) -> Result<(), ChunkedError> {
        if let Some(chain) = &mut self.chain {
            let pairs: Vec<(&str, &str)> = self
                .trailers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            match (&self.trailer_signature, self.signed_trailer) {
                (Some(sig), true) => {
                    chain
                        .verify_trailers(&pairs, sig)
                        .map_err(|string_to_sign| ChunkedError::TrailerSignatureMismatch {
                            string_to_sign,
                        })?;
                }
                (None, true) => {
                    return Err(ChunkedError::TrailerSignatureMismatch {
                        string_to_sign: String::new(),
                    })
                }
                (_, false) if !pairs.is_empty() || self.trailer_signature.is_some() => {
                    return Err(malformed("trailers in a body signed without trailer"))
                }
                (_, false) => {}
            }
        }
        self.state = State::Done;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::s3::chunked::ChunkedEncoder;
    use crate::v4core::AWS4;

    fn chain() -> ChunkChain {
        ChunkChain::new(
            AWS4.signing_key("s", "20130524", "us-east-1", "s3"),
            "20130524T000000Z",
            "20130524/us-east-1/s3/aws4_request",
            "1".repeat(64),
        )
    }

    type Decoded = (Vec<u8>, Vec<(String, String)>);

    fn decode_in_pieces(
        mut dec: ChunkedDecoder,
        body: &[u8],
        piece: usize,
    ) -> Result<Decoded, ChunkedError> {
        let mut out = Vec::new();
        for p in body.chunks(piece.max(1)) {
            dec.feed(p, &mut out)?;
        }
        Ok((out, dec.finish()?))
    }

    #[test]
    fn round_trips_in_any_piece_size() {
        let data: Vec<u8> = (0..20_000u32).map(|i| (i % 251) as u8).collect();
        let trailer = [("x-amz-checksum-crc64nvme", "AAAAAAAAAAA=")];
        for (signed, with_trailer) in [(false, true), (true, false), (true, true)] {
            let trailers: &[(&str, &str)] = if with_trailer { &trailer } else { &[] };
            let mut enc = if signed {
                ChunkedEncoder::signed(chain())
            } else {
                ChunkedEncoder::unsigned()
            };
            let mut body = Vec::new();
            for c in data.chunks(8192) {
                enc.encode_chunk(c, &mut body);
            }
            enc.finish(trailers, &mut body);
            for piece in [1, 2, 7, 100, 8192, body.len()] {
                let dec = if signed {
                    ChunkedDecoder::signed(chain(), with_trailer)
                } else {
                    ChunkedDecoder::unsigned()
                };
                let (out, got) = decode_in_pieces(dec, &body, piece).unwrap();
                assert_eq!(out, data);
                let want: Vec<(String, String)> = trailers
                    .iter()
                    .map(|(n, v)| (n.to_string(), v.to_string()))
                    .collect();
                assert_eq!(got, want);
            }
        }
    }

    #[test]
    fn refuses_bad_bodies() {
        let bad: &[&[u8]] = &[
            b"x\r\n",
            b"\r\n",
            b"11111111111111111\r\n",
            b"3\r\nabcX\r\n",
            b"3\nabc\r\n0\r\n\r\n",
            b"0\r\nno-colon\r\n\r\n",
            b"0\r\n\r\nextra",
            b"0\r\nbad name:x\r\n\r\n",
        ];
        for body in bad {
            let mut dec = ChunkedDecoder::unsigned();
            let err = dec.feed(body, &mut Vec::new()).unwrap_err();
            assert!(matches!(err, ChunkedError::Malformed(_)), "{body:?}: {err}");
            assert_eq!(dec.feed(b"", &mut Vec::new()), Err(err));
        }
        let mut dec = ChunkedDecoder::unsigned();
        dec.feed(b"3\r\nab", &mut Vec::new()).unwrap();
        assert_eq!(dec.finish(), Err(ChunkedError::Incomplete));
        let long = vec![b'1'; MAX_LINE + 1];
        assert!(ChunkedDecoder::unsigned()
            .feed(&long, &mut Vec::new())
            .is_err());
    }

    #[test]
    fn signed_bodies_are_checked() {
        let mut enc = ChunkedEncoder::signed(chain());
        let mut body = Vec::new();
        enc.encode_chunk(b"hello", &mut body);
        enc.finish(&[], &mut body);
        // A changed data byte, a missing signature, trailers where none are signed.
        let mut changed = body.clone();
        let at = changed.windows(5).position(|w| w == b"hello").unwrap();
        changed[at] = b'j';
        let err = decode_in_pieces(ChunkedDecoder::signed(chain(), false), &changed, 3);
        assert!(matches!(
            err,
            Err(ChunkedError::ChunkSignatureMismatch { chunk: 0, .. })
        ));
        assert_eq!(err.unwrap_err().http_status(), 403);
        let unsigned_framing = b"5\r\nhello\r\n0\r\n\r\n";
        assert!(matches!(
            decode_in_pieces(ChunkedDecoder::signed(chain(), false), unsigned_framing, 99),
            Err(ChunkedError::Malformed(_))
        ));
        let mut enc = ChunkedEncoder::signed(chain());
        let mut with_trailer = Vec::new();
        enc.finish(&[("x-amz-checksum-crc32", "AAAAAA==")], &mut with_trailer);
        assert!(
            decode_in_pieces(ChunkedDecoder::signed(chain(), false), &with_trailer, 99).is_err()
        );
        assert!(decode_in_pieces(ChunkedDecoder::signed(chain(), true), &with_trailer, 99).is_ok());
        // A signed-trailer body must carry the trailer signature.
        let mut enc = ChunkedEncoder::signed(chain());
        let mut no_sig = Vec::new();
        enc.finish(&[], &mut no_sig);
        assert!(matches!(
            decode_in_pieces(ChunkedDecoder::signed(chain(), true), &no_sig, 99),
            Err(ChunkedError::TrailerSignatureMismatch { .. })
        ));
    }
}
