//! `storages.DiskType` through a real `App` in a temp folder: small `upload_by_file` and
//! `download` with N tasks, a large streamed put from a file and a streamed get, and
//! the listing of many objects.

use bytes::Bytes;
use jitstore::storage::StorageAppExt;
use serde_json::json;

use crate::context::StorageContext;
use crate::error::{BenchError, BenchResult};
use crate::fixture::{declare, open_app, remove, temp_dir};
use crate::stats::{sample_async, Row};
use crate::storage_rows::{large_object_rows, small_object_rows};
use crate::workload::{list_all, small_puts, Storage};

/// The group name of every DiskType row.
const GROUP: &str = "disk";

/// Every DiskType benchmark.
pub async fn run(ctx: &StorageContext) -> BenchResult<Vec<Row>> {
    let dir = temp_dir(&ctx.base, "disk-app-").await?;
    declare(
        dir.path(),
        "Files",
        jitstore::DISK_TYPE,
        &json!({ "directory": "data" }),
    )
    .await?;
    let app = open_app(dir.path(), Vec::new()).await?;
    let storage = app.storage("storages.Files").await?;
    let mut rows = small_object_rows(ctx, &storage, GROUP).await?;
    let put_label = "streamed put (Payload::from_file)";
    rows.extend(large_object_rows(ctx, &storage, GROUP, put_label).await?);
    rows.extend(listing(ctx, &storage).await?);
    drop((storage, app));
    remove(dir).await?;
    Ok(rows)
}

/// Writes `list_count` objects with 16 tasks (reported once, it is one long run), then
/// times full listings.
async fn listing(ctx: &StorageContext, storage: &Storage) -> BenchResult<Vec<Row>> {
    let n = ctx.list_count;
    let populate = small_puts(storage, "list", n, 16, Bytes::from_static(b"x")).await?;
    let times = sample_async(ctx.plan, |_| async {
        let (count, ms) = list_all(storage, "list").await?;
        if count != n {
            return Err(BenchError::Check(format!("listed {count} of {n} objects")));
        }
        Ok(ms)
    })
    .await?;
    Ok(vec![
        Row::new(
            GROUP,
            format!("create {n} 1-byte objects to list, 16 tasks (one run)"),
            "ops/s",
            vec![populate],
        ),
        Row::new(GROUP, format!("list {n} objects (all pages)"), "ms", times),
    ])
}
