//! The storage contract's behaviour suite, run against OssType elements loaded through a
//! real `App` and talking to a real local OSS server, in four variants: V4 and V1
//! signing, each path-style and virtual-hosted (`bucket.localhost`, pinned to 127.0.0.1
//! for the element and for the suite's HTTP client).

mod common;

use common::{env, Style};
use jit_storage::testkit::{Suite, Target};

async fn target(style: Style, version: &str) -> Target {
    let env = env(style, version).await;
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
        .main()
}
