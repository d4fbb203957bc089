//! `cargo run -p app-example [APP_DIR]`: opens the example app and runs the seed's usage
//! flow (upload, URL, signed URL, download, object info, delete) on each storage, then
//! the StorageSvc flow on the default storage.

#![warn(missing_docs)]

use std::process::ExitCode;

use app_example::flow::{run_flow, run_service_flow};
use app_example::{ExampleApp, MinioTarget, OssTarget};
use jitstore::prelude::*;

#[tokio::main]
async fn main() -> ExitCode {
    let dir = std::env::args_os()
        .nth(1)
        .map(Into::into)
        .unwrap_or_else(ExampleApp::default_dir);
    let example = match ExampleApp::open(&dir, None).await {
        Ok(example) => example,
        Err(err) => {
            eprintln!("app-example: {err}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "app {} at {}",
        example.app.name().unwrap_or("?"),
        dir.display()
    );
    match &example.oss {
        OssTarget::Local(endpoint) => println!(
            "storages.MyOss: OSS_* variables not set, using the local OSS server at {endpoint} (in-process, signatures verified)"
        ),
        OssTarget::Aliyun => println!("storages.MyOss: using Aliyun OSS from the OSS_* variables"),
    }
    match &example.minio {
        MinioTarget::Local(endpoint) => println!(
            "storages.MyMinio: MINIO_* variables not set, using serve-s3, the local S3 server, at {endpoint} (in-process, signatures verified)"
        ),
        MinioTarget::Configured => {
            println!("storages.MyMinio: using the MinIO server of the MINIO_* variables")
        }
    }
    let http = reqwest::Client::new();
    let mut failed = 0;
    let names = example.storages();
    for name in names {
        println!();
        let storage = match example.app.storage(name).await {
            Ok(storage) => storage,
            Err(err) => {
                println!("{name}: cannot load: {err}");
                failed += 1;
                continue;
            }
        };
        let identity = storage.identity().cloned();
        let title = identity
            .as_ref()
            .map(|i| format!("{} ({}, {})", i.full_name, i.type_name, i.title));
        println!("== {}", title.unwrap_or_else(|| name.to_string()));
        match run_flow(storage.as_ref(), "folder/example.txt", &http).await {
            Ok(report) => report.lines.iter().for_each(|line| println!("   {line}")),
            Err(err) => {
                println!("   FAILED: {err}");
                failed += 1;
            }
        }
    }
    println!("\n== storages.services.StorageSvc (app.storage_service())");
    match run_service_flow(&example.app).await {
        Ok(report) => report.lines.iter().for_each(|line| println!("   {line}")),
        Err(err) => {
            println!("   FAILED: {err}");
            failed += 1;
        }
    }
    example.shutdown().await;
    if failed == 0 {
        println!("\nall {} storages ran the flow", names.len());
        ExitCode::SUCCESS
    } else {
        println!("\n{failed} storage(s) failed");
        ExitCode::FAILURE
    }
}
