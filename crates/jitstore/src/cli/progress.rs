//! Progress bars for long transfers, shown only when stderr is a terminal.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

/// Transfers smaller than this finish too fast to deserve a bar.
const MIN_BYTES_FOR_BAR: u64 = 4 * 1024 * 1024;

/// A byte progress bar for `total` bytes, or a hidden one when not useful.
pub fn bytes_bar(total: u64, label: &str) -> ProgressBar {
    if total < MIN_BYTES_FOR_BAR || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    let style = ProgressStyle::with_template(
        "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");
    bar.set_style(style);
    bar.set_message(label.to_string());
    bar
}
