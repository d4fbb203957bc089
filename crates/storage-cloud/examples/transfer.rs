//! One large transfer through `OssStorage`, for measuring the client's CPU and memory
//! from outside (`/usr/bin/time -v`, `valgrind --tool=callgrind`) against a server in
//! another process (`jitstore serve-oss`):
//!
//! ```text
//! JITSTORE_OSS_ACCESS_KEY_SECRET=secret jitstore serve-oss --addr 127.0.0.1:9000 \
//!     --bucket bench --access-key-id ak &
//! cargo build --release -p jit-storage-cloud --example transfer
//! OSS_SECRET=secret /usr/bin/time -v target/release/examples/transfer \
//!     put http://127.0.0.1:9000 bench big.bin ./big.bin
//! OSS_SECRET=secret /usr/bin/time -v target/release/examples/transfer \
//!     get http://127.0.0.1:9000 bench big.bin /dev/null
//! ```
//!
//! The access key id is `OSS_AK` (default `ak`), the secret `OSS_SECRET` (default
//! `secret`); `TRANSFER_CONFIG` holds more element keys as a JSON object (e.g.
//! `{"multipartConcurrency": 4}`), merged over the defaults (path style, V4, region
//! `cn-hangzhou`). A GET writes to the file named, `/dev/null` included. Nothing is
//! timed here: the process is measured from outside.

use std::io::Write;

use futures::StreamExt;
use jit_storage::{GetOptions, Payload, PutOptions, StorageMeta};
use jit_storage_cloud::{OssConfig, OssStorage};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [op, endpoint, bucket, key, path] = args.as_slice() else {
        return Err("usage: transfer put|get ENDPOINT BUCKET KEY FILE".into());
    };
    let mut config = serde_json::json!({
        "accessKeyId": std::env::var("OSS_AK").unwrap_or_else(|_| "ak".into()),
        "accessKeySecret": std::env::var("OSS_SECRET").unwrap_or_else(|_| "secret".into()),
        "endPoint": endpoint,
        "bucketName": bucket,
        "region": "cn-hangzhou",
        "pathStyle": true,
    });
    if let Ok(extra) = std::env::var("TRANSFER_CONFIG") {
        let extra: serde_json::Value = serde_json::from_str(&extra)?;
        for (k, v) in extra.as_object().ok_or("TRANSFER_CONFIG: not an object")? {
            config[k] = v.clone();
        }
    }
    let config: OssConfig = serde_json::from_value(config)?;
    let storage = OssStorage::new(&config)?;
    match op.as_str() {
        "put" => {
            let payload = Payload::from_file(path).await?;
            let done = storage.put(key, payload, PutOptions::default()).await?;
            eprintln!("put {} bytes, crc64 {:?}", done.size, done.crc64);
        }
        "get" => {
            let read = storage.get(key, GetOptions::default()).await?;
            let mut out = std::fs::File::create(path)?;
            let mut stream = read.stream;
            let mut total = 0u64;
            while let Some(chunk) = stream.next().await {
                let chunk = chunk?;
                total += chunk.len() as u64;
                out.write_all(&chunk)?;
            }
            eprintln!("got {total} bytes of {}", read.info.size);
        }
        other => return Err(format!("unknown operation {other:?}: put or get").into()),
    }
    Ok(())
}
