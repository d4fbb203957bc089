//! The checksums of S3's flexible-checksum family, computed here: CRC-32
//! (ISO-HDLC), CRC-32C (iSCSI) and CRC-64/NVME by `crc-fast`, SHA-1 and SHA-256.
//! Values travel as base64 of the big-endian digest ([`Algorithm`], [`Hasher`],
//! [`composite`]).

use base64::prelude::{Engine as _, BASE64_STANDARD};
use crc_fast::CrcAlgorithm;
use sha1::Sha1;
use sha2::{Digest as _, Sha256};

/// One checksum algorithm of S3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// CRC-32 (ISO-HDLC, as zlib).
    Crc32,
    /// CRC-32C (Castagnoli).
    Crc32c,
    /// CRC-64/NVME.
    Crc64Nvme,
    /// SHA-1.
    Sha1,
    /// SHA-256.
    Sha256,
}

impl Algorithm {
    /// Every algorithm, in the order S3 documents them.
    pub const ALL: [Algorithm; 5] = [
        Algorithm::Crc32,
        Algorithm::Crc32c,
        Algorithm::Crc64Nvme,
        Algorithm::Sha1,
        Algorithm::Sha256,
    ];

    /// Lower-case name: `crc32`, `crc32c`, `crc64nvme`, `sha1`, `sha256`.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Crc32 => "crc32",
            Algorithm::Crc32c => "crc32c",
            Algorithm::Crc64Nvme => "crc64nvme",
            Algorithm::Sha1 => "sha1",
            Algorithm::Sha256 => "sha256",
        }
    }

    /// Upper-case name, as in `x-amz-checksum-algorithm` and `<ChecksumAlgorithm>`.
    pub fn upper(self) -> &'static str {
        match self {
            Algorithm::Crc32 => "CRC32",
            Algorithm::Crc32c => "CRC32C",
            Algorithm::Crc64Nvme => "CRC64NVME",
            Algorithm::Sha1 => "SHA1",
            Algorithm::Sha256 => "SHA256",
        }
    }

    /// The header (and trailer) carrying the value: `x-amz-checksum-crc32`, ...
    pub fn header(self) -> String {
        format!("x-amz-checksum-{}", self.name())
    }

    /// The XML element carrying the value: `ChecksumCRC32`, ...
    pub fn xml_field(self) -> String {
        format!("Checksum{}", self.upper())
    }

    /// Parses a name in either case.
    pub fn parse(name: &str) -> Option<Algorithm> {
        Algorithm::ALL
            .into_iter()
            .find(|a| a.name().eq_ignore_ascii_case(name.trim()))
    }

    /// The algorithm of a header or trailer name `x-amz-checksum-*`.
    pub fn from_header(name: &str) -> Option<Algorithm> {
        let lower = name.trim().to_ascii_lowercase();
        Algorithm::parse(lower.strip_prefix("x-amz-checksum-")?)
    }

    /// Whether it is a CRC (may be FULL_OBJECT for multipart uploads).
    pub fn is_crc(self) -> bool {
        matches!(
            self,
            Algorithm::Crc32 | Algorithm::Crc32c | Algorithm::Crc64Nvme
        )
    }

    /// Length of the digest in bytes.
    pub fn digest_len(self) -> usize {
        match self {
            Algorithm::Crc32 | Algorithm::Crc32c => 4,
            Algorithm::Crc64Nvme => 8,
            Algorithm::Sha1 => 20,
            Algorithm::Sha256 => 32,
        }
    }
}

/// An incremental hasher of one [`Algorithm`].
#[derive(Clone)]
pub enum Hasher {
    /// A CRC and its width in bytes.
    Crc(crc_fast::Digest, usize),
    /// SHA-1.
    Sha1(Sha1),
    /// SHA-256.
    Sha256(Sha256),
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hasher")
    }
}

impl Hasher {
    /// A hasher over no data.
    pub fn new(algorithm: Algorithm) -> Self {
        let crc = |a: CrcAlgorithm, width| Hasher::Crc(crc_fast::Digest::new(a), width);
        match algorithm {
            Algorithm::Crc32 => crc(CrcAlgorithm::Crc32IsoHdlc, 4),
            Algorithm::Crc32c => crc(CrcAlgorithm::Crc32Iscsi, 4),
            Algorithm::Crc64Nvme => crc(CrcAlgorithm::Crc64Nvme, 8),
            Algorithm::Sha1 => Hasher::Sha1(Sha1::new()),
            Algorithm::Sha256 => Hasher::Sha256(Sha256::new()),
        }
    }

    /// Feeds more bytes.
    pub fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Crc(digest, _) => digest.update(data),
            Hasher::Sha1(h) => h.update(data),
            Hasher::Sha256(h) => h.update(data),
        }
    }

    /// The big-endian digest of everything fed so far.
    pub fn digest(&self) -> Vec<u8> {
        match self {
            Hasher::Crc(digest, width) => {
                let value = digest.finalize().to_be_bytes();
                value[8 - width..].to_vec()
            }
            Hasher::Sha1(h) => h.clone().finalize().to_vec(),
            Hasher::Sha256(h) => h.clone().finalize().to_vec(),
        }
    }

    /// The value as S3 sends it: base64 of [`Hasher::digest`].
    pub fn base64(&self) -> String {
        BASE64_STANDARD.encode(self.digest())
    }
}

/// The base64 checksum of `data`.
pub fn of(algorithm: Algorithm, data: &[u8]) -> String {
    let mut h = Hasher::new(algorithm);
    h.update(data);
    h.base64()
}

/// Whether `value` is the base64 of a digest of `algorithm`'s length.
pub fn is_well_formed(algorithm: Algorithm, value: &str) -> bool {
    BASE64_STANDARD
        .decode(value.trim())
        .is_ok_and(|d| d.len() == algorithm.digest_len())
}

/// The composite checksum of a multipart upload: the checksum of the parts'
/// digests one after the other, then `-N`. `None` if a part value is not base64.
pub fn composite(algorithm: Algorithm, part_values: &[&str]) -> Option<String> {
    let mut h = Hasher::new(algorithm);
    for value in part_values {
        h.update(&BASE64_STANDARD.decode(value.trim()).ok()?);
    }
    Some(format!("{}-{}", h.base64(), part_values.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_values() {
        let check =
            |a: Algorithm| hex::encode(BASE64_STANDARD.decode(of(a, b"123456789")).unwrap());
        assert_eq!(check(Algorithm::Crc32), "cbf43926");
        assert_eq!(check(Algorithm::Crc32c), "e3069283");
        // s3-protocol.md: CRC64NVME("123456789") = 0xae8b14860a799888.
        assert_eq!(check(Algorithm::Crc64Nvme), "ae8b14860a799888");
        assert_eq!(of(Algorithm::Crc32, b"hello world"), "DUoRhQ==");
        assert_eq!(
            check(Algorithm::Sha1),
            "f7c3bc1d808e04732adf679965ccc34ca7ae3441"
        );
        assert_eq!(
            Algorithm::from_header("X-Amz-Checksum-CRC64NVME"),
            Some(Algorithm::Crc64Nvme)
        );
        assert_eq!(Algorithm::parse("crc32C"), Some(Algorithm::Crc32c));
        assert!(is_well_formed(Algorithm::Crc32, "DUoRhQ=="));
        assert!(!is_well_formed(Algorithm::Crc64Nvme, "DUoRhQ=="));
        let parts = [of(Algorithm::Crc32, b"a"), of(Algorithm::Crc32, b"b")];
        let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
        assert!(composite(Algorithm::Crc32, &refs).unwrap().ends_with("-2"));
    }
}
