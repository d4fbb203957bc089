//! `jitstore serve`: the app's StorageSvc over HTTP (`/storages/services/StorageSvc/…`),
//! its page's static files at `/`, writes behind `Authorization: Bearer` when
//! `JITSTORE_TOKEN` is set, and the expiry sweep; in the foreground until Ctrl-C (or
//! SIGTERM).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::serve::ListenerExt;
use clap::Args;
use jit_element::App;
use jit_storage_svc::http::{router, BearerToken, RouterOptions};
use jit_storage_svc::{StorageService, StorageServiceAppExt};
use tower_http::services::ServeDir;

use super::error::CliError;
use super::serve::stop_requested;

/// The variable holding the bearer token writes need.
const TOKEN_VAR: &str = "JITSTORE_TOKEN";

/// Arguments of `serve`.
#[derive(Debug, Args)]
pub struct ServeAppArgs {
    /// Address to listen on (loopback by default).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Folder of the page served at `/` [default: `<app>/web` when it exists].
    #[arg(long, value_name = "DIR")]
    page: Option<PathBuf>,
    /// Origin allowed to call the service from a browser (`http://host:port` or `*`);
    /// may be repeated.
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    cors_origins: Vec<String>,
    /// Seconds between two sweeps of expired files (1 or more).
    #[arg(long, value_name = "SECONDS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    sweep_interval: u64,
    /// The largest file uploadByFile accepts, in bytes [default: 1 GiB].
    #[arg(long, value_name = "BYTES")]
    max_upload_bytes: Option<u64>,
}

/// Serves `app` (opened from `root`) until Ctrl-C or SIGTERM.
pub async fn serve_app(app: &App, root: &Path, args: ServeAppArgs) -> Result<(), CliError> {
    let service = app.storage_service().await.map_err(service_error)?;
    let mut options = RouterOptions::default();
    for origin in &args.cors_origins {
        options = options.with_cors_origin(origin.clone());
    }
    if let Some(max) = args.max_upload_bytes {
        options = options.with_max_upload_bytes(max);
    }
    let token = std::env::var(TOKEN_VAR).unwrap_or_default();
    let protected = !token.trim().is_empty();
    if protected {
        options = options.with_hook(BearerToken::new(token.trim()));
    }
    options.validate().map_err(service_error)?;

    let page = match args.page {
        Some(dir) if !dir.is_dir() => {
            return Err(CliError::Serve(format!(
                "--page {}: not a folder",
                dir.display()
            )))
        }
        Some(dir) => Some(dir),
        None => Some(root.join("web")).filter(|d| d.is_dir()),
    };
    let mut routes = router(service.clone(), options);
    if let Some(dir) = &page {
        routes = routes.fallback_service(ServeDir::new(dir));
    }

    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .map_err(|e| CliError::Serve(format!("cannot listen on {}: {e}", args.addr)))?;
    let addr = listener
        .local_addr()
        .map_err(|e| CliError::Serve(format!("cannot read the address listened on: {e}")))?;
    let sweeper = tokio::spawn(sweep(service, Duration::from_secs(args.sweep_interval)));
    println!("serving {} on http://{addr}", root.display());
    eprintln!(
        "jitstore: StorageSvc at http://{addr}{}/<method>; writes {}; page: {}; Ctrl-C stops it",
        jit_storage_svc::SERVICE_PATH,
        if protected {
            "need Authorization: Bearer $JITSTORE_TOKEN"
        } else {
            "are open (set JITSTORE_TOKEN to require a bearer token)"
        },
        page.as_ref()
            .map_or_else(|| "none".to_owned(), |d| d.display().to_string()),
    );
    let (stopped_tx, stopped_rx) = tokio::sync::oneshot::channel();
    // Headers and a streamed body leave as separate small writes; without TCP_NODELAY
    // the second waits for the client's delayed ACK (~25 ms a request, measured).
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let served = axum::serve(listener, routes)
        .with_graceful_shutdown(async move {
            let _ = stopped_tx.send(stop_requested().await);
        })
        .await
        .map_err(|e| CliError::Serve(format!("serving: {e}")));
    sweeper.abort();
    let stopped = stopped_rx
        .await
        .unwrap_or_else(|_| Err(CliError::Serve("stopped unexpectedly".to_owned())));
    served.and(stopped)
}

/// Deletes expired files every `every`, logging what it did.
async fn sweep(service: Arc<StorageService>, every: Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match service.sweep_expired().await {
            Ok(0) => {}
            Ok(n) => tracing::info!("StorageSvc: the sweep deleted {n} expired file(s)"),
            Err(e) => tracing::warn!("StorageSvc: the sweep failed: {e}"),
        }
    }
}

fn service_error(e: jit_storage_svc::SvcError) -> CliError {
    CliError::Serve(e.to_string())
}
