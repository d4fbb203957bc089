//! Shared fixture of the service's tests: a temp app folder with DiskType storages
//! (`storages.Default`; `storages.Signed` with baseUrl and signingKey), its StorageSvc on
//! a manual clock, over SQLite or over a fresh PostgreSQL database made for the test on
//! the real server at 127.0.0.1:5432 (unreachable: the test fails, it does not skip).

#![allow(dead_code)]

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use futures::StreamExt;
use jit_element::App;
use jit_storage::StorageAppBuilderExt;
use jit_storage_disk::{DiskType, DISK_TYPE};
use jit_storage_svc::{Clock, FileContent, ServiceSettings, StorageService};
use serde_json::{json, Value};
use sqlx::{Connection, Executor};

/// The PostgreSQL server's maintenance database.
pub const PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/test";
/// The signing key of `storages.Signed`.
pub const SIGNING_KEY: &str = "svc-test-signing-key-0123456789";

/// Which record store a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// A fresh PostgreSQL database, dropped by [`PgDb::drop_now`] (or, when a test panics
/// before that, when the value is dropped).
pub struct PgDb {
    pub name: String,
    pub url: String,
    dropped: bool,
}

impl Drop for PgDb {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        let name = self.name.clone();
        // Drop runs inside the test's runtime: drop the database from a thread of its own.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(drop_database(&name));
        })
        .join();
    }
}

async fn drop_database(name: &str) {
    if let Ok(mut admin) = sqlx::PgConnection::connect(PG_ADMIN_URL).await {
        let _ = admin
            .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
            .await;
    }
}

impl PgDb {
    pub async fn create() -> PgDb {
        let name = format!("jitstore_{}", uuid::Uuid::new_v4().simple());
        let mut admin = sqlx::PgConnection::connect(PG_ADMIN_URL).await.unwrap_or_else(|e| {
            panic!("PostgreSQL must be running at {PG_ADMIN_URL} (trust auth) for these tests: {e}")
        });
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("create a test database");
        let url = format!("postgres://postgres@127.0.0.1:5432/{name}");
        PgDb {
            name,
            url,
            dropped: false,
        }
    }

    pub async fn drop_now(mut self) {
        let mut admin = sqlx::PgConnection::connect(PG_ADMIN_URL).await.unwrap();
        admin
            .execute(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name).as_str())
            .await
            .expect("drop the test database");
        self.dropped = true;
    }
}

/// A temp app and its service.
pub struct Fixture {
    pub db: Db,
    pub dir: tempfile::TempDir,
    pub app: App,
    pub clock: Clock,
    pub svc: Arc<StorageService>,
    pub pg: Option<PgDb>,
}

impl Fixture {
    /// The folder of `storages.Default`.
    pub fn files(&self) -> PathBuf {
        self.dir.path().join("data/files")
    }

    /// Another service on the same app and database (another runtime instance).
    pub async fn another_service(&self) -> StorageService {
        open_service(&self.app, &self.clock).await
    }
}

/// Writes an element `storages/<name>` of DiskType with `config`.
pub fn declare_disk(app_dir: &Path, name: &str, config: Value) {
    let element = app_dir.join("storages").join(name);
    std::fs::create_dir_all(&element).unwrap();
    let e_json = json!({
        "title": name,
        "type": DISK_TYPE,
        "backendBundleEntry": ".",
        "variables": []
    });
    std::fs::write(element.join("e.json"), e_json.to_string()).unwrap();
    std::fs::write(element.join(format!("{name}.json")), config.to_string()).unwrap();
}

/// Writes the app folder: app.json with `settings`, and the two storages.
pub fn write_app(dir: &Path, settings: Value) {
    std::fs::write(
        dir.join("app.json"),
        json!({ "name": "svc-test", "settings": settings }).to_string(),
    )
    .unwrap();
    declare_disk(dir, "Default", json!({ "directory": "data/files" }));
    declare_disk(
        dir,
        "Signed",
        json!({
            "directory": "data/signed",
            "baseUrl": "http://127.0.0.1:9/files",
            "signingKey": "{{FILES_SIGNING_KEY}}"
        }),
    );
}

/// Opens the app in `dir` with DiskType registered and the test variables.
pub fn open_app(dir: &Path, db_url: Option<&str>) -> App {
    let mut builder = App::builder(dir)
        .register_builtin_storage_type(DISK_TYPE, "Local disk", DiskType::default())
        .set_var("FILES_SIGNING_KEY", SIGNING_KEY);
    if let Some(url) = db_url {
        builder = builder.set_var("JITSTORE_TEST_DB", url);
    }
    builder.open().expect("open the app")
}

async fn open_service(app: &App, clock: &Clock) -> StorageService {
    let mut settings = ServiceSettings::from_app(app).expect("settings");
    settings.clock = clock.clone();
    StorageService::open_with(app, settings)
        .await
        .unwrap_or_else(|e| panic!("open the service: {e}"))
}

/// A fixture on `db`; PostgreSQL's URL comes from a variable, as apps give it.
pub async fn fixture(db: Db) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let pg = match db {
        Db::Sqlite => None,
        Db::Postgres => Some(PgDb::create().await),
    };
    let settings = match db {
        Db::Sqlite => json!({}),
        Db::Postgres => json!({ "storageService": { "databaseUrl": "${JITSTORE_TEST_DB}" } }),
    };
    write_app(dir.path(), settings);
    let app = open_app(dir.path(), pg.as_ref().map(|p| p.url.as_str()));
    let clock = Clock::manual();
    let svc = Arc::new(open_service(&app, &clock).await);
    Fixture {
        db,
        dir,
        app,
        clock,
        svc,
        pg,
    }
}

/// Runs `test` on SQLite, then on a fresh PostgreSQL database.
pub async fn on_both<F, Fut>(test: F)
where
    F: Fn(Fixture) -> Fut,
    Fut: Future<Output = Option<PgDb>>,
{
    for db in [Db::Sqlite, Db::Postgres] {
        let f = fixture(db).await;
        if let Some(pg) = test(f).await {
            pg.drop_now().await;
        }
    }
}

/// Ends a fixture: closes its record store and hands back the PostgreSQL database to drop.
pub async fn finish(f: Fixture) -> Option<PgDb> {
    f.svc.records().close().await;
    f.pg
}

/// The whole body of an answer.
pub async fn body(content: FileContent) -> Bytes {
    let mut stream = content.body.expect("a body");
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        out.extend_from_slice(&chunk.expect("a chunk"));
    }
    Bytes::from(out)
}
