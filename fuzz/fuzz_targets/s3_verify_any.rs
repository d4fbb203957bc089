//! Fuzz target: the S3 SigV4 verifier given any request (method, raw path, query,
//! headers, a clock). Invariant: it answers, never panics, and a refusal always has an
//! S3 code and an HTTP status of 4xx.

#![no_main]

use std::collections::HashMap;
use std::time::{Duration, UNIX_EPOCH};

use jit_oss_protocol::s3::{verify, S3ReceivedRequest};
use jit_oss_protocol::verify::SecretLookup;
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    method: String,
    raw_path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    /// An access key id the server knows, and its secret.
    known: Option<(String, String)>,
    clock: u32,
}

struct Keys(HashMap<String, String>);

impl SecretLookup for Keys {
    fn secret_for(&self, access_key_id: &str) -> Option<String> {
        self.0.get(access_key_id).cloned()
    }
}

fuzz_target!(|input: Input| {
    let keys = Keys(input.known.into_iter().collect());
    let now = UNIX_EPOCH + Duration::from_secs(1_300_000_000 + u64::from(input.clock));
    let request = S3ReceivedRequest {
        method: &input.method,
        raw_path: &input.raw_path,
        query: &input.query,
        headers: &input.headers,
    };
    if let Err(refused) = verify(&request, &keys, now) {
        assert!(!refused.s3_code().is_empty(), "{refused:?}");
        assert!((400..500).contains(&refused.http_status()), "{refused:?}");
    }
});
