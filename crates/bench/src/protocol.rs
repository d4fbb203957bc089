//! CPU-only benchmarks of `jit-oss-protocol`: CRC-64/XZ throughput and the cost of
//! `crc64::combine`, and V1 header / V4 header / V4 presign signatures per second.
//! Plain synchronous loops, run before the async runtime starts.

use std::hint::black_box;
use std::time::{Duration, Instant, UNIX_EPOCH};

use crc::{Crc, Table, CRC_64_XZ};
use jit_oss_protocol::sign::{v1, v4};
use jit_oss_protocol::{crc64, Credentials, SignRequest};

use crate::stats::{rate, sample_sync, Plan, Row};

/// Deterministic, incompressible-looking bytes (xorshift64), so no benchmark reads
/// a page of zeros.
pub fn pattern(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// CRC-64 over `mib` MiB (one call per sample, MiB/s), streaming `Crc64::update` in
/// 256 KiB pieces (how the clients feed it), and `combine` calls per second
/// (`combine_calls` per sample).
pub fn crc(plan: Plan, mib: usize, combine_calls: u64) -> Vec<Row> {
    let data = pattern(mib << 20, 0x00c0_ffee);
    let one_shot = sample_sync(plan, || {
        let t = Instant::now();
        black_box(crc64::checksum(black_box(&data)));
        rate(mib as f64, t)
    });
    let streamed = sample_sync(plan, || {
        let t = Instant::now();
        let mut h = crc64::Crc64::new();
        for piece in data.chunks(256 * 1024) {
            h.update(black_box(piece));
        }
        black_box(h.value());
        rate(mib as f64, t)
    });
    // Diagnostic: the same CRC with the crc crate's slice-by-16 tables instead of the
    // byte-at-a-time table that `Crc<u64>` uses by default (what crc64.rs builds).
    let sliced = Crc::<u64, Table<16>>::new(&CRC_64_XZ);
    assert_eq!(sliced.checksum(&data), crc64::checksum(&data));
    let slice16 = sample_sync(plan, || {
        let t = Instant::now();
        black_box(sliced.checksum(black_box(&data)));
        rate(mib as f64, t)
    });
    let mut rows = vec![
        Row::new(
            "crc64",
            format!("checksum, {mib} MiB buffer"),
            "MiB/s",
            one_shot,
        ),
        Row::new(
            "crc64",
            format!("Crc64::update, {mib} MiB in 256 KiB pieces"),
            "MiB/s",
            streamed,
        ),
        Row::new(
            "crc64",
            format!("crc crate Table<16> (slice-by-16), {mib} MiB (diagnostic)"),
            "MiB/s",
            slice16,
        ),
    ];
    // combine is O(log len_b): its cost depends on the length of the second piece.
    for (label, len_b) in [("8 MiB part", 8u64 << 20), ("5 GiB part", 5u64 << 30)] {
        let calls = combine_calls;
        let samples = sample_sync(plan, || {
            let t = Instant::now();
            let mut acc = 0x1234_5678_9abc_def0u64;
            for i in 0..calls {
                acc = crc64::combine(black_box(acc), black_box(i), black_box(len_b));
            }
            black_box(acc);
            rate(calls as f64, t)
        });
        rows.push(Row::new(
            "crc64",
            format!("combine, second piece {label}"),
            "calls/s",
            samples,
        ));
    }
    rows
}

/// A request like the client's small PUT: bucket, key, content type and length.
fn sample_request() -> SignRequest {
    SignRequest::new("PUT")
        .with_bucket("bench-bucket")
        .with_key("bench/small/0001/object-000042.bin")
        .with_header("content-type", "application/octet-stream")
        .with_header("content-length", "4096")
        .with_header("host", "127.0.0.1:9000")
}

/// Signatures per second for V1 header, V4 header and V4 presign, `batch` per sample.
/// Each signature starts from a clone of the unsigned request, as the client builds a
/// fresh request per attempt; the clone is part of the measured cost.
pub fn sign(plan: Plan, batch: usize) -> Vec<Row> {
    let creds = Credentials::new("bench-ak", "bench-secret-not-real");
    let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let base = sample_request();
    let region = "cn-hangzhou";
    let run = |what: &str, f: &dyn Fn(&mut SignRequest)| {
        let samples = sample_sync(plan, || {
            let t = Instant::now();
            for _ in 0..batch {
                let mut req = base.clone();
                f(&mut req);
                black_box(&req);
            }
            rate(batch as f64, t)
        });
        Row::new("sign", what, "sigs/s", samples)
    };
    vec![
        run("V1 header (HMAC-SHA1)", &|r| {
            v1::sign_header(r, &creds, now).expect("V1 signs")
        }),
        run("V4 header (HMAC-SHA256, signing key derived)", &|r| {
            v4::sign_header(r, &creds, region, &["host"], now).expect("V4 signs")
        }),
        run("V4 presign, 300 s", &|r| {
            v4::presign(r, &creds, region, &[], now, 300).expect("V4 presigns")
        }),
        run("V1 presign", &|r| {
            v1::presign(r, &creds, now + Duration::from_secs(300)).expect("V1 presigns")
        }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_is_deterministic_and_sized() {
        assert_eq!(pattern(1000, 7), pattern(1000, 7));
        assert_ne!(pattern(1000, 7), pattern(1000, 8));
        assert_eq!(pattern(13, 1).len(), 13);
    }
}
