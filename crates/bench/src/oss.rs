//! `storages.OssType` against the local OSS server (`jit-oss-server`) started in this
//! process on 127.0.0.1, with its memory store or its folder store: small put/get with
//! N tasks (V4, and V1 at one task for the signing overhead), a large put multipart
//! and as one PUT, a streamed get; then the Python `oss2` reference against the same
//! server, if available.

use jitstore::oss_server::{start, ServerConfig};
use jitstore::storage::StorageAppExt;
use serde_json::{json, Value};

use crate::disk::{large, small};
use crate::error::BenchResult;
use crate::fixture::{declare, open_app, remove, temp_dir};
use crate::reference;
use crate::stats::Row;
use crate::{human_bytes, Ctx};

/// The bucket the server creates.
pub const BUCKET: &str = "bench-bucket";
/// The access key the server accepts (a local test key, not a real credential).
pub const ACCESS_KEY_ID: &str = "bench-ak";
/// Its secret, handed to the elements as an app variable and to oss2 in its environment.
pub const ACCESS_KEY_SECRET: &str = "bench-secret-not-real";

/// Which backend the server keeps objects in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    /// In memory.
    Memory,
    /// In a folder, every file written to tmp, fsynced and renamed.
    Folder,
}

impl Store {
    fn name(self) -> &'static str {
        match self {
            Store::Memory => "memory",
            Store::Folder => "folder",
        }
    }
}

/// The element config of an OssType pointing at `endpoint` (secret as app variable).
pub fn element_config(endpoint: &str, version: &str, threshold: u64, part: u64) -> Value {
    json!({
        "accessKeyId": ACCESS_KEY_ID,
        "accessKeySecret": "{{BENCH_OSS_SECRET}}",
        "endPoint": endpoint,
        "bucketName": BUCKET,
        "region": "cn-hangzhou",
        "signatureVersion": version,
        "multipartThresholdBytes": threshold,
        "partSizeBytes": part,
    })
}

/// Every OssType benchmark against a fresh server with `store`, then the reference
/// client against the same server.
pub async fn run(ctx: &Ctx, store: Store) -> BenchResult<Vec<Row>> {
    let dir = temp_dir(&ctx.base, &format!("oss-{}-", store.name())).await?;
    let server = start(ServerConfig {
        root: (store == Store::Folder).then(|| dir.path().join("server-data")),
        buckets: vec![BUCKET.to_owned()],
        credentials: vec![(ACCESS_KEY_ID.to_owned(), ACCESS_KEY_SECRET.to_owned())],
        ..ServerConfig::default()
    })
    .await?;
    let endpoint = server.endpoint();
    let app_dir = dir.path().join("app");
    let (thr, part) = (ctx.multipart_threshold, ctx.part_size);
    let single_thr = ctx.large_bytes + 1;
    for (name, version, threshold) in [
        ("OssV4", "v4", thr),
        ("OssV1", "v1", thr),
        ("OssSingle", "v4", single_thr),
    ] {
        let config = element_config(&endpoint, version, threshold, part);
        declare(&app_dir, name, jitstore::OSS_TYPE, &config).await?;
    }
    let vars = vec![("BENCH_OSS_SECRET".to_owned(), ACCESS_KEY_SECRET.to_owned())];
    let app = open_app(&app_dir, vars).await?;
    let v4 = app.storage("storages.OssV4").await?;
    let v1 = app.storage("storages.OssV1").await?;
    let single = app.storage("storages.OssSingle").await?;

    let group = format!("oss/{}", store.name());
    let mut rows = Vec::new();
    for mut row in small(ctx, &v4, &group).await? {
        row.name = format!("V4 {}", row.name);
        rows.push(row);
    }
    let one_task = Ctx {
        concurrency: vec![1],
        ..ctx.clone()
    };
    for mut row in small(&one_task, &v1, &group).await? {
        row.name = format!("V1 {}", row.name);
        rows.push(row);
    }
    let parts = ctx.large_bytes.div_ceil(part);
    let multipart = format!(
        "put multipart ({parts} × {} parts, default concurrency)",
        human_bytes(part)
    );
    rows.extend(large(ctx, &v4, &group, &multipart).await?);
    let mut single_rows = large(ctx, &single, &group, "put single PUT").await?;
    single_rows.pop(); // the get is the same request as above
    rows.extend(single_rows);
    drop((v4, v1, single, app));

    if let Some(reference) = &ctx.reference {
        let label = format!("oss2/{}", store.name());
        match reference::run(ctx, reference, &endpoint, &label, dir.path()).await {
            Ok(more) => rows.extend(more),
            Err(e) => eprintln!("{label}: reference client skipped: {e}"),
        }
    }
    server.shutdown().await?;
    remove(dir).await?;
    Ok(rows)
}
