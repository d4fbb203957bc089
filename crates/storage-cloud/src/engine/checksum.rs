//! The object checksum of a dialect: which CRC-64 the server keeps for an object,
//! the header it travels in and how it is written there (OSS: CRC-64/XZ in
//! `x-oss-hash-crc64ecma`, an unsigned decimal; S3: CRC-64/NVME in
//! `x-amz-checksum-crc64nvme`, base64 of the eight big-endian bytes), and the headers
//! that ask a server to verify or return it. The maths (hashing, combining the CRCs of
//! adjacent pieces) is `jit-wire`'s, the same for both polynomials.

use base64::Engine as _;
use jit_wire::crc64::{Crc64, Crc64Algorithm};
use reqwest::header::HeaderMap;

/// How a checksum is written in its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChecksumEncoding {
    /// An unsigned decimal (OSS).
    Decimal,
    /// Base64 of the eight big-endian bytes (S3).
    Base64BigEndian,
}

/// A dialect's object checksum and the headers that carry it.
///
/// A server that returns no checksum (or one that is not a CRC of the whole object,
/// such as S3's `COMPOSITE` multipart checksums, `…-N`) leaves the length as the only
/// check of a transfer; the engine says so in a debug log.
#[derive(Debug)]
pub(crate) struct ObjectChecksum {
    /// The CRC-64 the server keeps.
    pub algorithm: Crc64Algorithm,
    /// The header it travels in, both ways.
    pub header: &'static str,
    /// How it is written there.
    pub encoding: ChecksumEncoding,
    /// Whether an upload whose checksum is known before it is sent (bytes in memory,
    /// multipart parts) carries it in [`header`](Self::header), for the server to
    /// verify before it stores anything (S3); OSS computes its own and returns it.
    pub sent_with_uploads: bool,
    /// Headers a GET or HEAD carries so that the answer includes the checksum (S3:
    /// `x-amz-checksum-mode: ENABLED`; OSS always includes it).
    pub ask: &'static [(&'static str, &'static str)],
    /// Headers of InitiateMultipartUpload asking for a checksum of the whole object
    /// (S3: `x-amz-checksum-algorithm: CRC64NVME`, `x-amz-checksum-type: FULL_OBJECT`).
    pub multipart_initiate: &'static [(&'static str, &'static str)],
    /// Headers of CompleteMultipartUpload (S3: `x-amz-checksum-type: FULL_OBJECT`); with
    /// [`sent_with_uploads`](Self::sent_with_uploads) the parts' checksums combined go
    /// in [`header`](Self::header) too.
    pub multipart_complete: &'static [(&'static str, &'static str)],
    /// The element of each `<Part>` of CompleteMultipartUpload that holds the part's
    /// checksum when parts carry theirs (S3: `ChecksumCRC64NVME`).
    pub part_element: Option<&'static str>,
    /// Headers of a streamed upload, whose checksum the dialect's framing sends at the
    /// end (S3: `x-amz-sdk-checksum-algorithm: CRC64NVME` beside the trailer): sent as
    /// checksum headers, so that a server refusing them is recognised like a refusal of
    /// the header of an upload in memory.
    pub streamed_upload: &'static [(&'static str, &'static str)],
}

impl ObjectChecksum {
    /// The checksum of `data`.
    pub fn of(&self, data: &[u8]) -> u64 {
        self.algorithm.checksum(data)
    }

    /// A streaming hasher.
    pub fn hasher(&self) -> Crc64 {
        self.algorithm.hasher()
    }

    /// The checksum of `A || B` from those of `A` and `B` and the length of `B`.
    pub fn combine(&self, crc_a: u64, crc_b: u64, len_b: u64) -> u64 {
        self.algorithm.combine(crc_a, crc_b, len_b)
    }

    /// The checksum as its header writes it.
    pub fn encode(&self, value: u64) -> String {
        match self.encoding {
            ChecksumEncoding::Decimal => value.to_string(),
            ChecksumEncoding::Base64BigEndian => {
                base64::engine::general_purpose::STANDARD.encode(value.to_be_bytes())
            }
        }
    }

    /// A header value as a checksum: `None` when it is not one (malformed, or not of
    /// the whole object).
    pub fn decode(&self, value: &str) -> Option<u64> {
        let value = value.trim();
        match self.encoding {
            ChecksumEncoding::Decimal => value.parse().ok(),
            ChecksumEncoding::Base64BigEndian => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(value)
                    .ok()?;
                Some(u64::from_be_bytes(bytes.try_into().ok()?))
            }
        }
    }

    /// The checksum an answer's headers carry, if present and well-formed.
    pub fn read(&self, headers: &HeaderMap) -> Option<u64> {
        headers
            .get(self.header)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| self.decode(v))
    }

    /// What [`ObjectInfo::crc64`](jit_storage::ObjectInfo::crc64) may hold of
    /// `checksum`: it is the CRC-64/XZ, so a checksum of another algorithm is not
    /// shown there.
    pub fn as_crc64_xz(&self, checksum: Option<u64>) -> Option<u64> {
        checksum.filter(|_| self.algorithm == Crc64Algorithm::Xz)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S3_LIKE: ObjectChecksum = ObjectChecksum {
        algorithm: Crc64Algorithm::Nvme,
        header: "x-amz-checksum-crc64nvme",
        encoding: ChecksumEncoding::Base64BigEndian,
        sent_with_uploads: true,
        ask: &[("x-amz-checksum-mode", "ENABLED")],
        multipart_initiate: &[],
        multipart_complete: &[],
        part_element: Some("ChecksumCRC64NVME"),
        streamed_upload: &[],
    };

    const OSS_LIKE: ObjectChecksum = ObjectChecksum {
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

    #[test]
    fn encodings_round_trip() {
        let nvme = S3_LIKE.of(b"123456789");
        assert_eq!(nvme, 0xae8b_1486_0a79_9888);
        assert_eq!(S3_LIKE.encode(nvme), "rosUhgp5mIg=");
        assert_eq!(S3_LIKE.decode("rosUhgp5mIg="), Some(nvme));
        // Not the checksum of the whole object, or not eight bytes: none.
        assert_eq!(S3_LIKE.decode("rosUhgp5mIg=-3"), None);
        assert_eq!(S3_LIKE.decode("AAAA"), None);

        let xz = OSS_LIKE.of(b"123456789");
        assert_eq!(OSS_LIKE.encode(xz), "11051210869376104954");
        assert_eq!(OSS_LIKE.decode(" 11051210869376104954 "), Some(xz));
        assert_eq!(OSS_LIKE.decode("x"), None);

        let mut headers = HeaderMap::new();
        headers.insert("x-amz-checksum-crc64nvme", "rosUhgp5mIg=".parse().unwrap());
        assert_eq!(S3_LIKE.read(&headers), Some(nvme));
        assert_eq!(OSS_LIKE.read(&headers), None);
    }

    #[test]
    fn only_crc64_xz_is_shown_as_crc64() {
        assert_eq!(OSS_LIKE.as_crc64_xz(Some(7)), Some(7));
        assert_eq!(S3_LIKE.as_crc64_xz(Some(7)), None);
        let (a, b) = (b"1234".as_slice(), b"56789".as_slice());
        assert_eq!(
            S3_LIKE.combine(S3_LIKE.of(a), S3_LIKE.of(b), 5),
            S3_LIKE.of(b"123456789")
        );
    }
}
