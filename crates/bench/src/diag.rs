//! A diagnostic, not a product path: the same local server (`build_state` + `router`
//! from `jit-oss-server`) served by this binary with `TCP_NODELAY` set on every
//! accepted connection, to show how much of the small-request latency is Nagle's
//! algorithm meeting delayed ACKs (`jit_oss_server::start` leaves Nagle on).

use std::path::Path;

use axum::serve::ListenerExt;
use jitstore::oss_server::{build_state, router, ServerConfig};
use jitstore::storage::StorageAppExt;
use tokio::sync::oneshot;

use crate::disk::small;
use crate::error::{BenchError, BenchResult};
use crate::fixture::{declare, open_app};
use crate::oss::{element_config, Store, ACCESS_KEY_ID, ACCESS_KEY_SECRET, BUCKET};
use crate::stats::Row;
use crate::Ctx;

/// Small put/get at one task against a `TCP_NODELAY` server with `store` (data in
/// `scratch`); rows in `group`, names marked as diagnostic.
pub async fn nodelay_rows(
    ctx: &Ctx,
    store: Store,
    group: &str,
    scratch: &Path,
) -> BenchResult<Vec<Row>> {
    let state = build_state(ServerConfig {
        root: (store == Store::Folder).then(|| scratch.join("nodelay-data")),
        buckets: vec![BUCKET.to_owned()],
        credentials: vec![(ACCESS_KEY_ID.to_owned(), ACCESS_KEY_SECRET.to_owned())],
        ..ServerConfig::default()
    })
    .await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            eprintln!("diagnostic server: cannot set TCP_NODELAY: {e}");
        }
    });
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, router(state))
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await
    });

    let app_dir = scratch.join("nodelay-app");
    let config = element_config(
        &format!("http://{addr}"),
        "v4",
        ctx.multipart_threshold,
        ctx.part_size,
    );
    declare(&app_dir, "OssNoDelay", jitstore::OSS_TYPE, &config).await?;
    let vars = vec![("BENCH_OSS_SECRET".to_owned(), ACCESS_KEY_SECRET.to_owned())];
    let app = open_app(&app_dir, vars).await?;
    let storage = app.storage("storages.OssNoDelay").await?;
    let one_task = Ctx {
        concurrency: vec![1],
        ..ctx.clone()
    };
    let result = small(&one_task, &storage, group).await;
    drop((storage, app));
    let _ = stop.send(());
    server
        .await
        .map_err(|e| BenchError::Check(format!("diagnostic server task: {e}")))??;
    let mut rows = result?;
    for row in &mut rows {
        row.name = format!("V4 {}, server TCP_NODELAY (diagnostic)", row.name);
    }
    Ok(rows)
}
