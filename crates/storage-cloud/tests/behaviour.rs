//! The storage contract's behaviour suite, run against OssType elements loaded through a
//! real `App` and talking to a real local OSS server, in five variants: V4 and V1
//! signing, each path-style and virtual-hosted (`bucket.localhost`, pinned to 127.0.0.1
//! for the element and for the suite's HTTP client), and V4 path-style reading whole
//! objects in parallel ranges of 64 KiB.

mod common;

use common::{env, env_with, Env, Style};
use jit_storage::testkit::{Suite, Target};
use serde_json::json;

async fn target(style: Style, version: &str) -> Target {
    suite_target(env(style, version).await)
}

async fn parallel_ranges() -> Target {
    let config = json!({"downloadConcurrency": 4, "downloadPartBytes": 65536});
    suite_target(env_with(Style::Path, "v4", config, None).await)
}

fn suite_target(env: Env) -> Target {
    Target::new(env.storage.clone())
        .with_http(env.http.clone())
        .keep(env.server)
        .keep(env.dir)
        .keep(env.app)
}

fn main() -> std::process::ExitCode {
    Suite::new()
        .variant("v4_path_style", || target(Style::Path, "v4"))
        .variant("v4_virtual_host", || target(Style::VirtualHost, "v4"))
        .variant("v1_path_style", || target(Style::Path, "v1"))
        .variant("v1_virtual_host", || target(Style::VirtualHost, "v1"))
        .variant("v4_parallel_ranges", parallel_ranges)
        .main()
}
