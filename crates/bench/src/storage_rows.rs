//! The rows DiskType and OssType share, sampled the same way for both: small puts then
//! gets at each concurrency, and a large streamed put followed by a streamed get.

use bytes::Bytes;

use crate::context::StorageContext;
use crate::error::BenchResult;
use crate::protocol::pattern;
use crate::stats::{sample_async, Plan, Row};
use crate::units::human_bytes;
use crate::workload::{large_get, large_put, small_gets, small_puts, Storage};

/// Small puts then gets, at each concurrency; fresh keys per run so every put creates
/// an object (the common JitAi case) rather than replacing one.
pub async fn small_object_rows(
    ctx: &StorageContext,
    storage: &Storage,
    group: &str,
) -> BenchResult<Vec<Row>> {
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
pub async fn large_object_rows(
    ctx: &StorageContext,
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

/// Large transfers take long per sample: at most one warm-up run, same count and budget.
fn large_plan(plan: Plan) -> Plan {
    Plan {
        warmup: plan.warmup.min(1),
        ..plan
    }
}
