//! The local OSS server every OssType row and the oss2 reference run against: its
//! bucket and test credentials, the two stores it can keep objects in, how it is
//! started in this process, and the OssType element config pointing at it.

use std::path::Path;

use jitstore::oss::{DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_SIZE, MIN_PART_SIZE};
use jitstore::oss_server::{start, RunningServer, ServerConfig};
use serde_json::{json, Value};

use crate::error::BenchResult;

/// The bucket the server creates.
pub const BUCKET: &str = "bench-bucket";
/// The access key the server accepts (a local test key, not a real credential).
pub const ACCESS_KEY_ID: &str = "bench-ak";
/// Its secret, handed to the elements as an app variable and to oss2 in its environment.
pub const ACCESS_KEY_SECRET: &str = "bench-secret-not-real";
/// The app variable the element configs read the secret from.
const SECRET_VARIABLE: &str = "BENCH_OSS_SECRET";

/// Which backend the server keeps objects in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    /// In memory.
    Memory,
    /// In a folder, every file written to tmp, fsynced and renamed.
    Folder,
}

impl Store {
    /// `memory` or `folder`, as in the group names `oss/memory`, `oss2/folder`.
    pub fn name(self) -> &'static str {
        match self {
            Store::Memory => "memory",
            Store::Folder => "folder",
        }
    }
}

/// Starts `jit_oss_server::start` on 127.0.0.1 in this process with `store` (a folder
/// store keeps its data in `data_dir`), one bucket and the test credentials.
pub async fn start_server(store: Store, data_dir: &Path) -> BenchResult<RunningServer> {
    let server = start(ServerConfig {
        root: (store == Store::Folder).then(|| data_dir.to_path_buf()),
        buckets: vec![BUCKET.to_owned()],
        credentials: vec![(ACCESS_KEY_ID.to_owned(), ACCESS_KEY_SECRET.to_owned())],
        ..ServerConfig::default()
    })
    .await?;
    Ok(server)
}

/// The element config of an OssType pointing at `endpoint`, signing with `version`
/// (`v4` or `v1`); the secret comes from the app variable of [`secret_variables`].
pub fn element_config(endpoint: &str, version: &str, threshold: u64, part: u64) -> Value {
    json!({
        "accessKeyId": ACCESS_KEY_ID,
        "accessKeySecret": format!("{{{{{SECRET_VARIABLE}}}}}"),
        "endPoint": endpoint,
        "bucketName": BUCKET,
        "region": "cn-hangzhou",
        "signatureVersion": version,
        "multipartThresholdBytes": threshold,
        "partSizeBytes": part,
    })
}

/// The app variables an app declaring [`element_config`] elements is opened with.
pub fn secret_variables() -> Vec<(String, String)> {
    vec![(SECRET_VARIABLE.to_owned(), ACCESS_KEY_SECRET.to_owned())]
}

/// The OssType multipart threshold and part size for a large object of `large_bytes`:
/// the client defaults (64 MiB, 8 MiB) when the object is big enough, otherwise small
/// enough that the object still goes up in several parts.
pub fn multipart_sizes(large_bytes: u64) -> (u64, u64) {
    let threshold = DEFAULT_MULTIPART_THRESHOLD.min(large_bytes / 2);
    let part_size = DEFAULT_PART_SIZE.min((large_bytes / 8).max(MIN_PART_SIZE));
    (threshold, part_size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_reads_the_secret_from_the_app_variable() {
        let config = element_config("http://127.0.0.1:1", "v4", 64, 8);
        assert_eq!(config["accessKeySecret"], "{{BENCH_OSS_SECRET}}");
        assert_eq!(secret_variables()[0].0, "BENCH_OSS_SECRET");
    }
}
