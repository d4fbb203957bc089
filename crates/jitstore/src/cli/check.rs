//! `check`: loads every element of the app and prints every problem, one line each,
//! instead of stopping at the first.

use jit_element::App;

use super::error::CliError;

/// Prints one line per problem to stderr (and a summary to stdout when there is none).
pub async fn check(app: &App) -> Result<(), CliError> {
    let problems = app.check().await;
    if problems.is_empty() {
        println!(
            "{}: {} elements, no problems",
            app.root().display(),
            app.declarations().len()
        );
        return Ok(());
    }
    for problem in &problems {
        eprintln!("jitstore: {problem}");
    }
    Err(CliError::Problems(problems.len()))
}
