//! The storage contract's behaviour suite on the four S3 Types (AwsS3Type,
//! CloudflareR2Type, MinioType, EosType), each path style and virtual-hosted, loaded
//! through a real `App`, against two servers:
//! - serve-s3 (`jit-s3-server`), which verifies every SigV4 signature (header and
//!   presigned), `x-amz-content-sha256` and aws-chunked checksums: the signing proof;
//! - moto's S3 server, a server we did not write, which checks our protocol (it does
//!   not check signatures). moto is installed pinned into `target/moto` by the test
//!   itself; without pip its variants are reported as ignored, saying why, never as
//!   passed.

mod s3;

use jit_storage::testkit::{Suite, Target};
use libtest_mimic::{Arguments, Trial};
use s3::{element, fresh_bucket, moto, moto_bucket, serve_s3, Kind, Moto, Style};
use serde_json::json;

async fn moto_target(kind: Kind, style: Style) -> Target {
    let Moto::Running(addr) = moto() else {
        unreachable!("variants are only added when moto runs")
    };
    let bucket = fresh_bucket(kind);
    moto_bucket(*addr, &bucket).await;
    let e = element(kind, style, *addr, &bucket, json!({}), &[]).await;
    Target::new(e.storage.clone())
        .with_http(e.http.clone())
        .keep(e.dir)
        .keep(e.app)
}

async fn serve_s3_target(kind: Kind, style: Style) -> Target {
    let bucket = fresh_bucket(kind);
    let server = serve_s3(&bucket, kind.region()).await;
    let e = element(kind, style, server.local_addr(), &bucket, json!({}), &[]).await;
    Target::new(e.storage.clone())
        .with_http(e.http.clone())
        .keep(server)
        .keep(e.dir)
        .keep(e.app)
}

/// The checks of `s3::moto_checks` as trials: run when moto runs, ignored (saying
/// why) when it cannot be installed.
fn moto_checks(wanted: bool) -> Vec<Trial> {
    use s3::moto_checks as m;
    type Check =
        fn(std::net::SocketAddr) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>;
    let checks: [(&str, Check); 3] = [
        (
            "moto_checks::checksums_of_every_upload_path_reach_the_server",
            |a| Box::pin(m::checksums_of_every_upload_path_reach_the_server(a)),
        ),
        (
            "moto_checks::failures_name_the_element_type_operation_code_and_request_id",
            |a| Box::pin(m::failures_name_the_element_type_operation_code_and_request_id(a)),
        ),
        (
            "moto_checks::minio_scheme_variables_take_their_default_or_value",
            |a| Box::pin(m::minio_scheme_variables_take_their_default_or_value(a)),
        ),
    ];
    checks
        .into_iter()
        .map(|(name, check)| match wanted.then(moto) {
            Some(Moto::Running(addr)) => {
                let addr = *addr;
                Trial::test(name, move || {
                    tokio::runtime::Builder::new_multi_thread()
                        .worker_threads(2)
                        .enable_all()
                        .build()
                        .expect("a runtime")
                        .block_on(check(addr));
                    Ok(())
                })
            }
            Some(Moto::Unavailable(why)) => {
                let why = why.clone();
                Trial::test(name, move || Err(format!("skipped: {why}").into()))
                    .with_ignored_flag(true)
            }
            None => Trial::test(name, || Ok(())).with_ignored_flag(true),
        })
        .collect()
}

fn main() -> std::process::ExitCode {
    let args = Arguments::from_args();
    let mut suite = Suite::new();
    let mut trials = Vec::new();
    for kind in Kind::ALL {
        for (style, label) in [
            (Style::Path, "path_style"),
            (Style::VirtualHost, "virtual_host"),
        ] {
            let name = format!("serve_s3_{}_{label}", kind.short());
            suite = suite.variant(&name, move || serve_s3_target(kind, style));
        }
    }
    let wanted = |name: &str| {
        args.filter
            .as_deref()
            .is_none_or(|f| name.contains(f) || f.contains(name))
    };
    let moto_wanted = wanted("moto");
    match moto_wanted.then(moto) {
        Some(Moto::Running(_)) | None => {
            for kind in Kind::ALL {
                for (style, label) in [
                    (Style::Path, "path_style"),
                    (Style::VirtualHost, "virtual_host"),
                ] {
                    let name = format!("moto_{}_{label}", kind.short());
                    if moto_wanted {
                        suite = suite.variant(&name, move || moto_target(kind, style));
                    }
                }
            }
        }
        Some(Moto::Unavailable(why)) => {
            eprintln!("moto's variants are ignored: {why}");
            let why = why.clone();
            trials.push(
                Trial::test("moto::behaviour_suite", move || {
                    Err(format!("skipped: {why}").into())
                })
                .with_ignored_flag(true),
            );
        }
    }
    trials.extend(moto_checks(moto_wanted));
    for trial in suite.trials() {
        // moto checks no signature, so a tampered URL works there: serve-s3's variants
        // prove that check. Reported as ignored, saying why.
        if trial.name().starts_with("moto_") && trial.name().ends_with("::signed_url_serves_bytes")
        {
            let name = trial.name().to_string();
            trials.push(
                Trial::test(name, || {
                    Err("skipped: moto does not check signatures".into())
                })
                .with_kind("moto checks no signature")
                .with_ignored_flag(true),
            );
        } else {
            trials.push(trial);
        }
    }
    libtest_mimic::run(&args, trials).exit_code()
}
