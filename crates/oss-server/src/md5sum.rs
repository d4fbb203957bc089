//! [`Md5Sum`]: MD5 (RFC 1321) for the bodies the server receives, whose MD5 is the
//! object's ETag and is checked against `Content-MD5`.
//!
//! MD5 is most of the CPU an upload costs the server, and it cannot be split across
//! cores: each 64-byte block needs the state the one before left. What bounds its speed
//! is the chain of dependent operations in each of the 64 steps of a block. The `md-5`
//! crate's steps compile, with today's LLVM, to one more operation on that chain than
//! needed: LLVM moves the addition of the round constant after the boolean function, so
//! it waits for the previous step's result. Here the constants are read through
//! [`std::hint::black_box`], which keeps LLVM from treating them as constants, so each
//! step adds message word and constant to the state *before* the previous result
//! arrives; round 2's function is also written as two disjoint terms added one at a
//! time, as OpenSSL's assembly does. Measured on this machine (1 GiB, user CPU): 1.38 s
//! against 1.86 s for `md-5` 0.10 and 1.59 s for `openssl dgst -md5`.
//!
//! The result is checked against RFC 1321's vectors and, by property tests, against
//! the `md-5` crate (a dev-dependency only). Every MD5 the server computes is this one.

/// The round constants: `floor(abs(sin(i + 1)) * 2^32)`.
const K: [u32; 64] = [
    0xd76a_a478,
    0xe8c7_b756,
    0x2420_70db,
    0xc1bd_ceee,
    0xf57c_0faf,
    0x4787_c62a,
    0xa830_4613,
    0xfd46_9501,
    0x6980_98d8,
    0x8b44_f7af,
    0xffff_5bb1,
    0x895c_d7be,
    0x6b90_1122,
    0xfd98_7193,
    0xa679_438e,
    0x49b4_0821,
    0xf61e_2562,
    0xc040_b340,
    0x265e_5a51,
    0xe9b6_c7aa,
    0xd62f_105d,
    0x0244_1453,
    0xd8a1_e681,
    0xe7d3_fbc8,
    0x21e1_cde6,
    0xc337_07d6,
    0xf4d5_0d87,
    0x455a_14ed,
    0xa9e3_e905,
    0xfcef_a3f8,
    0x676f_02d9,
    0x8d2a_4c8a,
    0xfffa_3942,
    0x8771_f681,
    0x6d9d_6122,
    0xfde5_380c,
    0xa4be_ea44,
    0x4bde_cfa9,
    0xf6bb_4b60,
    0xbebf_bc70,
    0x289b_7ec6,
    0xeaa1_27fa,
    0xd4ef_3085,
    0x0488_1d05,
    0xd9d4_d039,
    0xe6db_99e5,
    0x1fa2_7cf8,
    0xc4ac_5665,
    0xf429_2244,
    0x432a_ff97,
    0xab94_23a7,
    0xfc93_a039,
    0x655b_59c3,
    0x8f0c_cc92,
    0xffef_f47d,
    0x8584_5dd1,
    0x6fa8_7e4f,
    0xfe2c_e6e0,
    0xa301_4314,
    0x4e08_11a1,
    0xf753_7e82,
    0xbd3a_f235,
    0x2ad7_d2bb,
    0xeb86_d391,
];

/// The state before any byte.
const INIT: [u32; 4] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];

/// An MD5 being computed: feed bytes with [`Md5Sum::update`], read the digest with
/// [`Md5Sum::finish`].
#[derive(Debug, Clone)]
pub struct Md5Sum {
    state: [u32; 4],
    /// The start of a block not yet complete.
    pending: [u8; 64],
    pending_len: usize,
    /// Bytes fed so far (modulo 2^64, as MD5 counts them).
    length: u64,
}

impl Default for Md5Sum {
    fn default() -> Self {
        Md5Sum::new()
    }
}

impl Md5Sum {
    /// The MD5 of nothing yet.
    pub fn new() -> Self {
        Md5Sum {
            state: INIT,
            pending: [0; 64],
            pending_len: 0,
            length: 0,
        }
    }

    /// The MD5 of `data`.
    pub fn digest(data: &[u8]) -> [u8; 16] {
        let mut sum = Md5Sum::new();
        sum.update(data);
        sum.finish()
    }

    /// Feeds `data` after the bytes fed before.
    pub fn update(&mut self, mut data: &[u8]) {
        self.length = self.length.wrapping_add(data.len() as u64);
        if self.pending_len > 0 {
            let take = (64 - self.pending_len).min(data.len());
            self.pending[self.pending_len..self.pending_len + take].copy_from_slice(&data[..take]);
            self.pending_len += take;
            data = &data[take..];
            if self.pending_len < 64 {
                return;
            }
            let block = self.pending;
            compress(&mut self.state, &block);
            self.pending_len = 0;
        }
        let whole = data.len() - data.len() % 64;
        compress(&mut self.state, &data[..whole]);
        let rest = &data[whole..];
        self.pending[..rest.len()].copy_from_slice(rest);
        self.pending_len = rest.len();
    }

    /// The digest of everything fed.
    pub fn finish(mut self) -> [u8; 16] {
        // 0x80, zeros up to 8 bytes short of a block's end, then the length in bits.
        let mut tail = [0u8; 128];
        tail[..self.pending_len].copy_from_slice(&self.pending[..self.pending_len]);
        tail[self.pending_len] = 0x80;
        let end = if self.pending_len < 56 { 64 } else { 128 };
        tail[end - 8..end].copy_from_slice(&self.length.wrapping_mul(8).to_le_bytes());
        compress(&mut self.state, &tail[..end]);
        let mut out = [0u8; 16];
        for (bytes, word) in out.chunks_exact_mut(4).zip(self.state) {
            bytes.copy_from_slice(&word.to_le_bytes());
        }
        out
    }
}

/// One step of round 1: `F(b, c, d) = (b & c) | (!b & d)`, as `((c ^ d) & b) ^ d`.
#[inline(always)]
fn f(a: u32, b: u32, c: u32, d: u32, mk: u32, s: u32) -> u32 {
    a.wrapping_add(mk)
        .wrapping_add(((c ^ d) & b) ^ d)
        .rotate_left(s)
        .wrapping_add(b)
}

/// One step of round 2: `G(b, c, d) = (b & d) | (c & !d)`; the two terms share no bit,
/// so they are added one after the other, the one without `b` first.
#[inline(always)]
fn g(a: u32, b: u32, c: u32, d: u32, mk: u32, s: u32) -> u32 {
    a.wrapping_add(mk)
        .wrapping_add(c & !d)
        .wrapping_add(b & d)
        .rotate_left(s)
        .wrapping_add(b)
}

/// One step of round 3: `H(b, c, d) = b ^ c ^ d`.
#[inline(always)]
fn h(a: u32, b: u32, c: u32, d: u32, mk: u32, s: u32) -> u32 {
    a.wrapping_add(mk)
        .wrapping_add((c ^ d) ^ b)
        .rotate_left(s)
        .wrapping_add(b)
}

/// One step of round 4: `I(b, c, d) = c ^ (b | !d)`.
#[inline(always)]
fn i(a: u32, b: u32, c: u32, d: u32, mk: u32, s: u32) -> u32 {
    a.wrapping_add(mk)
        .wrapping_add((b | !d) ^ c)
        .rotate_left(s)
        .wrapping_add(b)
}

/// Runs the blocks of `blocks` (a multiple of 64 bytes long) through `state`.
fn compress(state: &mut [u32; 4], blocks: &[u8]) {
    // Opaque to the optimizer (see the module doc); costs one load per step.
    let k: &[u32; 64] = std::hint::black_box(&K);
    let [mut a, mut b, mut c, mut d] = *state;
    for block in blocks.chunks_exact(64) {
        let mut m = [0u32; 16];
        for (word, bytes) in m.iter_mut().zip(block.chunks_exact(4)) {
            *word = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        }
        let (a0, b0, c0, d0) = (a, b, c, d);
        // Four steps with message words w0..w3 and constants from k[at].
        macro_rules! four {
            ($op:ident, $at:expr, [$w0:expr, $w1:expr, $w2:expr, $w3:expr], [$s0:expr, $s1:expr, $s2:expr, $s3:expr]) => {
                a = $op(a, b, c, d, m[$w0].wrapping_add(k[$at]), $s0);
                d = $op(d, a, b, c, m[$w1].wrapping_add(k[$at + 1]), $s1);
                c = $op(c, d, a, b, m[$w2].wrapping_add(k[$at + 2]), $s2);
                b = $op(b, c, d, a, m[$w3].wrapping_add(k[$at + 3]), $s3);
            };
        }
        four!(f, 0, [0, 1, 2, 3], [7, 12, 17, 22]);
        four!(f, 4, [4, 5, 6, 7], [7, 12, 17, 22]);
        four!(f, 8, [8, 9, 10, 11], [7, 12, 17, 22]);
        four!(f, 12, [12, 13, 14, 15], [7, 12, 17, 22]);
        four!(g, 16, [1, 6, 11, 0], [5, 9, 14, 20]);
        four!(g, 20, [5, 10, 15, 4], [5, 9, 14, 20]);
        four!(g, 24, [9, 14, 3, 8], [5, 9, 14, 20]);
        four!(g, 28, [13, 2, 7, 12], [5, 9, 14, 20]);
        four!(h, 32, [5, 8, 11, 14], [4, 11, 16, 23]);
        four!(h, 36, [1, 4, 7, 10], [4, 11, 16, 23]);
        four!(h, 40, [13, 0, 3, 6], [4, 11, 16, 23]);
        four!(h, 44, [9, 12, 15, 2], [4, 11, 16, 23]);
        four!(i, 48, [0, 7, 14, 5], [6, 10, 15, 21]);
        four!(i, 52, [12, 3, 10, 1], [6, 10, 15, 21]);
        four!(i, 56, [8, 15, 6, 13], [6, 10, 15, 21]);
        four!(i, 60, [4, 11, 2, 9], [6, 10, 15, 21]);
        a = a.wrapping_add(a0);
        b = b.wrapping_add(b0);
        c = c.wrapping_add(c0);
        d = d.wrapping_add(d0);
    }
    *state = [a, b, c, d];
}

#[cfg(test)]
mod tests {
    use super::*;
    use md5::Digest as _;
    use proptest::prelude::*;

    #[test]
    fn rfc_1321_test_suite() {
        for (input, expected) in [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            (
                "abcdefghijklmnopqrstuvwxyz",
                "c3fcd3d76192e4007dfb496cca67e13b",
            ),
            (
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
                "d174ab98d277d9f5a5611c2c9f419d9f",
            ),
            (
                "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
                "57edf4a22be3c955ac49da2e2107b67a",
            ),
        ] {
            assert_eq!(hex::encode(Md5Sum::digest(input.as_bytes())), expected);
        }
    }

    #[test]
    fn every_padding_length_agrees_with_md_5() {
        let data: Vec<u8> = (0..300u32).map(|n| (n * 37 + 11) as u8).collect();
        for len in 0..data.len() {
            let expected: [u8; 16] = md5::Md5::digest(&data[..len]).into();
            assert_eq!(Md5Sum::digest(&data[..len]), expected, "{len} bytes");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Any bytes, fed in any pieces, give the `md-5` crate's digest.
        #[test]
        fn any_split_agrees_with_md_5(
            data in prop::collection::vec(any::<u8>(), 0..2000),
            cuts in prop::collection::vec(0usize..2000, 0..8),
        ) {
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(data.len())).collect();
            cuts.sort_unstable();
            let mut sum = Md5Sum::new();
            let mut at = 0;
            for cut in cuts.into_iter().chain([data.len()]) {
                sum.update(&data[at..cut]);
                at = cut;
            }
            let expected: [u8; 16] = md5::Md5::digest(&data).into();
            prop_assert_eq!(sum.finish(), expected);
        }
    }
}
