//! The `svc` group: `storages.services.StorageSvc` (`jitstore::service`) on a temp app
//! whose default storage is a DiskType folder. Through the library: uploadByFile of
//! small files with N tasks beside a bare `StorageMeta::put` of the same bytes in the
//! same run (what the record costs per upload), and preview (record lookup, stat, read),
//! with records in SQLite and in PostgreSQL. Over HTTP ([`crate::svc_http`]) and for
//! thumbnails ([`crate::svc_thumb`]), on the SQLite app.

use std::time::Instant;

use bytes::Bytes;
use jitstore::service::{ReadOptions, StorageService, UploadRequest};
use jitstore::storage::{Payload, PutOptions, StorageAppExt};

use crate::error::{BenchError, BenchResult};
use crate::fixture::remove;
use crate::protocol::pattern;
use crate::stats::{sample_async, Row};
use crate::svc_fixture::{svc_app, PgDb, Records, SvcApp};
use crate::svc_work::{drain, fan_out, small_name, SvcContext};
use crate::units::human_bytes;
use crate::workload::Storage;

/// Every `svc` row: SQLite (library, HTTP, thumbnails), then PostgreSQL (library).
pub async fn run(ctx: &SvcContext) -> BenchResult<Vec<Row>> {
    let mut rows = Vec::new();
    let t = Instant::now();
    let app = svc_app(&ctx.base, None).await?;
    rows.extend(library_rows(ctx, &app, Records::Sqlite).await?);
    eprintln!("svc (SQLite, library): {:.1} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    rows.extend(crate::svc_http::run(ctx, &app).await?);
    eprintln!("svc (HTTP): {:.1} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    rows.extend(crate::svc_thumb::run(ctx, &app).await?);
    eprintln!("svc (thumbnails): {:.1} s", t.elapsed().as_secs_f64());
    let SvcApp { dir, app, svc } = app;
    drop((svc, app));
    remove(dir).await?;

    let t = Instant::now();
    let pg = PgDb::create(&ctx.pg_admin_url).await?;
    let measured = async {
        let app = svc_app(&ctx.base, Some(&pg.url)).await?;
        let rows = library_rows(ctx, &app, Records::Postgres).await?;
        let SvcApp { dir, app, svc } = app;
        drop((svc, app));
        remove(dir).await?;
        Ok::<_, BenchError>(rows)
    }
    .await;
    // The database goes whatever happened to the measurement.
    pg.drop_now().await?;
    rows.extend(measured?);
    eprintln!(
        "svc (PostgreSQL, library): {:.1} s",
        t.elapsed().as_secs_f64()
    );
    Ok(rows)
}

/// The group name of the rows measured on `records`.
pub fn group(records: Records) -> String {
    format!("svc/{}", records.label())
}

/// At each concurrency: bare puts, uploadByFile calls, then previews of the last run's
/// uploads; fresh names per run, so every upload creates a file and a record.
async fn library_rows(ctx: &SvcContext, app: &SvcApp, records: Records) -> BenchResult<Vec<Row>> {
    let group = group(records);
    let storage = app.app.storage("storages.Default").await?;
    let data = Bytes::from(pattern(ctx.small_bytes, 7));
    let size = human_bytes(ctx.small_bytes as u64);
    let n = ctx.small_count;
    let mut rows = Vec::new();
    for &tasks in &ctx.concurrency {
        let bare = sample_async(ctx.plan, |run| {
            bare_puts(
                &storage,
                format!("bare-t{tasks}-r{run}"),
                n,
                tasks,
                data.clone(),
            )
        })
        .await?;
        rows.push(Row::new(
            &group,
            format!("bare StorageMeta::put {size} ×{n}, {tasks} task(s) (no record)"),
            "ops/s",
            bare,
        ));
        let mut last = String::new();
        let uploads = sample_async(ctx.plan, |run| {
            last = format!("up-t{tasks}-r{run}");
            uploads(&app.svc, last.clone(), n, tasks, data.clone())
        })
        .await?;
        rows.push(Row::new(
            &group,
            format!("uploadByFile {size} ×{n}, {tasks} task(s)"),
            "ops/s",
            uploads,
        ));
        let previews = sample_async(ctx.plan, |_| {
            previews(&app.svc, last.clone(), n, tasks, ctx.small_bytes as u64)
        })
        .await?;
        rows.push(Row::new(
            &group,
            format!("preview {size} ×{n}, {tasks} task(s)"),
            "ops/s",
            previews,
        ));
    }
    Ok(rows)
}

/// `n` `StorageMeta::put` of `data` (no service, no record): ops/s.
async fn bare_puts(
    storage: &Storage,
    prefix: String,
    n: usize,
    tasks: usize,
    data: Bytes,
) -> BenchResult<f64> {
    fan_out(storage.clone(), n, tasks, move |s, i| {
        let key = small_name(&prefix, i);
        let data = data.clone();
        async move {
            let len = data.len() as u64;
            let up = s
                .put(&key, Payload::from(data), PutOptions::default())
                .await?;
            if up.size != len {
                return Err(BenchError::Check(format!(
                    "{key}: stored {} bytes",
                    up.size
                )));
            }
            Ok(())
        }
    })
    .await
}

/// `n` uploadByFile calls of `data` (MD5, object, record): ops/s.
async fn uploads(
    svc: &std::sync::Arc<StorageService>,
    prefix: String,
    n: usize,
    tasks: usize,
    data: Bytes,
) -> BenchResult<f64> {
    fan_out(svc.clone(), n, tasks, move |svc, i| {
        let name = small_name(&prefix, i);
        let data = data.clone();
        async move {
            let len = data.len() as u64;
            let record = svc
                .upload_by_file(UploadRequest::new(name.clone(), data))
                .await?;
            if record.size != Some(len) || record.file_name != name {
                return Err(BenchError::Check(format!(
                    "{name}: recorded {:?} as {}",
                    record.size, record.file_name
                )));
            }
            Ok(())
        }
    })
    .await
}

/// `n` previews of files uploaded by [`uploads`], every byte read: ops/s.
async fn previews(
    svc: &std::sync::Arc<StorageService>,
    prefix: String,
    n: usize,
    tasks: usize,
    len: u64,
) -> BenchResult<f64> {
    fan_out(svc.clone(), n, tasks, move |svc, i| {
        let name = small_name(&prefix, i);
        async move {
            let content = svc.preview(&name, None, ReadOptions::default()).await?;
            let read = drain(content).await?;
            if read != len {
                return Err(BenchError::Check(format!(
                    "{name}: read {read} of {len} bytes"
                )));
            }
            Ok(())
        }
    })
    .await
}
