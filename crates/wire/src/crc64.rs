//! CRC-64/XZ (ECMA-182 polynomial, reflected, init and xorout all ones): the checksum
//! OSS returns in `x-oss-hash-crc64ecma` (printed as an unsigned decimal).
//!
//! [`Crc64`] hashes a stream; [`combine`] joins the CRCs of two adjacent pieces without
//! re-reading them, which is how a multipart object's CRC follows from its parts'.
//!
//! The bytes are hashed by `crc-fast` (carry-less multiplication: PCLMULQDQ or
//! VPCLMULQDQ on x86-64, PMULL on aarch64, chosen at run time; tables elsewhere), which
//! also has the CRC-64/NVME, CRC-32 and CRC-32C of the S3 family, so every checksum of
//! the workspace can come from one crate. The `crc` crate stays as the independent
//! oracle of the tests.

use crc_fast::CrcAlgorithm;

/// The algorithm of every checksum here.
const ALGORITHM: CrcAlgorithm = CrcAlgorithm::Crc64Xz;

/// The reflected ECMA-182 polynomial.
const POLY_REFLECTED: u64 = 0xC96C_5795_D787_0F42;

/// Streaming CRC-64/XZ hasher.
#[derive(Clone)]
pub struct Crc64 {
    digest: crc_fast::Digest,
}

impl Default for Crc64 {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Crc64 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Crc64")
            .field("value", &self.value())
            .finish()
    }
}

impl Crc64 {
    /// A hasher over no data (value 0).
    pub fn new() -> Self {
        Crc64 {
            digest: crc_fast::Digest::new(ALGORITHM),
        }
    }

    /// Feeds more bytes.
    pub fn update(&mut self, data: &[u8]) {
        self.digest.update(data);
    }

    /// The CRC of everything fed so far; the hasher can keep going.
    pub fn value(&self) -> u64 {
        self.digest.finalize()
    }
}

/// The CRC-64/XZ of `data`.
pub fn checksum(data: &[u8]) -> u64 {
    crc_fast::checksum(ALGORITHM, data)
}

/// `a(x) · b(x) mod P(x)` in the reflected bit order (bit 63 is `x^0`), as zlib's
/// `multmodp`.
const fn mult_mod_p(a: u64, mut b: u64) -> u64 {
    let mut m = 1u64 << 63;
    let mut p = 0u64;
    loop {
        if a & m != 0 {
            p ^= b;
            if a & (m - 1) == 0 {
                break;
            }
        }
        m >>= 1;
        b = if b & 1 != 0 {
            (b >> 1) ^ POLY_REFLECTED
        } else {
            b >> 1
        };
    }
    p
}

/// `X2N[k]` = `x^(2^k) mod P(x)`, reflected, for every bit of a byte count (`k` up
/// to 3 + 63).
static X2N: [u64; 67] = {
    let mut table = [0u64; 67];
    let mut p = 1u64 << 62; // x^1
    let mut k = 0;
    while k < 67 {
        table[k] = p;
        p = mult_mod_p(p, p);
        k += 1;
    }
    table
};

/// `x^(8·bytes) mod P(x)`, reflected: the operator that appends `bytes` zero bytes.
fn zeros_operator(mut bytes: u64) -> u64 {
    let mut p = 1u64 << 63; // x^0
    let mut k = 3; // 2^3 bits per byte
    while bytes != 0 {
        if bytes & 1 != 0 {
            p = mult_mod_p(X2N[k], p);
        }
        bytes >>= 1;
        k += 1;
    }
    p
}

/// The CRC of `A || B` from `crc_a = checksum(A)`, `crc_b = checksum(B)` and
/// `len_b = B.len()`, in O(log len_b) multiplications modulo the polynomial (zlib's
/// `crc32_combine` method, for 64 bits): a few thousand instructions per call, so that
/// combining the CRCs of thousands of parts or ranges costs nothing next to hashing.
pub fn combine(crc_a: u64, crc_b: u64, len_b: u64) -> u64 {
    mult_mod_p(zeros_operator(len_b), crc_a) ^ crc_b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_value() {
        assert_eq!(checksum(b"123456789"), 0x995d_c9bb_df19_39fa);
        assert_eq!(checksum(b""), 0);
        let mut h = Crc64::new();
        h.update(b"1234");
        assert_eq!(h.value(), checksum(b"1234"));
        h.update(b"56789");
        assert_eq!(h.value(), 0x995d_c9bb_df19_39fa);
    }

    fn data(n: usize) -> Vec<u8> {
        // Deterministic, non-repeating-looking bytes.
        let mut x: u32 = 0x1234_5678;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                (x >> 24) as u8
            })
            .collect()
    }

    #[test]
    fn combine_matches_whole_for_many_splits() {
        let d = data(3000);
        let whole = checksum(&d);
        for split in (0..=d.len())
            .step_by(7)
            .chain([1, 2, 255, 256, 1024, 2999, 3000])
        {
            let (a, b) = d.split_at(split);
            assert_eq!(
                combine(checksum(a), checksum(b), b.len() as u64),
                whole,
                "split {split}"
            );
        }
    }

    #[test]
    fn combine_of_many_parts() {
        let d = data(10_000);
        let mut crc = 0;
        for part in d.chunks(1234) {
            crc = combine(crc, checksum(part), part.len() as u64);
        }
        assert_eq!(crc, checksum(&d));
        assert_eq!(combine(checksum(b"abc"), 0, 0), checksum(b"abc"));
    }

    #[test]
    fn combine_of_long_pieces() {
        // Lengths far beyond what a test can hash: the operator for 2^k zero bytes
        // applied twice is the operator for 2^(k+1).
        for k in [20u32, 33, 40, 62] {
            let n = 1u64 << k;
            let crc = 0x0123_4567_89ab_cdef;
            assert_eq!(
                combine(combine(crc, 0, n), 0, n),
                combine(crc, 0, 2 * n),
                "2^{k}"
            );
            assert_eq!(
                combine(crc, 0, n),
                crc_fast::checksum_combine(ALGORITHM, crc, 0, n),
                "2^{k}"
            );
        }
        assert_eq!(zeros_operator(0), 1u64 << 63);
    }

    #[test]
    fn combine_agrees_with_crc_fast() {
        let d = data(70_000);
        for split in [0, 1, 7, 4096, 65_535, 70_000] {
            let (a, b) = d.split_at(split);
            let (crc_a, crc_b, len_b) = (checksum(a), checksum(b), b.len() as u64);
            assert_eq!(
                combine(crc_a, crc_b, len_b),
                crc_fast::checksum_combine(ALGORITHM, crc_a, crc_b, len_b),
                "split {split}"
            );
        }
    }

    #[test]
    fn agrees_with_the_crc_crate_at_every_length_and_alignment() {
        // The SIMD kernels take different paths by length (folds of 16, 64, 128 bytes and
        // a tail) and by where the slice starts: check them all against the tables of
        // the `crc` crate.
        let oracle = crc::Crc::<u64>::new(&crc::CRC_64_XZ);
        let d = data(5000);
        for start in 0..17 {
            for len in (0..600).chain([1023, 1024, 1025, 4096, 4097, 4983 - start]) {
                let piece = &d[start..start + len];
                assert_eq!(checksum(piece), oracle.checksum(piece), "{start}+{len}");
            }
        }
        // Values known from the catalogue: "123456789", and zeros.
        assert_eq!(checksum(&[0u8; 1024]), 0xc378_6397_2069_270c);
        assert_eq!(checksum(&[255u8; 32]), 0xe95d_ce9e_faa0_9acf);
    }

    #[test]
    fn streaming_equals_one_shot() {
        let d = data(5000);
        let mut h = Crc64::default();
        for c in d.chunks(333) {
            h.update(c);
        }
        assert_eq!(h.value(), checksum(&d));
    }
}
