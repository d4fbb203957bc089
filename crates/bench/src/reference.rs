//! The outside reference: the official Python SDK `oss2` (from a throwaway install,
//! e.g. `pip install --target /tmp/oss2-bench oss2==2.19.1`) running `oss2_bench.py`
//! against the same local server, so our client's numbers stand beside an independent
//! client's. The script is embedded in the binary and written to the run's temp folder.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::process::Command;

use crate::context::StorageContext;
use crate::error::{BenchError, BenchResult};
use crate::oss_fixture::{ACCESS_KEY_ID, ACCESS_KEY_SECRET, BUCKET};
use crate::stats::Row;
use crate::units::human_bytes;

/// The Python script, embedded so the binary runs from any folder.
const SCRIPT: &str = include_str!("../oss2_bench.py");

/// Where to find Python and oss2.
#[derive(Debug, Clone)]
pub struct Reference {
    /// The Python interpreter.
    pub python: String,
    /// The folder oss2 was installed into (put on `PYTHONPATH`).
    pub oss2_path: PathBuf,
}

/// Runs the script against `endpoint`; its rows come back in group `group`. Also
/// prints (stderr) the Python and oss2 versions and whether crcmod's C extension,
/// which oss2 uses for CRC-64, is active.
pub async fn run(
    ctx: &StorageContext,
    reference: &Reference,
    endpoint: &str,
    group: &str,
    scratch: &Path,
) -> BenchResult<Vec<Row>> {
    let script = scratch.join("oss2_bench.py");
    tokio::fs::write(&script, SCRIPT).await?;
    let tasks: Vec<String> = ctx.concurrency.iter().map(usize::to_string).collect();
    let mut cmd = Command::new(&reference.python);
    cmd.arg(&script)
        .args(["--endpoint", endpoint, "--bucket", BUCKET])
        .args(["--access-key-id", ACCESS_KEY_ID])
        .arg("--count")
        .arg(ctx.small_count.to_string())
        .arg("--small-bytes")
        .arg(ctx.small_bytes.to_string())
        .arg("--tasks")
        .arg(tasks.join(","))
        .arg("--large-file")
        .arg(&ctx.source)
        .arg("--threshold")
        .arg(ctx.multipart_threshold.to_string())
        .arg("--part-size")
        .arg(ctx.part_size.to_string())
        .arg("--warmup")
        .arg(ctx.plan.warmup.to_string())
        .arg("--iters")
        .arg(ctx.plan.iters.to_string())
        .arg("--budget")
        .arg(ctx.plan.budget.as_secs_f64().to_string())
        .arg("--scratch")
        .arg(scratch)
        .arg("--small-label")
        .arg(human_bytes(ctx.small_bytes as u64))
        .arg("--large-label")
        .arg(human_bytes(ctx.large_bytes))
        .env("PYTHONPATH", &reference.oss2_path)
        .env("OSS_ACCESS_KEY_SECRET", ACCESS_KEY_SECRET)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    // Each of its benchmarks stops after the budget; 4 per concurrency plus 3 large.
    let benches = 2 * ctx.concurrency.len() as u32 + 3;
    let limit = ctx.plan.budget * (2 * benches) + Duration::from_secs(120);
    let output = tokio::time::timeout(limit, cmd.output())
        .await
        .map_err(|_| BenchError::Reference(format!("no answer within {limit:?}")))??;
    if !output.status.success() {
        let err = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = err.lines().rev().take(8).collect();
        return Err(BenchError::Reference(format!(
            "{} exited with {}: {}",
            reference.python,
            output.status,
            tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
        )));
    }
    parse(&output.stdout, group)
}

/// The rows of the script's JSON document (see `oss2_bench.py`), in group `group`.
fn parse(stdout: &[u8], group: &str) -> BenchResult<Vec<Row>> {
    let doc: Value = serde_json::from_slice(stdout)
        .map_err(|e| BenchError::Reference(format!("unreadable output: {e}")))?;
    eprintln!(
        "{group}: Python {}, oss2 {}, crcmod C extension: {}",
        doc["python"], doc["oss2"], doc["crc_c_extension"]
    );
    let bad = || BenchError::Reference("output rows are not as expected".to_owned());
    let mut rows = Vec::new();
    for r in doc["rows"].as_array().ok_or_else(bad)? {
        let samples = r["samples"]
            .as_array()
            .ok_or_else(bad)?
            .iter()
            .map(|v| v.as_f64().ok_or_else(bad))
            .collect::<BenchResult<Vec<f64>>>()?;
        let unit = match r["unit"].as_str() {
            Some("ops/s") => "ops/s",
            Some("MiB/s") => "MiB/s",
            _ => return Err(bad()),
        };
        rows.push(Row::new(
            group,
            r["name"].as_str().ok_or_else(bad)?,
            unit,
            samples,
        ));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_script_output() {
        let out = br#"{"python":"3.11","oss2":"2.19.1","crc_c_extension":true,
            "rows":[{"name":"V4 put 4 KiB","unit":"ops/s","samples":[1.5,2.5]}]}"#;
        let rows = parse(out, "oss2/memory").unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].samples, vec![1.5, 2.5]);
        assert!(parse(br#"{"rows":[{"unit":"furlongs"}]}"#, "g").is_err());
    }
}
