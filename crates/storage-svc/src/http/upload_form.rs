//! uploadByFile's multipart form: the `file` part streamed to a temporary file with a
//! size cap (never the whole body in memory), and the small text fields (`fileName`,
//! `md5`, `contentType`, `storage`, `expires`), read strictly.

use std::path::{Path, PathBuf};

use axum::extract::multipart::{Field, Multipart, MultipartError};
use jit_storage::FilePayload;
use md5::{Digest, Md5};
use tempfile::TempPath;
use tokio::io::AsyncWriteExt;

use super::params::{bad, Params};
use crate::error::{SvcError, SvcErrorKind, SvcResult};

const METHOD: &str = "uploadByFile";

/// The most bytes a text field may hold.
const MAX_TEXT_FIELD: usize = 8 * 1024;

/// The text fields the form may carry besides `file`.
const TEXT_FIELDS: [&str; 5] = ["fileName", "md5", "contentType", "storage", "expires"];

/// A spooled part's temporary file, deleted when dropped — by the blocking pool when
/// on the async runtime, since an unlink blocks.
pub(crate) struct Spooled(Option<TempPath>);

impl Spooled {
    fn path(&self) -> &Path {
        self.0.as_deref().unwrap_or(Path::new(""))
    }
}

impl Drop for Spooled {
    fn drop(&mut self) {
        let Some(temp) = self.0.take() else { return };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn_blocking(move || drop(temp));
            }
            Err(_) => drop(temp),
        }
    }
}

/// A received form: the file on disk (deleted when this is dropped) and the fields.
pub(crate) struct UploadForm {
    /// The part's bytes, in a temporary file.
    pub(crate) temp: Spooled,
    /// Its length.
    pub(crate) size: u64,
    /// The hex MD5 of its bytes, computed as they were written.
    pub(crate) md5: String,
    /// The part's file name (the `filename` of its Content-Disposition), if any.
    pub(crate) part_file_name: Option<String>,
    /// The text fields, to be taken one by one.
    pub(crate) fields: Params,
}

impl UploadForm {
    /// The temporary file as upload data.
    pub(crate) async fn payload(&self) -> SvcResult<FilePayload> {
        FilePayload::open(self.temp.path()).await.map_err(|e| {
            SvcError::new(
                SvcErrorKind::Storage,
                METHOD,
                "cannot reopen the received file",
            )
            .with_source(e)
        })
    }
}

/// Reads the whole form, streaming `file` into a temporary file under `dir` (the
/// system's temporary folder when `None`); more than `max_bytes` in it is TooLarge.
pub(crate) async fn read_form(
    mut form: Multipart,
    dir: Option<&Path>,
    max_bytes: u64,
) -> SvcResult<UploadForm> {
    let mut file: Option<(Spooled, u64, String, Option<String>)> = None;
    let mut texts: Vec<(String, String)> = Vec::new();
    while let Some(field) = form.next_field().await.map_err(form_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            if file.is_some() {
                return Err(bad(METHOD, "the form has more than one \"file\" part"));
            }
            let part_name = field.file_name().map(str::to_owned);
            let (temp, size, md5) = stream_to_temp(field, dir, max_bytes).await?;
            file = Some((temp, size, md5, part_name));
        } else if TEXT_FIELDS.contains(&name.as_str()) {
            texts.push((name, read_text(field).await?));
        } else {
            return Err(bad(
                METHOD,
                format!(
                    "unknown form field {name:?} (expected file, {})",
                    TEXT_FIELDS.join(", ")
                ),
            ));
        }
    }
    let Some((temp, size, md5, part_file_name)) = file else {
        return Err(bad(METHOD, "the form has no \"file\" part"));
    };
    Ok(UploadForm {
        temp,
        size,
        md5,
        part_file_name,
        fields: Params::from_pairs(METHOD, texts)?,
    })
}

/// A text field, at most [`MAX_TEXT_FIELD`] bytes of UTF-8.
async fn read_text(mut field: Field<'_>) -> SvcResult<String> {
    let name = field.name().unwrap_or_default().to_owned();
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(form_error)? {
        if bytes.len() + chunk.len() > MAX_TEXT_FIELD {
            return Err(bad(
                METHOD,
                format!("form field {name:?} is longer than {MAX_TEXT_FIELD} bytes"),
            ));
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| bad(METHOD, format!("form field {name:?} is not UTF-8")))
}

/// Writes the part to a new temporary file (its path deletes the file when dropped),
/// hashing it on the way so that the service need not read it again; returns the file,
/// its length and its hex MD5.
async fn stream_to_temp(
    mut field: Field<'_>,
    dir: Option<&Path>,
    max_bytes: u64,
) -> SvcResult<(Spooled, u64, String)> {
    let dir: Option<PathBuf> = dir.map(Path::to_path_buf);
    let created = tokio::task::spawn_blocking(move || {
        let mut builder = tempfile::Builder::new();
        builder.prefix("jit-upload-");
        match dir {
            Some(dir) => builder.tempfile_in(dir),
            None => builder.tempfile(),
        }
    })
    .await
    .map_err(|e| temp_error(std::io::Error::other(e)))?
    .map_err(temp_error)?;
    let (std_file, temp) = created.into_parts();
    let temp = Spooled(Some(temp));
    let mut out = tokio::fs::File::from_std(std_file);
    let mut size: u64 = 0;
    let mut md5 = Md5::new();
    while let Some(chunk) = field.chunk().await.map_err(form_error)? {
        size += chunk.len() as u64;
        if size > max_bytes {
            return Err(SvcError::new(
                SvcErrorKind::TooLarge,
                METHOD,
                format!("the file is larger than the {max_bytes} bytes this service accepts"),
            ));
        }
        md5.update(&chunk);
        out.write_all(&chunk).await.map_err(temp_error)?;
    }
    out.flush().await.map_err(temp_error)?;
    drop(out);
    Ok((temp, size, hex::encode(md5.finalize())))
}

fn temp_error(e: std::io::Error) -> SvcError {
    SvcError::new(
        SvcErrorKind::Config,
        METHOD,
        "cannot write the received file to a temporary file",
    )
    .with_source(e)
}

/// A malformed or cut-short form.
fn form_error(e: MultipartError) -> SvcError {
    let status = e.status().as_u16();
    let kind = if status == 413 {
        SvcErrorKind::TooLarge
    } else {
        SvcErrorKind::BadInput
    };
    SvcError::new(
        kind,
        METHOD,
        format!("bad multipart form: {}", e.body_text()),
    )
}
