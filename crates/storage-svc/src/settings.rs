//! [`ServiceSettings`]: what the service reads from `app.json` `settings` — the default
//! storage and where records live — checked once, errors naming `app.json` and the field.

use std::path::PathBuf;

use crate::thumbnail::ThumbnailLimits;

/// Where the file records live.
#[derive(Clone, PartialEq, Eq)]
pub enum RecordsDatabase {
    /// A SQLite file (created with its folders if missing).
    Sqlite(PathBuf),
    /// A PostgreSQL URL (`postgres://…`); shared by several runtime instances.
    Postgres(String),
}

/// Hides the PostgreSQL URL's password.
impl std::fmt::Debug for RecordsDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RecordsDatabase::Sqlite(path) => f.debug_tuple("Sqlite").field(path).finish(),
            RecordsDatabase::Postgres(_) => f.write_str("Postgres(…)"),
        }
    }
}

/// The service's settings.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServiceSettings {
    /// The storage used when a call names none: `app.json`
    /// `settings.defaultElement.defaultStorage`, else `settings.defaultStorage`, else
    /// `storages.Default`.
    pub default_storage: String,
    /// Where records live: `settings.storageService.databaseUrl` (variables substituted;
    /// empty means the default), else SQLite at
    /// `<app>/data/storage-svc/records.sqlite3`.
    pub database: RecordsDatabase,
    /// The path the HTTP service answers under, used in records' `url`
    /// ([`SERVICE_PATH`](crate::SERVICE_PATH) by default).
    pub service_path: String,
    /// Limits on the images thumbnails are made from.
    pub thumbnail_limits: ThumbnailLimits,
}
