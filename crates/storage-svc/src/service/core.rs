//! [`StorageService`] itself: opening it (settings, record store) and what every method
//! shares — picking the storage, checking names, turning rows into [`FileRecord`]s and
//! failures into [`SvcError`]s.

use std::sync::Arc;

use jit_element::{App, ElementError, ElementErrorKind, WeakApp};
use jit_storage::{
    validate_object_name, StorageAppExt, StorageError, StorageErrorKind, StorageMeta,
};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::error::{SvcError, SvcErrorKind, SvcResult};
use crate::record::FileRecord;
use crate::records::{FileRow, RecordStore};
use crate::settings::ServiceSettings;

/// JitAi's `storages.services.StorageSvc` for one app.
///
/// It holds its app weakly: the app caches the service (as an element, or in
/// [`App::shared`]), so a strong handle would keep both, and the record store's
/// connections, alive forever. Keep the [`App`] for as long as you use the service
/// (the HTTP [`router`](crate::http::router) keeps it for you): once every clone of the
/// app is dropped, calls fail with [`SvcErrorKind::Config`](crate::SvcErrorKind::Config).
pub struct StorageService {
    pub(crate) app: WeakApp,
    pub(crate) root: std::path::PathBuf,
    pub(crate) settings: ServiceSettings,
    pub(crate) records: RecordStore,
}

impl std::fmt::Debug for StorageService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StorageService")
            .field("app", &self.root)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// Characters kept as they are in a query value: RFC 3986's unreserved ones.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A storage element the service works on: its fullName and the storage.
pub(crate) struct Target {
    pub name: String,
    pub storage: Arc<dyn StorageMeta>,
}

impl StorageService {
    /// Opens the service of `app` with the settings in its `app.json`, connecting to the
    /// record store and migrating its schema.
    pub async fn open(app: &App) -> SvcResult<StorageService> {
        let settings = ServiceSettings::from_app(app)?;
        Self::open_with(app, settings).await
    }

    /// Opens the service of `app` with `settings`.
    pub async fn open_with(app: &App, settings: ServiceSettings) -> SvcResult<StorageService> {
        let records = RecordStore::open(&settings.database).await.map_err(|e| {
            let what = match &settings.database {
                crate::settings::RecordsDatabase::Sqlite(path) => {
                    format!("cannot open the record store (SQLite {})", path.display())
                }
                crate::settings::RecordsDatabase::Postgres(_) => {
                    "cannot open the record store (PostgreSQL at settings.storageService.databaseUrl)"
                        .to_string()
                }
            };
            SvcError::new(SvcErrorKind::Records, "open", what).with_source(e)
        })?;
        Ok(StorageService {
            app: app.downgrade(),
            root: app.root().to_path_buf(),
            settings,
            records,
        })
    }

    /// The app this service fronts, while it is open (the service holds it weakly).
    pub fn app(&self) -> Option<App> {
        self.app.upgrade()
    }

    /// The service's settings.
    pub fn settings(&self) -> &ServiceSettings {
        &self.settings
    }

    /// The record store.
    pub fn records(&self) -> &RecordStore {
        &self.records
    }

    /// Now, by the service's clock, in ms since the epoch.
    pub(crate) fn now_ms(&self) -> i64 {
        self.settings.clock.now_ms()
    }

    /// The storage named by a call's `storage` parameter, or the default one.
    pub(crate) async fn target(
        &self,
        method: &'static str,
        storage: Option<&str>,
    ) -> SvcResult<Target> {
        let name = match storage.map(str::trim) {
            Some(s) if !s.is_empty() => s.to_string(),
            _ => self.settings.default_storage.clone(),
        };
        let app = self.app.upgrade().ok_or_else(|| {
            SvcError::new(
                SvcErrorKind::Config,
                method,
                format!("the app {} was closed", self.root.display()),
            )
            .with_storage(name.clone())
        })?;
        let storage = app
            .storage(&name)
            .await
            .map_err(|e| element_error(method, &name, storage.is_some(), e))?;
        Ok(Target { name, storage })
    }

    /// The record of `row` as callers see it.
    pub(crate) fn file_record(&self, row: FileRow) -> FileRecord {
        let mut url = format!(
            "{}/preview?file={}",
            self.settings.service_path,
            utf8_percent_encode(&row.file_name, QUERY_VALUE)
        );
        if row.store_full_name != self.settings.default_storage {
            url.push_str("&storage=");
            url.extend(utf8_percent_encode(&row.store_full_name, QUERY_VALUE));
        }
        FileRecord {
            id: row.id,
            uid: row.uid,
            md5: row.md5,
            url,
            full_name: format!("{}/{}", row.store_full_name, row.file_name),
            name: row.name,
            file_name: row.file_name,
            size: row.size.map(|s| s.max(0) as u64),
            content_type: row.content_type,
            upload_time: row.upload_time,
            upload_user: row.upload_user,
            expires: row.expires_at,
            retention_period: row.retention_period.map(|s| s.max(0) as u64),
            store_full_name: row.store_full_name,
        }
    }
}

/// Checks a file name with the storages' object-name rules: BadInput naming `parameter`.
pub(crate) fn check_name(method: &'static str, parameter: &str, file: &str) -> SvcResult<()> {
    validate_object_name(file).map_err(|e| {
        SvcError::new(
            SvcErrorKind::BadInput,
            method,
            format!("parameter `{parameter}`: {}", e.message()),
        )
        .with_file(file)
    })
}

/// A storage element that cannot be had: an unknown one is the caller's mistake (naming
/// the `storage` parameter, or the default-storage setting), a broken one a Config error.
fn element_error(method: &'static str, name: &str, given: bool, e: ElementError) -> SvcError {
    let unknown = matches!(
        e.kind(),
        ElementErrorKind::NotFound | ElementErrorKind::WrongFamily
    );
    let error = if unknown && given {
        SvcError::new(
            SvcErrorKind::BadInput,
            method,
            format!("parameter `storage`: {name} is not a storage element of the app"),
        )
    } else if unknown {
        SvcError::new(
            SvcErrorKind::Config,
            method,
            format!(
                "the default storage {name} (app.json settings.defaultElement.defaultStorage \
                 or settings.defaultStorage) is not a storage element of the app"
            ),
        )
    } else {
        SvcError::new(
            SvcErrorKind::Config,
            method,
            format!("the storage element {name} cannot be loaded"),
        )
    };
    error.with_storage(name).with_source(e)
}

/// A storage failure: a missing object is NotFound, the rest Storage; the cause kept.
pub(crate) fn storage_error(
    method: &'static str,
    target: &str,
    file: &str,
    e: StorageError,
) -> SvcError {
    let (kind, message) = match e.kind() {
        StorageErrorKind::NotFound => (SvcErrorKind::NotFound, "the file is not in the storage"),
        _ => (SvcErrorKind::Storage, "the storage failed"),
    };
    SvcError::new(kind, method, message)
        .with_file(file)
        .with_storage(target)
        .with_source(e)
}

/// A record-store failure.
pub(crate) fn records_error(method: &'static str, file: &str, e: sqlx::Error) -> SvcError {
    SvcError::new(SvcErrorKind::Records, method, "the record store failed")
        .with_file(file)
        .with_source(e)
}
