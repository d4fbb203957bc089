//! How a benchmark is sampled and summarised: a [`Plan`] (warm-up runs, measured runs,
//! time budget), the runners that follow it ([`sample_sync`], [`sample_async`]), and the
//! [`Row`] of results (median, min, max, spread) printed as a Markdown table.

use std::fmt::Write as _;
use std::future::Future;
use std::time::{Duration, Instant};

/// How many times to run one benchmark.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Runs made and thrown away before measuring (caches, connections, allocator).
    pub warmup: usize,
    /// Measured runs wanted.
    pub iters: usize,
    /// Stop measuring once this much time went by, as long as two samples exist.
    pub budget: Duration,
}

impl Plan {
    /// Whether to take another sample: fewer than `iters` so far, and either fewer than
    /// two or still inside the budget.
    fn keep_going(&self, samples: usize, started: Instant) -> bool {
        samples < self.iters && (samples < 2 || started.elapsed() < self.budget)
    }
}

/// Runs `f` per `plan`; each call returns one sample (a rate, or a time).
pub fn sample_sync(plan: Plan, mut f: impl FnMut() -> f64) -> Vec<f64> {
    for _ in 0..plan.warmup {
        f();
    }
    let started = Instant::now();
    let mut samples = Vec::with_capacity(plan.iters);
    while plan.keep_going(samples.len(), started) {
        samples.push(f());
    }
    samples
}

/// Runs `f(run)` per `plan`; `run` counts all runs from 0 (warm-up first), so a
/// benchmark can name its objects per run.
pub async fn sample_async<F, Fut, E>(plan: Plan, mut f: F) -> Result<Vec<f64>, E>
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = Result<f64, E>>,
{
    for run in 0..plan.warmup {
        f(run).await?;
    }
    let started = Instant::now();
    let mut samples = Vec::with_capacity(plan.iters);
    while plan.keep_going(samples.len(), started) {
        samples.push(f(plan.warmup + samples.len()).await?);
    }
    Ok(samples)
}

/// `units` per second over the time since `start`.
pub fn rate(units: f64, start: Instant) -> f64 {
    units / start.elapsed().as_secs_f64()
}

/// One line of the results table.
#[derive(Debug, Clone)]
pub struct Row {
    /// Section: `crc64`, `sign`, `disk`, `oss/memory`, `oss2/folder`…
    pub group: String,
    /// What was measured.
    pub name: String,
    /// Unit of the samples, e.g. `MiB/s`, `ops/s`, `ms`.
    pub unit: &'static str,
    /// The measured samples (warm-up excluded).
    pub samples: Vec<f64>,
}

impl Row {
    /// A row from its samples.
    pub fn new(group: &str, name: impl Into<String>, unit: &'static str, samples: Vec<f64>) -> Row {
        Row {
            group: group.to_owned(),
            name: name.into(),
            unit,
            samples,
        }
    }

    /// The median sample (mean of the middle two for an even count).
    pub fn median(&self) -> f64 {
        let mut s = self.samples.clone();
        s.sort_by(f64::total_cmp);
        match s.len() {
            0 => f64::NAN,
            n if n % 2 == 1 => s[n / 2],
            n => (s[n / 2 - 1] + s[n / 2]) / 2.0,
        }
    }

    /// The smallest sample.
    fn min(&self) -> f64 {
        self.samples.iter().copied().fold(f64::INFINITY, f64::min)
    }

    /// The largest sample.
    fn max(&self) -> f64 {
        self.samples
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max)
    }

    /// (max − min) / median, in percent.
    pub fn spread_pct(&self) -> f64 {
        (self.max() - self.min()) / self.median() * 100.0
    }
}

/// A number with about three significant digits, without exponent.
pub fn fmt_num(v: f64) -> String {
    let a = v.abs();
    if !v.is_finite() {
        "–".to_owned()
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// The rows as a Markdown table.
pub fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| group | benchmark | median | min | max | spread | n | unit |\n\
         |---|---|---:|---:|---:|---:|---:|---|\n",
    );
    for r in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {:.0}% | {} | {} |",
            r.group,
            r.name,
            fmt_num(r.median()),
            fmt_num(r.min()),
            fmt_num(r.max()),
            r.spread_pct(),
            r.samples.len(),
            r.unit
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_spread() {
        let r = Row::new("g", "n", "ops/s", vec![4.0, 1.0, 3.0, 2.0]);
        assert_eq!(r.median(), 2.5);
        assert_eq!(r.spread_pct(), 120.0);
        let odd = Row::new("g", "n", "ops/s", vec![5.0, 1.0, 3.0]);
        assert_eq!(odd.median(), 3.0);
    }

    #[test]
    fn plan_respects_count() {
        let plan = Plan {
            warmup: 2,
            iters: 3,
            budget: Duration::from_secs(60),
        };
        let mut calls = 0;
        let samples = sample_sync(plan, || {
            calls += 1;
            calls as f64
        });
        assert_eq!(calls, 5);
        assert_eq!(samples, vec![3.0, 4.0, 5.0]);
    }
}
