//! `storages.OssType` against the local OSS server (`jit-oss-server`) started in this
//! process on 127.0.0.1, with its memory store or its folder store: small put/get with
//! N tasks (V4, and V1 at one task for the signing overhead), a large put multipart
//! and as one PUT, a streamed get; then the Python `oss2` reference against the same
//! server, if asked for.

use jitstore::storage::StorageAppExt;

use crate::context::StorageContext;
use crate::error::BenchResult;
use crate::fixture::{declare, open_app, remove, temp_dir};
use crate::oss_fixture::{element_config, secret_variables, start_server, Store};
use crate::reference::{self, Reference};
use crate::stats::Row;
use crate::storage_rows::{large_object_rows, small_object_rows};
use crate::units::human_bytes;

/// Every OssType benchmark against a fresh server with `store`, then the `reference`
/// client, if given, against the same server.
pub async fn run(
    ctx: &StorageContext,
    store: Store,
    reference: Option<&Reference>,
) -> BenchResult<Vec<Row>> {
    let dir = temp_dir(&ctx.base, &format!("oss-{}-", store.name())).await?;
    let server = start_server(store, &dir.path().join("server-data")).await?;
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
    let app = open_app(&app_dir, secret_variables()).await?;
    let v4 = app.storage("storages.OssV4").await?;
    let v1 = app.storage("storages.OssV1").await?;
    let single = app.storage("storages.OssSingle").await?;

    let group = format!("oss/{}", store.name());
    let mut rows = Vec::new();
    for mut row in small_object_rows(ctx, &v4, &group).await? {
        row.name = format!("V4 {}", row.name);
        rows.push(row);
    }
    for mut row in small_object_rows(&ctx.with_one_task(), &v1, &group).await? {
        row.name = format!("V1 {}", row.name);
        rows.push(row);
    }
    let parts = ctx.large_bytes.div_ceil(part);
    let multipart = format!(
        "put multipart ({parts} × {} parts, default concurrency)",
        human_bytes(part)
    );
    rows.extend(large_object_rows(ctx, &v4, &group, &multipart).await?);
    let mut single_rows = large_object_rows(ctx, &single, &group, "put single PUT").await?;
    single_rows.pop(); // the get is the same request as above
    rows.extend(single_rows);
    drop((v4, v1, single, app));

    if let Some(reference) = reference {
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
