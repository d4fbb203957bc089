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

fn gf2_times(mat: &[u64; 64], mut vec: u64) -> u64 {
    let mut sum = 0;
    let mut i = 0;
    while vec != 0 {
        if vec & 1 == 1 {
            sum ^= mat[i];
        }
        vec >>= 1;
        i += 1;
    }
    sum
}

fn gf2_square(square: &mut [u64; 64], mat: &[u64; 64]) {
    for (n, row) in square.iter_mut().enumerate() {
        *row = gf2_times(mat, mat[n]);
    }
}

/// The CRC of `A || B` from `crc_a = checksum(A)`, `crc_b = checksum(B)` and
/// `len_b = B.len()`, in O(log len_b) (zlib's GF(2) matrix method).
pub fn combine(mut crc_a: u64, crc_b: u64, mut len_b: u64) -> u64 {
    if len_b == 0 {
        return crc_a;
    }
    // `odd` is the operator for one zero bit; squaring doubles the zero run.
    let mut odd = [0u64; 64];
    odd[0] = POLY_REFLECTED;
    for (n, row) in odd.iter_mut().enumerate().skip(1) {
        *row = 1u64 << (n - 1);
    }
    let mut even = [0u64; 64];
    gf2_square(&mut even, &odd); // two zero bits
    gf2_square(&mut odd, &even); // four zero bits
    loop {
        gf2_square(&mut even, &odd); // first pass: one zero byte
        if len_b & 1 == 1 {
            crc_a = gf2_times(&even, crc_a);
        }
        len_b >>= 1;
        if len_b == 0 {
            break;
        }
        gf2_square(&mut odd, &even);
        if len_b & 1 == 1 {
            crc_a = gf2_times(&odd, crc_a);
        }
        len_b >>= 1;
        if len_b == 0 {
            break;
        }
    }
    crc_a ^ crc_b
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
