//! `aws-chunked` bodies, client side: the chunk-signature chain of
//! `STREAMING-AWS4-HMAC-SHA256-PAYLOAD(-TRAILER)` ([`ChunkChain`], also what a server
//! verifies with) and an encoder ([`ChunkedEncoder`], [`encoded_length`]).
//!
//! Wire format, one chunk: `hex-size[;chunk-signature=<sig>]\r\n<bytes>\r\n`; the body
//! ends with a zero-size chunk, then the trailers `name:value\r\n` (signed bodies add
//! `x-amz-trailer-signature:<sig>\r\n`) and an empty line. Each chunk signature signs
//! `AWS4-HMAC-SHA256-PAYLOAD\n<datetime>\n<scope>\n<previous signature>\n<sha256("")>\n<sha256(chunk)>`,
//! the first chained from the request's own (seed) signature; the trailer signature
//! signs `AWS4-HMAC-SHA256-TRAILER\n<datetime>\n<scope>\n<previous>\n<sha256(trailers)>`
//! with the trailers in canonical-header form.

use super::request::AMZ_TRAILER_SIGNATURE;
use crate::v4core::{sha256_hex, SigningKey, AWS4, EMPTY_SHA256};

/// First line of a chunk's string to sign.
pub const CHUNK_ALGORITHM: &str = "AWS4-HMAC-SHA256-PAYLOAD";
/// First line of the trailer's string to sign.
pub const TRAILER_ALGORITHM: &str = "AWS4-HMAC-SHA256-TRAILER";

/// The trailers in the form their signature covers: lower-case names, sorted, values
/// trimmed, each `name:value\n`.
pub fn canonical_trailers(trailers: &[(&str, &str)]) -> String {
    AWS4.canonical_headers(trailers, |_| true)
}

/// The chain of signatures of one signed `aws-chunked` body: each signature is
/// chained from the previous one, starting from the request's seed signature.
/// `Debug` never shows the key.
#[derive(Debug, Clone)]
pub struct ChunkChain {
    key: SigningKey,
    datetime: String,
    scope: String,
    previous: String,
}

impl ChunkChain {
    /// A chain from the request's signing key, time (`yyyymmddThhmmssZ`), credential
    /// scope and signature (the seed).
    pub fn new(
        key: SigningKey,
        datetime: impl Into<String>,
        scope: impl Into<String>,
        seed_signature: impl Into<String>,
    ) -> Self {
        ChunkChain {
            key,
            datetime: datetime.into(),
            scope: scope.into(),
            previous: seed_signature.into(),
        }
    }

    /// The last signature of the chain (the seed before any chunk).
    pub fn previous(&self) -> &str {
        &self.previous
    }

    /// The string to sign of the next chunk, given the hex SHA-256 of its bytes.
    pub fn chunk_string_to_sign(&self, chunk_sha256_hex: &str) -> String {
        format!(
            "{CHUNK_ALGORITHM}\n{}\n{}\n{}\n{EMPTY_SHA256}\n{chunk_sha256_hex}",
            self.datetime, self.scope, self.previous
        )
    }

    /// The string to sign of the trailer, given the trailers in canonical form (see
    /// [`canonical_trailers`]).
    pub fn trailer_string_to_sign(&self, canonical_trailers: &str) -> String {
        format!(
            "{TRAILER_ALGORITHM}\n{}\n{}\n{}\n{}",
            self.datetime,
            self.scope,
            self.previous,
            sha256_hex(canonical_trailers.as_bytes())
        )
    }

    /// Signs the next chunk (the empty one ends the body) and advances the chain.
    pub fn sign_chunk(&mut self, data: &[u8]) -> String {
        self.sign_chunk_hash(&sha256_hex(data))
    }

    /// [`ChunkChain::sign_chunk`] from the chunk's hex SHA-256, for callers that hash
    /// while streaming.
    pub fn sign_chunk_hash(&mut self, chunk_sha256_hex: &str) -> String {
        let sig = self.key.sign(&self.chunk_string_to_sign(chunk_sha256_hex));
        self.previous.clone_from(&sig);
        sig
    }

    /// Signs the trailers (after the empty chunk) and advances the chain.
    pub fn sign_trailers(&mut self, trailers: &[(&str, &str)]) -> String {
        let sig = self
            .key
            .sign(&self.trailer_string_to_sign(&canonical_trailers(trailers)));
        self.previous.clone_from(&sig);
        sig
    }

    /// Checks the signature of the next chunk (constant time) and advances the chain if
    /// it matches; on a mismatch returns the string to sign the server computed.
    pub fn verify_chunk_hash(
        &mut self,
        chunk_sha256_hex: &str,
        provided: &str,
    ) -> Result<(), String> {
        let sts = self.chunk_string_to_sign(chunk_sha256_hex);
        self.check(sts, provided)
    }

    /// Checks the trailer signature and advances the chain if it matches; on a
    /// mismatch returns the string to sign the server computed.
    pub fn verify_trailers(
        &mut self,
        trailers: &[(&str, &str)],
        provided: &str,
    ) -> Result<(), String> {
        let sts = self.trailer_string_to_sign(&canonical_trailers(trailers));
        self.check(sts, provided)
    }

    fn check(&mut self, sts: String, provided: &str) -> Result<(), String> {
        if self.key.matches(&sts, provided) {
            self.previous = provided.to_owned();
            Ok(())
        } else {
            Err(sts)
        }
    }
}

/// Writes an `aws-chunked` body chunk by chunk, signed (with a [`ChunkChain`]) or not.
///
/// S3 wants every chunk but the last to be at least 8 KiB; the encoder writes what it
/// is given. An empty chunk is skipped (only [`ChunkedEncoder::finish`] ends a body).
#[derive(Debug, Clone)]
pub struct ChunkedEncoder {
    chain: Option<ChunkChain>,
}

impl ChunkedEncoder {
    /// Chunks without signatures (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`).
    pub fn unsigned() -> Self {
        ChunkedEncoder { chain: None }
    }

    /// Signed chunks (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD(-TRAILER)`), chained from the
    /// request's signature ([`super::sign::HeaderSignature::chunk_chain`]).
    pub fn signed(chain: ChunkChain) -> Self {
        ChunkedEncoder { chain: Some(chain) }
    }

    fn size_line(&mut self, data: &[u8], out: &mut Vec<u8>) {
        out.extend_from_slice(format!("{:x}", data.len()).as_bytes());
        if let Some(chain) = &mut self.chain {
            out.extend_from_slice(b";chunk-signature=");
            out.extend_from_slice(chain.sign_chunk(data).as_bytes());
        }
        out.extend_from_slice(b"\r\n");
    }

    /// Appends one chunk holding `data` to `out`.
    pub fn encode_chunk(&mut self, data: &[u8], out: &mut Vec<u8>) {
        if data.is_empty() {
            return;
        }
        self.size_line(data, out);
        out.extend_from_slice(data);
        out.extend_from_slice(b"\r\n");
    }

    /// Appends the final empty chunk, the trailers (`name:value`, e.g.
    /// `x-amz-checksum-crc64nvme`), the trailer signature of a signed body that has
    /// trailers, and the closing empty line.
    pub fn finish(&mut self, trailers: &[(&str, &str)], out: &mut Vec<u8>) {
        self.size_line(&[], out);
        for (name, value) in trailers {
            out.extend_from_slice(format!("{name}:{value}\r\n").as_bytes());
        }
        if let Some(chain) = &mut self.chain {
            if !trailers.is_empty() {
                let sig = chain.sign_trailers(trailers);
                out.extend_from_slice(format!("{AMZ_TRAILER_SIGNATURE}:{sig}\r\n").as_bytes());
            }
        }
        out.extend_from_slice(b"\r\n");
    }
}

/// The `Content-Length` of an `aws-chunked` body of `decoded_len` bytes cut into
/// chunks of `chunk_size` (the last may be shorter), signed or not, ending with these
/// trailers. A `chunk_size` of 0 counts as one chunk.
pub fn encoded_length(
    decoded_len: u64,
    chunk_size: u64,
    signed: bool,
    trailers: &[(&str, &str)],
) -> u64 {
    // ";chunk-signature=" + 64 hex digits.
    let sig_ext = if signed { 17 + 64 } else { 0 };
    let line = |size: u64| {
        let hex_digits = if size == 0 {
            1
        } else {
            u64::from(size.ilog2() / 4 + 1)
        };
        hex_digits + sig_ext + 2
    };
    let chunk_size = if chunk_size == 0 {
        decoded_len.max(1)
    } else {
        chunk_size
    };
    let full = decoded_len / chunk_size;
    let rest = decoded_len % chunk_size;
    let mut total = full * (line(chunk_size) + chunk_size + 2);
    if rest > 0 {
        total += line(rest) + rest + 2;
    }
    total += line(0);
    for (name, value) in trailers {
        total += (name.len() + 1 + value.len() + 2) as u64;
    }
    if signed && !trailers.is_empty() {
        total += (AMZ_TRAILER_SIGNATURE.len() + 1 + 64 + 2) as u64;
    }
    total + 2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain() -> ChunkChain {
        ChunkChain::new(
            AWS4.signing_key("s", "20130524", "us-east-1", "s3"),
            "20130524T000000Z",
            "20130524/us-east-1/s3/aws4_request",
            "0".repeat(64),
        )
    }

    #[test]
    fn encoded_length_is_what_the_encoder_writes() {
        let trailer = [("x-amz-checksum-crc32", "AAAAAA==")];
        for signed in [false, true] {
            for trailers in [&trailer[..], &[]] {
                for (len, chunk) in [
                    (0u64, 8u64),
                    (1, 8),
                    (8, 8),
                    (17, 8),
                    (70_000, 65_536),
                    (5, 0),
                ] {
                    let data = vec![b'a'; len as usize];
                    let mut enc = if signed {
                        ChunkedEncoder::signed(chain())
                    } else {
                        ChunkedEncoder::unsigned()
                    };
                    let mut out = Vec::new();
                    let step = if chunk == 0 {
                        data.len().max(1)
                    } else {
                        chunk as usize
                    };
                    for piece in data.chunks(step) {
                        enc.encode_chunk(piece, &mut out);
                    }
                    enc.finish(trailers, &mut out);
                    assert_eq!(
                        encoded_length(len, chunk, signed, trailers),
                        out.len() as u64,
                        "{signed} {trailers:?} {len} {chunk}"
                    );
                }
            }
        }
    }

    #[test]
    fn unsigned_body_is_what_botocore_writes() {
        let mut out = Vec::new();
        let mut enc = ChunkedEncoder::unsigned();
        enc.encode_chunk(b"hello world", &mut out);
        enc.encode_chunk(b"", &mut out);
        enc.finish(&[("x-amz-checksum-crc32", "DUoRhQ==")], &mut out);
        assert_eq!(
            out,
            b"b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n".to_vec()
        );
    }

    #[test]
    fn verification_advances_only_on_a_match() {
        let mut signer = chain();
        let mut checker = chain();
        let s1 = signer.sign_chunk(b"abc");
        assert!(checker.verify_chunk_hash(&sha256_hex(b"abd"), &s1).is_err());
        assert_eq!(checker.previous(), "0".repeat(64));
        checker.verify_chunk_hash(&sha256_hex(b"abc"), &s1).unwrap();
        assert_eq!(checker.previous(), s1);
        let s2 = signer.sign_trailers(&[("x-amz-checksum-crc32", "AAAAAA==")]);
        assert!(checker
            .verify_trailers(&[("x-amz-checksum-crc32", "AAAAAB==")], &s2)
            .is_err());
        checker
            .verify_trailers(&[("x-amz-checksum-crc32", "AAAAAA==")], &s2)
            .unwrap();
    }
}
