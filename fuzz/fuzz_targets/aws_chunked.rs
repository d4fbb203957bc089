//! Fuzz target: the `aws-chunked` decoder. Any bytes, fed in pieces of any size, give a
//! decoded body or an error, never a panic; and a body our encoder wrote, with any
//! chunking and trailers, decodes to exactly its bytes and trailers however it is split.

#![no_main]

use jit_oss_protocol::s3::{ChunkedDecoder, ChunkedEncoder};
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    /// Raw bytes handed to a decoder as they are.
    raw: Vec<u8>,
    /// A body, the sizes of the chunks it is written in, and a trailer value.
    body: Vec<u8>,
    chunk_sizes: Vec<u16>,
    trailer: Option<u64>,
    /// Where the received bytes are cut into the pieces fed to the decoder.
    cuts: Vec<u16>,
}

/// Feeds `bytes` to a fresh unsigned decoder in pieces cut at `cuts`.
fn decode(bytes: &[u8], cuts: &[u16]) -> Result<(Vec<u8>, Vec<(String, String)>), String> {
    let mut decoder = ChunkedDecoder::unsigned();
    let mut out = Vec::new();
    let mut rest = bytes;
    for cut in cuts {
        let at = usize::from(*cut).min(rest.len());
        let (piece, after) = rest.split_at(at);
        decoder.feed(piece, &mut out).map_err(|e| e.to_string())?;
        rest = after;
    }
    decoder.feed(rest, &mut out).map_err(|e| e.to_string())?;
    let trailers = decoder.finish().map_err(|e| e.to_string())?;
    Ok((out, trailers))
}

fuzz_target!(|input: Input| {
    let _ = decode(&input.raw, &input.cuts);

    let mut encoder = ChunkedEncoder::unsigned();
    let mut wire = Vec::new();
    let mut rest = &input.body[..];
    for size in input.chunk_sizes.iter().map(|s| usize::from(*s).max(1)) {
        if rest.is_empty() {
            break;
        }
        let (chunk, after) = rest.split_at(size.min(rest.len()));
        encoder.encode_chunk(chunk, &mut wire);
        rest = after;
    }
    encoder.encode_chunk(rest, &mut wire);
    let value = input.trailer.map(|v| v.to_string());
    let trailers: Vec<(&str, &str)> = value
        .iter()
        .map(|v| ("x-amz-checksum-crc64nvme", v.as_str()))
        .collect();
    encoder.finish(&trailers, &mut wire);

    let (decoded, got) = decode(&wire, &input.cuts).expect("our own encoding decodes");
    assert_eq!(decoded, input.body);
    let expected: Vec<(String, String)> = trailers
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    assert_eq!(got, expected);
});
