//! What the `svc` group stands on: a temp app whose default storage (`storages.Default`)
//! is a DiskType folder, its StorageSvc with records in SQLite (the default file under
//! the app) or in a PostgreSQL database made for the run and dropped after it.

use std::path::Path;
use std::sync::Arc;

use jitstore::element::App;
use jitstore::service::{RecordsDatabase, ServiceSettings, StorageService};
use serde_json::json;
use sqlx::{Connection, Executor};
use tempfile::TempDir;

use crate::error::{BenchError, BenchResult};
use crate::fixture::{declare, open_app, temp_dir};

/// Where a service keeps its records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Records {
    /// SQLite, `<app>/data/storage-svc/records.sqlite3`.
    Sqlite,
    /// A PostgreSQL database of its own on the server the run was pointed at.
    Postgres,
}

impl Records {
    /// The label used in row names.
    pub fn label(self) -> &'static str {
        match self {
            Records::Sqlite => "SQLite",
            Records::Postgres => "PostgreSQL",
        }
    }
}

/// A PostgreSQL database created for this run; [`PgDb::drop_now`] drops it.
pub struct PgDb {
    /// Its name.
    name: String,
    /// Its URL (same server as the admin URL).
    pub url: String,
    /// The maintenance database's URL it was created from.
    admin_url: String,
}

impl PgDb {
    /// Creates `jitstore_bench_<pid>_<nanos>` through `admin_url`.
    pub async fn create(admin_url: &str) -> BenchResult<PgDb> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!("jitstore_bench_{}_{nanos}", std::process::id());
        let mut admin = connect(admin_url).await?;
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .map_err(|e| BenchError::Database(format!("create database {name}: {e}")))?;
        let base = admin_url
            .rsplit_once('/')
            .map_or(admin_url, |(server, _)| server);
        Ok(PgDb {
            url: format!("{base}/{name}"),
            name,
            admin_url: admin_url.to_owned(),
        })
    }

    /// Drops the database (closing the service's connections first, `WITH (FORCE)`).
    pub async fn drop_now(self) -> BenchResult<()> {
        let mut admin = connect(&self.admin_url).await?;
        admin
            .execute(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name).as_str())
            .await
            .map_err(|e| BenchError::Database(format!("drop database {}: {e}", self.name)))?;
        Ok(())
    }
}

/// A connection to the maintenance database; the URL is not repeated in the error.
async fn connect(admin_url: &str) -> BenchResult<sqlx::PgConnection> {
    sqlx::PgConnection::connect(admin_url).await.map_err(|e| {
        BenchError::Database(format!(
            "PostgreSQL (--pg-url) must be reachable for the svc group: {e}"
        ))
    })
}

/// A temp app with its StorageSvc.
pub struct SvcApp {
    /// The app folder (removed when dropped).
    pub dir: TempDir,
    /// The app (kept alive with the service).
    pub app: App,
    /// The service.
    pub svc: Arc<StorageService>,
}

/// A temp app under `base` with `storages.Default` (DiskType, `data/files`) and its
/// StorageSvc, records in SQLite or at `pg_url`.
pub async fn svc_app(base: &Path, pg_url: Option<&str>) -> BenchResult<SvcApp> {
    let dir = temp_dir(base, "svc-app-").await?;
    let app_json = json!({ "name": "svc-bench", "settings": {} });
    tokio::fs::write(dir.path().join("app.json"), app_json.to_string()).await?;
    declare(
        dir.path(),
        "Default",
        jitstore::DISK_TYPE,
        &json!({ "directory": "data/files" }),
    )
    .await?;
    let app = open_app(dir.path(), Vec::new()).await?;
    let mut settings = ServiceSettings::from_app(&app)?;
    if let Some(url) = pg_url {
        settings.database = RecordsDatabase::Postgres(url.to_owned());
    }
    let svc = Arc::new(StorageService::open_with(&app, settings).await?);
    Ok(SvcApp { dir, app, svc })
}
