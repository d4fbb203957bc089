//! The object commands: elements, put, get, stat, rm, sign, ls.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use jit_element::App;
use jit_storage::{
    GetOptions, ListOptions, Payload, PresignMethod, PresignOptions, PutOptions, StorageAppExt,
    StorageError,
};
use tokio::io::AsyncWriteExt;

use super::error::CliError;
use super::progress::bytes_bar;
use jit_storage::StorageMetaExt;

fn local_error(path: &Path, source: std::io::Error) -> CliError {
    CliError::LocalFile {
        path: path.display().to_string(),
        source,
    }
}

/// `elements`: one line per declared element; broken declarations go to stderr.
///
/// The lines are written through one buffer (not a write per line: an app may declare
/// thousands of elements); a failed write to stdout is reported like `get … -`'s.
pub fn elements(app: &App) -> Result<(), CliError> {
    let stdout_error = |e| local_error(Path::new("<stdout>"), e);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for decl in app.declarations() {
        writeln!(
            out,
            "{}\t{}\t{}",
            decl.full_name, decl.type_name, decl.title
        )
        .map_err(stdout_error)?;
    }
    out.flush().map_err(stdout_error)?;
    drop(out);
    for problem in app.problems() {
        eprintln!("jitstore: warning: {problem}");
    }
    Ok(())
}

/// `put`: streams a local file into the storage and prints the URL.
pub async fn put(
    app: &App,
    element: &str,
    local_file: &Path,
    key: &str,
    content_type: Option<String>,
    metadata: Vec<(String, String)>,
) -> Result<(), CliError> {
    let storage = app.storage(element).await?;
    // Check the local file before touching the storage, so the error names it.
    tokio::fs::metadata(local_file)
        .await
        .map_err(|e| local_error(local_file, e))?;
    let payload = Payload::from_file(local_file).await?;
    let bar = bytes_bar(payload.len(), "upload");
    let payload = match payload {
        // A retried attempt reads the file again, so the bar can run past 100% and
        // simply stays full.
        Payload::File(file) => {
            let counted = bar.clone();
            Payload::File(file.on_read(move |n| counted.inc(n)))
        }
        Payload::Stream { stream, length } => {
            let counted = bar.clone();
            Payload::Stream {
                stream: Box::pin(stream.inspect_ok(move |chunk| counted.inc(chunk.len() as u64))),
                length,
            }
        }
        bytes => bytes,
    };
    let options = PutOptions {
        content_type,
        metadata: metadata.into_iter().collect(),
        ..PutOptions::default()
    };
    let result = storage.put(key, payload, options).await;
    bar.finish_and_clear();
    println!("{}", result?.url);
    Ok(())
}

/// `get`: streams an object to a local file (atomically: temp file, then rename) or stdout.
pub async fn get(app: &App, element: &str, key: &str, local_file: &str) -> Result<(), CliError> {
    let storage = app.storage(element).await?;
    let object = storage.get(key, GetOptions::default()).await?;
    let bar = bytes_bar(object.info.size, "download");
    let mut stream = object.stream;
    if local_file == "-" {
        let mut out = tokio::io::stdout();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk?;
            out.write_all(&chunk)
                .await
                .map_err(|e| local_error(Path::new("<stdout>"), e))?;
        }
        out.flush()
            .await
            .map_err(|e| local_error(Path::new("<stdout>"), e))?;
        return Ok(());
    }
    let target = Path::new(local_file);
    let partial = target.with_file_name(format!(
        ".{}.jitstore-partial",
        target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "download".into())
    ));
    // One blocking thread writes the file, fed chunk by chunk through a short channel
    // (bounded memory); the file is synced before it is renamed into place, so the
    // target appears whole or not at all.
    let (chunks, mut received) = tokio::sync::mpsc::channel::<bytes::Bytes>(8);
    let writing = partial.clone();
    let writer = tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        use std::io::Write;
        let mut file = std::fs::File::create(&writing)?;
        while let Some(chunk) = received.blocking_recv() {
            file.write_all(&chunk)?;
        }
        file.sync_all()
    });
    let result = async {
        while let Some(chunk) = stream.next().await {
            let chunk = chunk?;
            bar.inc(chunk.len() as u64);
            if chunks.send(chunk).await.is_err() {
                break; // the writer failed: its error is reported below
            }
        }
        drop(chunks);
        writer
            .await
            .map_err(|e| local_error(&partial, std::io::Error::other(e)))?
            .map_err(|e| local_error(&partial, e))?;
        tokio::fs::rename(&partial, target)
            .await
            .map_err(|e| local_error(target, e))
    }
    .await;
    bar.finish_and_clear();
    if result.is_err() {
        let _ = tokio::fs::remove_file(&partial).await;
    }
    result
}

/// `stat`: the object's information as JSON.
pub async fn stat(app: &App, element: &str, key: &str) -> Result<(), CliError> {
    let storage = app.storage(element).await?;
    let info = storage.get_object(key).await?;
    println!(
        "{}",
        serde_json::to_string_pretty(&info).expect("object info serializes")
    );
    Ok(())
}

/// `rm`: deletes an object.
pub async fn rm(app: &App, element: &str, key: &str) -> Result<(), CliError> {
    app.storage(element).await?.delete(key).await?;
    Ok(())
}

/// The longest lifetime `sign` accepts: beyond any Type's limit (OSS V4 allows 7 days),
/// and far from where adding it to the clock could overflow.
pub const MAX_SIGN_EXPIRES_SECS: u64 = 365 * 24 * 3600;

/// `--expires` as a lifetime: whole seconds, 1 to [`MAX_SIGN_EXPIRES_SECS`].
fn sign_lifetime(key: &str, expires: &str) -> Result<Duration, CliError> {
    match expires.trim().parse::<u64>() {
        Ok(secs @ 1..=MAX_SIGN_EXPIRES_SECS) => Ok(Duration::from_secs(secs)),
        _ => Err(StorageError::invalid_argument(format!(
            "--expires {expires:?}: a signed URL lives 1 to {MAX_SIGN_EXPIRES_SECS} seconds \
             (365 days), in whole seconds"
        ))
        .with_operation("sign", Some(key))
        .into()),
    }
}

/// `sign`: prints a presigned URL (and, for PUT, the headers the uploader must send).
pub async fn sign(
    app: &App,
    element: &str,
    key: &str,
    content_type: Option<String>,
    expires: &str,
    put: bool,
) -> Result<(), CliError> {
    let expires = sign_lifetime(key, expires)?;
    let storage = app.storage(element).await?;
    // Without --content-type the Type decides (from the key's extension).
    let options = PresignOptions {
        method: if put {
            PresignMethod::Put
        } else {
            PresignMethod::Get
        },
        content_type,
        expires,
    };
    let presigned = storage.presign(key, options).await?;
    println!("{}", presigned.url);
    if put {
        for (name, value) in &presigned.headers {
            eprintln!("send header: {name}: {value}");
        }
    }
    Ok(())
}

/// `ls`: key, size and last-modified of every object under a prefix.
pub async fn ls(
    app: &App,
    element: &str,
    prefix: &str,
    delimiter: Option<String>,
) -> Result<(), CliError> {
    let storage = app.storage(element).await?;
    let mut token = None;
    loop {
        let page = storage
            .list(ListOptions {
                prefix: Some(prefix.to_string()),
                delimiter: delimiter.clone(),
                token,
                max_keys: None,
            })
            .await?;
        for common in &page.common_prefixes {
            println!("{common}\tDIR\t-");
        }
        for object in &page.objects {
            let modified = object
                .last_modified
                .map(httpdate::fmt_http_date)
                .unwrap_or_else(|| "-".into());
            println!("{}\t{}\t{modified}", object.key, object.size);
        }
        match page.next_token {
            Some(next) => token = Some(next),
            None => return Ok(()),
        }
    }
}
