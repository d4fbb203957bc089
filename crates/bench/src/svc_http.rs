//! The `svc` group over HTTP: StorageSvc's router (`jitstore::service::http::router`)
//! served by axum on 127.0.0.1 in this process, a reqwest client in the same process
//! (both share the runtime and the machine's cores). Rows: preview GET of small files
//! with N tasks, and a large multipart uploadByFile (spooled to a temp file by the
//! router, then stored) in MiB/s with the process's peak RSS while it ran.

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use jitstore::service::http::{router, RouterOptions};
use jitstore::service::{StorageService, UploadRequest, SERVICE_PATH};
use jitstore::storage::Payload;
use reqwest::multipart::{Form, Part};
use reqwest::{Body, Client, StatusCode};
use serde_json::Value;

use crate::error::{BenchError, BenchResult};
use crate::fixture::{large_source, remove, temp_dir};
use crate::protocol::pattern;
use crate::stats::{rate, sample_async, Row};
use crate::svc_fixture::SvcApp;
use crate::svc_work::{fan_out, small_name, SvcContext};
use crate::units::human_bytes;

/// The group name of the HTTP rows.
const GROUP: &str = "svc/HTTP";

/// Bytes in a MiB.
const MIB: f64 = 1024.0 * 1024.0;

/// The router on a listener of its own, stopped when dropped.
struct Server {
    /// `http://127.0.0.1:<port>` followed by the service path.
    url: String,
    /// The serving task.
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves `svc` on 127.0.0.1 with uploads spooled under `spool`: with `TCP_NODELAY`
/// set on every connection (`nodelay`), as `jitstore serve` does, or a plain
/// `axum::serve` (the diagnostic row: `jitstore serve` before it set `TCP_NODELAY`).
async fn serve(
    svc: Arc<StorageService>,
    spool: &std::path::Path,
    nodelay: bool,
) -> BenchResult<Server> {
    use axum::serve::ListenerExt;
    let routes = router(svc, RouterOptions::default().with_upload_dir(spool));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        let served = if nodelay {
            let listener = listener.tap_io(|tcp| {
                let _ = tcp.set_nodelay(true);
            });
            axum::serve(listener, routes).await
        } else {
            axum::serve(listener, routes).await
        };
        if let Err(e) = served {
            eprintln!("svc router stopped: {e}");
        }
    });
    Ok(Server {
        url: format!("http://{addr}{SERVICE_PATH}"),
        task,
    })
}

/// Every HTTP row, on `app` (records in SQLite).
pub async fn run(ctx: &SvcContext, app: &SvcApp) -> BenchResult<Vec<Row>> {
    let work = temp_dir(&ctx.base, "svc-http-").await?;
    let server = serve(app.svc.clone(), work.path(), true).await?;
    let client = Client::builder()
        .build()
        .map_err(|e| BenchError::Http(format!("client: {e}")))?;
    upload_small(ctx, app).await?;
    let mut rows = preview_rows(ctx, &server, &client, &ctx.concurrency, "").await?;
    let plain = serve(app.svc.clone(), work.path(), false).await?;
    let label = ", server without TCP_NODELAY (diagnostic)";
    rows.extend(preview_rows(ctx, &plain, &client, &[1], label).await?);
    drop(plain);
    let source = large_source(work.path(), ctx.upload_bytes).await?;
    rows.extend(upload_rows(ctx, &server, &client, &source).await?);
    rows.push(library_upload_row(ctx, &app.svc, &source).await?);
    drop(server);
    remove(work).await?;
    Ok(rows)
}

/// Uploads the `small_count` files the preview GETs read, through the library.
async fn upload_small(ctx: &SvcContext, app: &SvcApp) -> BenchResult<()> {
    let data = Bytes::from(pattern(ctx.small_bytes, 9));
    for i in 0..ctx.small_count {
        let name = small_name("http", i);
        app.svc
            .upload_by_file(UploadRequest::new(name, data.clone()))
            .await?;
    }
    Ok(())
}

/// GETs the files of [`upload_small`] with each of `concurrency` task counts.
async fn preview_rows(
    ctx: &SvcContext,
    server: &Server,
    client: &Client,
    concurrency: &[usize],
    label: &str,
) -> BenchResult<Vec<Row>> {
    let n = ctx.small_count;
    let size = human_bytes(ctx.small_bytes as u64);
    let mut rows = Vec::new();
    for &tasks in concurrency {
        let samples = sample_async(ctx.plan, |_| {
            let base = server.url.clone();
            let len = ctx.small_bytes;
            fan_out(client.clone(), n, tasks, move |client, i| {
                let url = format!("{base}/preview?file={}", small_name("http", i));
                async move {
                    let body = ok_body(client.get(&url).send().await, &url).await?;
                    if body.len() != len {
                        return Err(BenchError::Check(format!("{url}: {} bytes", body.len())));
                    }
                    Ok(())
                }
            })
        })
        .await?;
        rows.push(Row::new(
            GROUP,
            format!("preview GET {size} ×{n}, {tasks} task(s){label}"),
            "ops/s",
            samples,
        ));
    }
    Ok(rows)
}

/// The body of a 200 answer, or an error naming the URL and status.
async fn ok_body(sent: Result<reqwest::Response, reqwest::Error>, url: &str) -> BenchResult<Bytes> {
    let response = sent.map_err(|e| BenchError::Http(format!("{url}: {e}")))?;
    let status = response.status();
    let body = response
        .bytes()
        .await
        .map_err(|e| BenchError::Http(format!("{url}: body: {e}")))?;
    if status != StatusCode::OK {
        let text = String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned();
        return Err(BenchError::Http(format!("{url}: {status}: {text}")));
    }
    Ok(body)
}

/// The multipart upload of `source`: MiB/s, and (when this kernel lets the process
/// reset its peak) the RSS before and the peak RSS during each upload.
async fn upload_rows(
    ctx: &SvcContext,
    server: &Server,
    client: &Client,
    source: &std::path::Path,
) -> BenchResult<Vec<Row>> {
    let len = ctx.upload_bytes;
    // (RSS before, peak RSS) per run, MiB; the futures push, so a lock (never contended).
    let rss = std::sync::Mutex::new(Vec::<(f64, f64)>::new());
    let rss = &rss;
    let mut rss_ok = true;
    let url = format!("{}/uploadByFile", server.url);
    let speeds = sample_async(ctx.plan, |run| {
        let reset = reset_peak_rss();
        if let Err(e) = &reset {
            if rss_ok {
                eprintln!("svc: peak RSS not reported (/proc/self/clear_refs: {e})");
            }
            rss_ok = false;
        }
        let rss_before = rss_kib("VmRSS");
        let url = url.clone();
        let name = format!("big-r{run}.bin");
        let measure = reset.is_ok();
        async move {
            let start = Instant::now();
            let file = tokio::fs::File::open(source).await?;
            let part = Part::stream_with_length(Body::from(file), len).file_name(name.clone());
            let form = Form::new().part("file", part);
            let body = ok_body(client.post(&url).multipart(form).send().await, &url).await?;
            let answer: Value = serde_json::from_slice(&body)
                .map_err(|e| BenchError::Http(format!("{url}: not JSON: {e}")))?;
            let size = answer["data"]["size"].as_u64();
            if answer["errcode"] != 0 || size != Some(len) {
                return Err(BenchError::Check(format!("{name}: answered {answer}")));
            }
            let speed = rate(len as f64 / MIB, start);
            if measure {
                if let (Some(b), Some(p)) = (rss_before, rss_kib("VmHWM")) {
                    if let Ok(mut v) = rss.lock() {
                        v.push((b as f64 / 1024.0, p as f64 / 1024.0));
                    }
                }
            }
            Ok(speed)
        }
    })
    .await?;
    let size = human_bytes(len);
    let mut rows = vec![Row::new(
        GROUP,
        format!("uploadByFile multipart {size} (spooled, then stored)"),
        "MiB/s",
        speeds,
    )];
    // Warm-up runs push too; keep the measured ones.
    let rss = rss.lock().map(|v| v.clone()).unwrap_or_default();
    let skip = rss.len().saturating_sub(rows[0].samples.len());
    let (before, peaks): (Vec<f64>, Vec<f64>) = rss[skip..].iter().copied().unzip();
    if !peaks.is_empty() {
        rows.push(Row::new(
            GROUP,
            format!("RSS of the process before the {size} upload"),
            "MiB",
            before,
        ));
        rows.push(Row::new(
            GROUP,
            format!("peak RSS during the {size} upload (client + server, one process)"),
            "MiB",
            peaks,
        ));
    }
    Ok(rows)
}

/// The same file through the library, `Payload::from_file` (no HTTP, no spool): what
/// uploadByFile itself costs for a large file (MD5 pass, then the storage's put).
async fn library_upload_row(
    ctx: &SvcContext,
    svc: &Arc<StorageService>,
    source: &std::path::Path,
) -> BenchResult<Row> {
    let len = ctx.upload_bytes;
    let speeds = sample_async(ctx.plan, |run| async move {
        let start = Instant::now();
        let name = format!("big-lib-r{run}.bin");
        let data = Payload::from_file(source).await?;
        let record = svc
            .upload_by_file(UploadRequest::new(name.clone(), data))
            .await?;
        if record.size != Some(len) {
            return Err(BenchError::Check(format!(
                "{name}: recorded {:?}",
                record.size
            )));
        }
        Ok(rate(len as f64 / MIB, start))
    })
    .await?;
    Ok(Row::new(
        GROUP,
        format!(
            "uploadByFile {} through the library, Payload::from_file (no HTTP; diagnostic)",
            human_bytes(len)
        ),
        "MiB/s",
        speeds,
    ))
}

/// Resets this process's peak RSS (`VmHWM`) to its current RSS (Linux ≥ 4.0).
fn reset_peak_rss() -> std::io::Result<()> {
    std::fs::write("/proc/self/clear_refs", "5")
}

/// A `Vm…:` line of /proc/self/status, KiB.
fn rss_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|l| {
        l.strip_prefix(field)?
            .trim_start_matches(':')
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    })
}
