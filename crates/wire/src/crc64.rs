//! CRC-64/XZ (ECMA-182 polynomial, reflected, init and xorout all ones): the checksum
//! OSS returns in `x-oss-hash-crc64ecma` (printed as an unsigned decimal); and
//! CRC-64/NVME (polynomial 0xAD93D23594C93659, otherwise the same), S3's
//! `x-amz-checksum-crc64nvme` (base64 of its eight big-endian bytes).
//!
//! [`Crc64`] hashes a stream; [`combine`] joins the CRCs of two adjacent pieces without
//! re-reading them, which is how a multipart object's CRC follows from its parts'.
//! [`checksum`], [`combine`] and [`Crc64::new`] are CRC-64/XZ; a [`Crc64Algorithm`]
//! gives either (the same combine maths, another polynomial).
//!
//! The bytes are hashed by `crc-fast` (carry-less multiplication: PCLMULQDQ or
//! VPCLMULQDQ on x86-64, PMULL on aarch64, chosen at run time; tables elsewhere), which
//! also has the CRC-64/NVME, CRC-32 and CRC-32C of the S3 family, so every checksum of
//! the workspace can come from one crate. The `crc` crate stays as the independent
//! oracle of the tests.

use crc_fast::CrcAlgorithm;

/// The algorithm of [`checksum`], [`combine`] and [`Crc64::new`].
const ALGORITHM: CrcAlgorithm = CrcAlgorithm::Crc64Xz;

/// The reflected ECMA-182 polynomial (CRC-64/XZ).
const XZ_POLY_REFLECTED: u64 = 0xC96C_5795_D787_0F42;

/// The reflected NVMe polynomial 0xAD93D23594C93659 (CRC-64/NVME).
const NVME_POLY_REFLECTED: u64 = 0x9A6C_9329_AC4B_C9B5;

/// The CRC-64s the object stores use. Both are reflected with init and xorout all
/// ones; they differ in the polynomial.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Crc64Algorithm {
    /// CRC-64/XZ (ECMA-182): OSS's `x-oss-hash-crc64ecma`. Check value 0x995dc9bbdf1939fa.
    #[default]
    Xz,
    /// CRC-64/NVME: S3's `x-amz-checksum-crc64nvme`. Check value 0xae8b14860a799888.
    Nvme,
}

impl Crc64Algorithm {
    /// crc-fast's name for it.
    fn crc_fast(self) -> CrcAlgorithm {
        match self {
            Self::Xz => CrcAlgorithm::Crc64Xz,
            Self::Nvme => CrcAlgorithm::Crc64Nvme,
        }
    }

    /// The reflected polynomial and its `x^(2^k)` table, for [`combine`](Self::combine).
    fn combine_tables(self) -> (u64, &'static [u64; 67]) {
        match self {
            Self::Xz => (XZ_POLY_REFLECTED, &XZ_X2N),
            Self::Nvme => (NVME_POLY_REFLECTED, &NVME_X2N),
        }
    }

    /// The CRC of `data`.
    pub fn checksum(self, data: &[u8]) -> u64 {
        crc_fast::checksum(self.crc_fast(), data)
    }

    /// A streaming hasher over no data (value 0).
    pub fn hasher(self) -> Crc64 {
        Crc64 {
            digest: crc_fast::Digest::new(self.crc_fast()),
        }
    }

    /// The CRC of `A || B` from `crc_a`, `crc_b` and `len_b = B.len()`: see [`combine`].
    pub fn combine(self, crc_a: u64, crc_b: u64, len_b: u64) -> u64 {
        let (poly, x2n) = self.combine_tables();
        mult_mod_p(zeros_operator(len_b, poly, x2n), crc_a, poly) ^ crc_b
    }
}

/// Streaming CRC-64 hasher (CRC-64/XZ from [`Crc64::new`]; either from
/// [`Crc64Algorithm::hasher`]).
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
    /// A CRC-64/XZ hasher over no data (value 0).
    pub fn new() -> Self {
        Crc64Algorithm::Xz.hasher()
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
/// `multmodp`; `poly` is `P` reflected.
const fn mult_mod_p(a: u64, mut b: u64, poly: u64) -> u64 {
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
        b = if b & 1 != 0 { (b >> 1) ^ poly } else { b >> 1 };
    }
    p
}

/// `table[k]` = `x^(2^k) mod P(x)`, reflected, for every bit of a byte count (`k` up
/// to 3 + 63).
const fn x2n_table(poly: u64) -> [u64; 67] {
    let mut table = [0u64; 67];
    let mut p = 1u64 << 62; // x^1
    let mut k = 0;
    while k < 67 {
        table[k] = p;
        p = mult_mod_p(p, p, poly);
        k += 1;
    }
    table
}

/// [`x2n_table`] of CRC-64/XZ.
static XZ_X2N: [u64; 67] = x2n_table(XZ_POLY_REFLECTED);

/// [`x2n_table`] of CRC-64/NVME.
static NVME_X2N: [u64; 67] = x2n_table(NVME_POLY_REFLECTED);

/// `x^(8·bytes) mod P(x)`, reflected: the operator that appends `bytes` zero bytes.
fn zeros_operator(mut bytes: u64, poly: u64, x2n: &[u64; 67]) -> u64 {
    let mut p = 1u64 << 63; // x^0
    let mut k = 3; // 2^3 bits per byte
    while bytes != 0 {
        if bytes & 1 != 0 {
            p = mult_mod_p(x2n[k], p, poly);
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
    Crc64Algorithm::Xz.combine(crc_a, crc_b, len_b)
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
        assert_eq!(zeros_operator(0, XZ_POLY_REFLECTED, &XZ_X2N), 1u64 << 63);
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

    #[test]
    fn nvme_check_value() {
        let nvme = Crc64Algorithm::Nvme;
        assert_eq!(nvme.checksum(b"123456789"), 0xae8b_1486_0a79_9888);
        assert_eq!(nvme.checksum(b""), 0);
        let mut h = nvme.hasher();
        h.update(b"1234");
        h.update(b"56789");
        assert_eq!(h.value(), 0xae8b_1486_0a79_9888);
        // The default algorithm is OSS's.
        assert_eq!(
            Crc64Algorithm::default().checksum(b"123456789"),
            checksum(b"123456789")
        );
        assert_eq!(Crc64Algorithm::Xz.hasher().value(), Crc64::new().value());
    }

    #[test]
    fn nvme_agrees_with_the_crc_crate() {
        let oracle = crc::Crc::<u64>::new(&crc::CRC_64_NVME);
        let d = data(5000);
        for start in 0..9 {
            for len in (0..300).chain([1023, 1024, 1025, 4096, 4991 - start]) {
                let piece = &d[start..start + len];
                assert_eq!(
                    Crc64Algorithm::Nvme.checksum(piece),
                    oracle.checksum(piece),
                    "{start}+{len}"
                );
            }
        }
    }

    #[test]
    fn nvme_combine_matches_whole_and_crc_fast() {
        let nvme = Crc64Algorithm::Nvme;
        let d = data(70_000);
        let whole = nvme.checksum(&d);
        for split in [0, 1, 7, 255, 4096, 65_535, 70_000] {
            let (a, b) = d.split_at(split);
            let (crc_a, crc_b, len_b) = (nvme.checksum(a), nvme.checksum(b), b.len() as u64);
            assert_eq!(nvme.combine(crc_a, crc_b, len_b), whole, "split {split}");
            assert_eq!(
                nvme.combine(crc_a, crc_b, len_b),
                crc_fast::checksum_combine(CrcAlgorithm::Crc64Nvme, crc_a, crc_b, len_b),
                "split {split}"
            );
        }
        let mut crc = 0;
        for part in d.chunks(1234) {
            crc = nvme.combine(crc, nvme.checksum(part), part.len() as u64);
        }
        assert_eq!(crc, whole);
        for k in [20u32, 33, 62] {
            let n = 1u64 << k;
            let crc = 0x0123_4567_89ab_cdef;
            assert_eq!(
                nvme.combine(nvme.combine(crc, 0, n), 0, n),
                nvme.combine(crc, 0, 2 * n),
                "2^{k}"
            );
            assert_eq!(
                nvme.combine(crc, 0, n),
                crc_fast::checksum_combine(CrcAlgorithm::Crc64Nvme, crc, 0, n),
                "2^{k}"
            );
        }
        // The two polynomials really differ.
        assert_ne!(nvme.combine(1, 2, 3), combine(1, 2, 3));
    }
}
