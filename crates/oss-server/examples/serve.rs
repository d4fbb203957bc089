//! Runs a local OSS server until Ctrl-C, for trying SDKs against it by hand:
//! `cargo run -p jit-oss-server --example serve -- [PORT] [ROOT]`
//! (bucket `test-bucket`, access key `test-ak` / `test-secret`, memory store unless
//! ROOT is given).

use jit_oss_server::{start, ServerConfig};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let port: u16 = args.next().map(|p| p.parse()).transpose()?.unwrap_or(0);
    let root = args.next().map(std::path::PathBuf::from);
    let server = start(ServerConfig {
        addr: std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        root,
        buckets: vec!["test-bucket".to_owned()],
        credentials: vec![("test-ak".to_owned(), "test-secret".to_owned())],
        ..ServerConfig::default()
    })
    .await?;
    println!("{}", server.endpoint());
    tokio::signal::ctrl_c().await?;
    server.shutdown().await?;
    Ok(())
}
