//! What the numbers depend on, printed to stderr at the start and the end of a run:
//! cores, CPU model, kernel, load average and the build profile.

/// One line describing this machine now (the load average changes during a run).
pub fn describe() -> String {
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let cpu = read("/proc/cpuinfo")
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let profile = if cfg!(debug_assertions) {
        "debug (numbers meaningless: use --release)"
    } else {
        "release"
    };
    format!(
        "cores (available_parallelism): {cores}; CPU: {cpu}; kernel {}; load average {}; build: {profile}",
        read("/proc/sys/kernel/osrelease").trim(),
        read("/proc/loadavg").split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    )
}
