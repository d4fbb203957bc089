//! How many faults of each kind were injected: [`FaultCounts`], a snapshot that prints
//! as `503 3, reset-request 1 (4 in all)`, and the counters it is read from.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use super::config::FaultKind;

/// Faults injected so far, per kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FaultCounts {
    counts: [u64; FaultKind::ALL.len()],
}

impl FaultCounts {
    /// How many faults of `kind` were injected.
    pub fn get(&self, kind: FaultKind) -> u64 {
        self.counts[kind.index()]
    }

    /// How many faults were injected in all.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Every kind with its count, in [`FaultKind::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (FaultKind, u64)> + '_ {
        FaultKind::ALL.into_iter().map(|k| (k, self.get(k)))
    }
}

impl fmt::Display for FaultCounts {
    /// `503 3, reset-request 1 (4 in all)`, or `none`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        if parts.is_empty() {
            f.write_str("none")
        } else {
            write!(f, "{} ({} in all)", parts.join(", "), self.total())
        }
    }
}

/// The live counters behind [`FaultCounts`].
#[derive(Debug, Default)]
pub struct FaultCounters {
    counts: [AtomicU64; FaultKind::ALL.len()],
}

impl FaultCounters {
    /// Counts one injected fault of `kind`.
    pub fn record(&self, kind: FaultKind) {
        self.counts[kind.index()].fetch_add(1, Ordering::Relaxed);
    }

    /// The counts now.
    pub fn snapshot(&self) -> FaultCounts {
        let mut counts = FaultCounts::default();
        for (slot, counter) in counts.counts.iter_mut().zip(&self.counts) {
            *slot = counter.load(Ordering::Relaxed);
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_print_per_kind_and_in_all() {
        let counters = FaultCounters::default();
        assert_eq!(counters.snapshot().to_string(), "none");
        counters.record(FaultKind::Unavailable);
        counters.record(FaultKind::Unavailable);
        counters.record(FaultKind::ResetRequest);
        let counts = counters.snapshot();
        assert_eq!(counts.get(FaultKind::Unavailable), 2);
        assert_eq!(counts.to_string(), "503 2, reset-request 1 (3 in all)");
    }
}
