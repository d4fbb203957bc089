//! `jitstore`: operate an app's storage elements from the command line, and run the local
//! OSS-compatible server.

#![warn(missing_docs)]

mod cli;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let args = cli::args::Cli::parse();
    let stderr_is_terminal = std::io::stderr().is_terminal();
    tracing_subscriber::fmt()
        .with_env_filter(log_filter(args.verbose))
        .with_writer(std::io::stderr)
        .with_ansi(stderr_is_terminal)
        .init();
    match cli::run::run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("jitstore: {err}");
            ExitCode::FAILURE
        }
    }
}

/// The log filter: a level from `-v` (none: warnings only; `-v` info, one line per
/// storage operation; `-vv` debug, each HTTP attempt; `-vvv` trace), then the directives
/// of `JITSTORE_LOG`, which add targets or, as a bare level, replace it. A malformed
/// `JITSTORE_LOG` is ignored with a warning.
fn log_filter(verbose: u8) -> EnvFilter {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let from_env = std::env::var("JITSTORE_LOG").unwrap_or_default();
    if from_env.trim().is_empty() {
        return EnvFilter::new(level);
    }
    EnvFilter::try_new(format!("{level},{from_env}")).unwrap_or_else(|err| {
        eprintln!("jitstore: warning: JITSTORE_LOG ignored: {err}");
        EnvFilter::new(level)
    })
}
