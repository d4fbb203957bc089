//! The results of the `compare` group: per client and operation, the measured runs
//! (wall time, client CPU, peak RSS, the server's CPU meanwhile) and their Markdown
//! table, medians with min–max.

use std::fmt::Write as _;
use std::time::Duration;

use crate::child::Measured;
use crate::stats::fmt_num;

/// One measured run of a client.
#[derive(Debug, Clone)]
pub struct Sample {
    /// The child's cost.
    pub child: Measured,
    /// CPU time the server used meanwhile, if known.
    pub server_cpu: Option<Duration>,
}

/// What a row's runs move, for the rate column.
#[derive(Debug, Clone, Copy)]
pub enum Work {
    /// Bytes per run: the rate is MiB/s.
    Bytes(u64),
    /// Requests per run: the rate is requests/s.
    Requests(u64),
    /// Nothing to divide by (the loader): no rate.
    None,
}

/// One line of the comparison.
#[derive(Debug, Clone)]
pub struct CompareRow {
    /// The client.
    pub client: String,
    /// The operation, e.g. `PUT 1 GiB (8 MiB parts, 4 in flight)`.
    pub operation: String,
    /// What one run moves.
    pub work: Work,
    /// The measured runs.
    pub samples: Vec<Sample>,
}

/// Median, min and max of `values` (NaN for none).
fn summary(mut values: Vec<f64>) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    let median = if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    };
    (median, values[0], values[n - 1])
}

/// `median (min–max)`, or the median alone for one sample.
fn spread(values: Vec<f64>) -> String {
    let n = values.len();
    let (median, min, max) = summary(values);
    if n < 2 {
        fmt_num(median)
    } else {
        format!("{} ({}–{})", fmt_num(median), fmt_num(min), fmt_num(max))
    }
}

impl CompareRow {
    /// The rate at the median wall time.
    fn rate(&self) -> String {
        let (wall, _, _) = summary(self.secs(|s| s.child.wall));
        match self.work {
            Work::Bytes(b) => format!("{} MiB/s", fmt_num(b as f64 / (1 << 20) as f64 / wall)),
            Work::Requests(r) => format!("{} req/s", fmt_num(r as f64 / wall)),
            Work::None => "–".to_owned(),
        }
    }

    /// Seconds of `f` for every sample.
    fn secs(&self, f: impl Fn(&Sample) -> Duration) -> Vec<f64> {
        self.samples.iter().map(|s| f(s).as_secs_f64()).collect()
    }
}

/// The rows as a Markdown table.
pub fn table(rows: &[CompareRow]) -> String {
    let mut out = String::from(
        "| client | operation | n | wall s | rate (median wall) | client CPU s (user+sys) | \
         user / sys s (medians) | peak RSS MiB | server CPU s |\n\
         |---|---|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in rows {
        let (user, _, _) = summary(r.secs(|s| s.child.user));
        let (sys, _, _) = summary(r.secs(|s| s.child.sys));
        let rss: Vec<f64> = r
            .samples
            .iter()
            .map(|s| s.child.max_rss_kib as f64 / 1024.0)
            .collect();
        let server: Vec<f64> = r
            .samples
            .iter()
            .filter_map(|s| s.server_cpu.map(|d| d.as_secs_f64()))
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} / {} | {} | {} |",
            r.client,
            r.operation,
            r.samples.len(),
            spread(r.secs(|s| s.child.wall)),
            r.rate(),
            spread(r.secs(|s| s.child.cpu())),
            fmt_num(user),
            fmt_num(sys),
            spread(rss),
            if server.is_empty() {
                "–".to_owned()
            } else {
                spread(server)
            },
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(wall: f64, user: f64, rss_kib: u64) -> Sample {
        Sample {
            child: Measured {
                wall: Duration::from_secs_f64(wall),
                user: Duration::from_secs_f64(user),
                sys: Duration::from_secs_f64(0.5),
                max_rss_kib: rss_kib,
                stdout: String::new(),
            },
            server_cpu: Some(Duration::from_secs(1)),
        }
    }

    #[test]
    fn rows_show_medians_ranges_and_rates() {
        let row = CompareRow {
            client: "ours".to_owned(),
            operation: "PUT 1 GiB".to_owned(),
            work: Work::Bytes(1 << 30),
            samples: vec![
                sample(4.0, 1.0, 10240),
                sample(2.0, 2.0, 20480),
                sample(8.0, 3.0, 30720),
            ],
        };
        let t = table(&[row]);
        let line = t.lines().nth(2).unwrap();
        assert!(
            line.contains("| 3 | 4.00 (2.00–8.00) | 256 MiB/s |"),
            "{line}"
        );
        assert!(
            line.contains("| 2.50 (1.50–3.50) | 2.00 / 0.500 | 20.0 (10.0–30.0) |"),
            "{line}"
        );
    }

    #[test]
    fn one_sample_has_no_range() {
        assert_eq!(spread(vec![2.0]), "2.00");
        assert_eq!(summary(vec![1.0, 3.0]).0, 2.0);
    }
}
