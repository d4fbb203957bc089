//! [`ServiceSettings`]: what the service reads from `app.json` `settings` — the default
//! storage and where records live — checked once, errors naming `app.json` and the field.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use jit_element::vars::{substitute_str, SubstituteError, VariableSource};
use jit_element::App;
use jit_storage::StorageAppExt;
use serde_json::Value;

use crate::error::{SvcError, SvcErrorKind, SvcResult};
use jit_thumbnail::ThumbnailLimits;

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

/// The time the service goes by: the system clock, or a clock the caller moves (tests,
/// simulations of expiry).
#[derive(Debug, Clone, Default)]
pub enum Clock {
    /// The system clock.
    #[default]
    System,
    /// A manual clock: milliseconds since the Unix epoch, moved by whoever holds it.
    Manual(Arc<AtomicI64>),
}

impl Clock {
    /// A manual clock starting at the system time.
    pub fn manual() -> Clock {
        Clock::Manual(Arc::new(AtomicI64::new(Clock::System.now_ms())))
    }

    /// Now, in milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        match self {
            Clock::System => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_millis() as i64)
                .unwrap_or(0),
            Clock::Manual(ms) => ms.load(Ordering::SeqCst),
        }
    }

    /// Moves a manual clock forward by `ms` milliseconds (does nothing to the system
    /// clock).
    pub fn advance_ms(&self, ms: i64) {
        if let Clock::Manual(now) = self {
            now.fetch_add(ms, Ordering::SeqCst);
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
    /// ([`SERVICE_PATH`] by default).
    pub service_path: String,
    /// Limits on the images thumbnails are made from.
    pub thumbnail_limits: ThumbnailLimits,
    /// The clock expiry is decided by.
    pub clock: Clock,
}

/// The path prefix the HTTP service answers under: `<prefix>/<method>`.
pub const SERVICE_PATH: &str = "/storages/services/StorageSvc";

/// The keys `settings.storageService` may hold.
const SERVICE_KEYS: [&str; 2] = ["databaseUrl", "sqlitePath"];

/// The default SQLite file, relative to the app folder.
pub const DEFAULT_SQLITE_PATH: &str = "data/storage-svc/records.sqlite3";

impl ServiceSettings {
    /// The settings in `app`'s `app.json`; a wrong value is a
    /// [`SvcErrorKind::Config`] error naming `app.json` and the field.
    pub fn from_app(app: &App) -> SvcResult<ServiceSettings> {
        let app_json = app.root().join("app.json");
        let config_error = |field: &str, message: String| {
            SvcError::new(SvcErrorKind::Config, "open", message)
                .with_setting(&app_json, format!("settings.{field}"))
        };
        let settings = app.settings();
        if let Some(default_element) = settings.get("defaultElement") {
            if let Some(v) = default_element.get("defaultStorage") {
                if !v.is_string() {
                    return Err(config_error(
                        "defaultElement.defaultStorage",
                        "must be a string naming a storage element".into(),
                    ));
                }
            }
        }
        if let Some(v) = settings.get("defaultStorage") {
            if !v.is_string() {
                return Err(config_error(
                    "defaultStorage",
                    "must be a string naming a storage element".into(),
                ));
            }
        }
        let mut database_url = None;
        let mut sqlite_path = None;
        match settings.get("storageService") {
            None | Some(Value::Null) => {}
            Some(Value::Object(map)) => {
                for (key, value) in map {
                    let field = format!("storageService.{key}");
                    if !SERVICE_KEYS.contains(&key.as_str()) {
                        return Err(config_error(
                            &field,
                            format!("unknown key{}", did_you_mean(key, &SERVICE_KEYS)),
                        ));
                    }
                    let Some(text) = value.as_str() else {
                        return Err(config_error(&field, "must be a string".into()));
                    };
                    if key == "databaseUrl" {
                        database_url = Some(
                            substitute(app, text, &field).map_err(|m| config_error(&field, m))?,
                        );
                    } else {
                        sqlite_path = Some(text.trim().to_string());
                    }
                }
            }
            Some(_) => {
                return Err(config_error(
                    "storageService",
                    "must be an object with `databaseUrl` and/or `sqlitePath`".into(),
                ))
            }
        }
        let database = match database_url.as_deref().map(str::trim) {
            None | Some("") => {
                let relative = sqlite_path
                    .filter(|p| !p.is_empty())
                    .unwrap_or_else(|| DEFAULT_SQLITE_PATH.to_string());
                RecordsDatabase::Sqlite(resolve(app.root(), &relative))
            }
            Some(url) => parse_database_url(app.root(), url)
                .map_err(|m| config_error("storageService.databaseUrl", m))?,
        };
        Ok(ServiceSettings {
            default_storage: app.default_storage_name(),
            database,
            service_path: SERVICE_PATH.to_string(),
            thumbnail_limits: ThumbnailLimits::default(),
            clock: Clock::System,
        })
    }
}

/// `postgres://`/`postgresql://` → PostgreSQL, `sqlite:` → SQLite (a relative path is
/// relative to the app folder), anything else an error. Never echoes the URL (it may
/// hold a password).
fn parse_database_url(root: &Path, url: &str) -> Result<RecordsDatabase, String> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(RecordsDatabase::Postgres(url.to_string()));
    }
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let path = rest.strip_prefix("//").unwrap_or(rest);
        let path = path.split('?').next().unwrap_or_default();
        if path.is_empty() {
            return Err("a sqlite: URL must name a file (sqlite://path/to/records.sqlite3)".into());
        }
        return Ok(RecordsDatabase::Sqlite(resolve(root, path)));
    }
    let scheme = url.split_once(':').map(|(s, _)| s).unwrap_or("(none)");
    Err(format!(
        "must be a postgres://, postgresql:// or sqlite: URL; the scheme is {scheme:?}"
    ))
}

fn resolve(root: &Path, path: &str) -> PathBuf {
    let path = PathBuf::from(path);
    if path.is_absolute() {
        path
    } else {
        root.join(path)
    }
}

/// The app's variables, as [`App::variable`] has them.
struct AppVariables<'a>(&'a App);

impl VariableSource for AppVariables<'_> {
    fn lookup(&self, name: &str) -> Option<String> {
        self.0.variable(name)
    }
}

fn substitute(app: &App, text: &str, field: &str) -> Result<String, String> {
    substitute_str(text, &AppVariables(app), field).map_err(|e| match e {
        SubstituteError::Unresolved(u) | SubstituteError::Undeclared(u) => {
            format!("the variable {:?} has no value", u.variable)
        }
        SubstituteError::Malformed { message, .. } => {
            // The message quotes the input, which may hold a password: keep it out.
            let _ = message;
            "a variable reference is malformed (use ${NAME} or {{NAME}})".to_string()
        }
        _ => "a variable reference cannot be substituted".to_string(),
    })
}

/// `; did you mean "x"?` when a known key is close to `key`.
fn did_you_mean(key: &str, known: &[&str]) -> String {
    let lower = key.to_ascii_lowercase();
    known
        .iter()
        .find(|k| {
            let k = k.to_ascii_lowercase();
            k == lower || k.contains(&lower) || lower.contains(&k) || distance(&k, &lower) <= 2
        })
        .map(|k| format!("; did you mean {k:?}?"))
        .unwrap_or_else(|| format!("; known keys: {}", known.join(", ")))
}

/// Levenshtein distance, for did-you-mean.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            current[j + 1] = (previous[j] + usize::from(ca != *cb))
                .min(previous[j + 1] + 1)
                .min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_keys() {
        assert!(did_you_mean("databaseURL", &SERVICE_KEYS).contains("\"databaseUrl\""));
        assert!(did_you_mean("sqlitPath", &SERVICE_KEYS).contains("\"sqlitePath\""));
        assert!(did_you_mean("zzz", &SERVICE_KEYS).contains("known keys"));
    }

    #[test]
    fn urls_pick_the_database_and_never_echo_the_url() {
        let root = Path::new("/app");
        assert_eq!(
            parse_database_url(root, "postgresql://u:pw@h/db").unwrap(),
            RecordsDatabase::Postgres("postgresql://u:pw@h/db".into())
        );
        assert_eq!(
            parse_database_url(root, "sqlite://data/r.db?mode=rwc").unwrap(),
            RecordsDatabase::Sqlite("/app/data/r.db".into())
        );
        let err = parse_database_url(root, "mysql://u:secret@h/db").unwrap_err();
        assert!(err.contains("mysql") && !err.contains("secret"), "{err}");
        let shown = format!(
            "{:?}",
            RecordsDatabase::Postgres("postgres://u:pw@h/d".into())
        );
        assert!(!shown.contains("pw"));
    }
}
