//! `storages.DiskType` through a real `App` in a temp folder: small `upload_by_file` and
//! `download` with N tasks, a large streamed put from a file and a streamed get, and
//! the listing of many objects.

use bytes::Bytes;
use jitstore::storage::StorageAppExt;
use serde_json::json;

use crate::error::{BenchError, BenchResult};
use crate::fixture::{declare, open_app, remove, temp_dir};
use crate::protocol::pattern;
use crate::stats::{sample_async, Plan, Row};
use crate::workload::{large_get, large_put, list_all, small_gets, small_puts, Storage};
use crate::{human_bytes, Ctx};

const GROUP: &str = "disk";

/// Every DiskType benchmark.
pub async fn run(ctx: &Ctx) -> BenchResult<Vec<Row>> {
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
    let mut rows = small(ctx, &storage, GROUP).await?;
    rows.extend(large(ctx, &storage, GROUP, "streamed put (Payload::from_file)").await?);
    rows.extend(listing(ctx, &storage).await?);
    drop((storage, app));
    remove(dir).await?;
    Ok(rows)
}

/// Small puts then gets, at each concurrency; fresh keys per run so every put creates
/// an object (the common JitAi case) rather than replacing one.
pub async fn small(ctx: &Ctx, storage: &Storage, group: &str) -> BenchResult<Vec<Row>> {
    let data = Bytes::from(pattern(ctx.small_bytes, 42));
    let size = human_bytes(ctx.small_bytes as u64);
    let n = ctx.small_count;
    let mut rows = Vec::new();
    for &tasks in &ctx.concurrency {
        let mut last = String::new();
        let puts = sample_async(ctx.plan, |run| {
            last = format!("small-t{tasks}-r{run}");
            let prefix = last.clone();
            let data = data.clone();
            async move { small_puts(storage, &prefix, n, tasks, data).await }
        })
        .await?;
        rows.push(Row::new(
            group,
            format!("put {size} ×{n}, {tasks} task(s)"),
            "ops/s",
            puts,
        ));
        let gets = sample_async(ctx.plan, |_| {
            small_gets(storage, &last, n, tasks, ctx.small_bytes)
        })
        .await?;
        rows.push(Row::new(
            group,
            format!("get {size} ×{n}, {tasks} task(s)"),
            "ops/s",
            gets,
        ));
    }
    Ok(rows)
}

/// The large put (labelled `put_label`) and get, one key overwritten each run.
pub async fn large(
    ctx: &Ctx,
    storage: &Storage,
    group: &str,
    put_label: &str,
) -> BenchResult<Vec<Row>> {
    let key = "large/object.bin";
    let size = human_bytes(ctx.large_bytes);
    let puts = sample_async(large_plan(ctx.plan), |_| {
        large_put(storage, key, &ctx.source)
    })
    .await?;
    let gets = sample_async(large_plan(ctx.plan), |_| {
        large_get(storage, key, ctx.large_bytes)
    })
    .await?;
    Ok(vec![
        Row::new(group, format!("{put_label} {size}"), "MiB/s", puts),
        Row::new(group, format!("streamed get {size}"), "MiB/s", gets),
    ])
}

/// Large transfers take long per sample: at most the plan's count, same budget.
pub fn large_plan(plan: Plan) -> Plan {
    Plan {
        warmup: plan.warmup.min(1),
        ..plan
    }
}

/// Writes `list_count` objects with 16 tasks (reported once, it is one long run), then
/// times full listings.
async fn listing(ctx: &Ctx, storage: &Storage) -> BenchResult<Vec<Row>> {
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
