//! Dispatch: opens the app and runs one parsed command.

use jit_element::App;
use jitstore::BuiltinTypes;

use super::args::{Cli, Command};
use super::error::CliError;
use super::{check, objects, serve, serve_app, serve_s3};

/// Runs one parsed command.
pub async fn run(cli: Cli) -> Result<(), CliError> {
    if let Command::ServeOss(args) = cli.command {
        return serve::serve_oss(args).await;
    }
    if let Command::ServeS3(args) = cli.command {
        return serve_s3::serve_s3(args).await;
    }
    let mut builder = App::builder(&cli.app).with_builtin_types();
    for prefix in cli.allow_env.iter().filter(|p| !p.is_empty()) {
        builder = builder.allow_env_prefix(prefix.as_str());
    }
    let app = builder.open()?;
    match cli.command {
        Command::Elements => objects::elements(&app),
        Command::Check => check::check(&app).await,
        Command::Put {
            element,
            local_file,
            key,
            content_type,
            metadata,
        } => objects::put(&app, &element, &local_file, &key, content_type, metadata).await,
        Command::Get {
            element,
            key,
            local_file,
        } => objects::get(&app, &element, &key, &local_file).await,
        Command::Stat { element, key } => objects::stat(&app, &element, &key).await,
        Command::Rm { element, key } => objects::rm(&app, &element, &key).await,
        Command::Sign {
            element,
            key,
            content_type,
            expires,
            put,
        } => objects::sign(&app, &element, &key, content_type, &expires, put).await,
        Command::Ls {
            element,
            prefix,
            delimiter,
        } => objects::ls(&app, &element, &prefix, delimiter).await,
        Command::Serve(args) => serve_app::serve_app(&app, &cli.app, args).await,
        Command::ServeOss(_) | Command::ServeS3(_) => unreachable!("handled above"),
    }
}
