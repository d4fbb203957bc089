//! What the storage benchmarks stand on: temp folders, app folders declaring storage
//! elements (`storages/<Name>/e.json` + `<Name>.json`), the app opened with the
//! built-in Types, and the large source file written once and shared by all of them.

use std::path::{Path, PathBuf};

use jitstore::element::App;
use jitstore::BuiltinTypes;
use serde_json::{json, Value};
use tempfile::TempDir;
use tokio::io::AsyncWriteExt;

use crate::error::{BenchError, BenchResult};
use crate::protocol::pattern;

/// A fresh temp folder inside `base` (removed when dropped).
pub async fn temp_dir(base: &Path, prefix: &str) -> BenchResult<TempDir> {
    let base = base.to_path_buf();
    let prefix = prefix.to_owned();
    tokio::task::spawn_blocking(move || tempfile::Builder::new().prefix(&prefix).tempdir_in(base))
        .await
        .map_err(|e| BenchError::Check(format!("temp dir task: {e}")))?
        .map_err(BenchError::from)
}

/// Declares `storages.<name>` of `type_name` with `config` in the app folder `root`.
pub async fn declare(root: &Path, name: &str, type_name: &str, config: &Value) -> BenchResult<()> {
    let folder = root.join("storages").join(name);
    tokio::fs::create_dir_all(&folder).await?;
    let e_json = json!({
        "title": format!("benchmark {name}"),
        "type": type_name,
        "backendBundleEntry": ".",
        "variables": []
    });
    tokio::fs::write(folder.join("e.json"), e_json.to_string()).await?;
    tokio::fs::write(folder.join(format!("{name}.json")), config.to_string()).await?;
    Ok(())
}

/// Opens the app in `root` with the official Types and the given variables, as a user
/// would (`App::builder(dir).with_builtin_types().open()`), off the async threads
/// because opening reads the app's folders.
pub async fn open_app(root: &Path, vars: Vec<(String, String)>) -> BenchResult<App> {
    let root = root.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let mut builder = App::builder(root).with_builtin_types();
        for (k, v) in vars {
            builder = builder.set_var(k, v);
        }
        builder.open()
    })
    .await
    .map_err(|e| BenchError::Check(format!("open app task: {e}")))?
    .map_err(BenchError::from)
}

/// Writes `len` bytes of [`pattern`] to `dir/large-source.bin`, in 8 MiB pieces, and
/// returns its path. Written once; every large put streams it back, so it sits in the
/// page cache during the runs (the large puts measure the storage, not this disk read).
pub async fn large_source(dir: &Path, len: u64) -> BenchResult<PathBuf> {
    let path = dir.join("large-source.bin");
    let mut file = tokio::fs::File::create(&path).await?;
    let piece = pattern(8 << 20, 0x5eed);
    let mut left = len;
    while left > 0 {
        let n = left.min(piece.len() as u64) as usize;
        file.write_all(&piece[..n]).await?;
        left -= n as u64;
    }
    file.flush().await?;
    file.sync_all().await?;
    Ok(path)
}

/// Removes a temp folder off the async threads (it may hold thousands of files).
pub async fn remove(dir: TempDir) -> BenchResult<()> {
    tokio::task::spawn_blocking(move || dir.close())
        .await
        .map_err(|e| BenchError::Check(format!("cleanup task: {e}")))?
        .map_err(BenchError::from)
}
