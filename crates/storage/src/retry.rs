//! Retries for remote Types, written once: a [`RetryPolicy`] (a bound on attempts,
//! exponential backoff with full jitter, a total deadline), [`is_retryable`] — the one
//! table of which failures are worth another attempt — and [`RetryPolicy::run`], which
//! drives an operation through them.
//!
//! A request is retried only when sending it again cannot do harm and may succeed: the
//! caller decides whether the request *can* be sent again (its body is replayable), this
//! module decides whether the failure is *worth* it.

use std::future::Future;
use std::time::Duration;

use rand::Rng;
use tokio::time::Instant;

use crate::element_storage::ElementStorage;
use crate::error::{StorageError, StorageErrorKind};

/// Default number of retries after the first attempt.
pub const DEFAULT_MAX_RETRIES: u32 = 3;
/// Default first backoff (before jitter); it doubles with every retry.
pub const DEFAULT_BASE_DELAY: Duration = Duration::from_millis(100);
/// Default longest backoff between two attempts.
pub const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(5);

/// Service error codes worth retrying whatever their HTTP status or kind says, shared by
/// OSS and S3 (which use the same names).
const RETRYABLE_CODES: &[&str] = &[
    // The signature's timestamp was too far from the server's clock: signed afresh, the
    // next attempt carries a new one (a request that waited in a queue, a clock corrected).
    "RequestTimeTooSkewed",
    "RequestTimeout",
    "SlowDown",
    "TooManyRequests",
    "QpsLimitExceeded",
    "InternalError",
    "ServiceUnavailable",
];

/// Whether a request that failed with `err` may succeed if signed and sent again.
///
/// The one table for every remote Type: transport failures and timeouts
/// ([`StorageErrorKind::Network`], [`Timeout`](StorageErrorKind::Timeout)), throttling
/// ([`RateLimited`](StorageErrorKind::RateLimited), HTTP 429), server failures (HTTP 408,
/// 500, 502, 503, 504, and [`Server`](StorageErrorKind::Server) errors that carry no
/// status, such as an unreadable answer), and the service codes in a short list
/// (`RequestTimeTooSkewed`, `SlowDown`, `InternalError`, …). Everything else — wrong
/// credentials, a missing object, a bad argument, HTTP 501 — fails at once.
pub fn is_retryable(err: &StorageError) -> bool {
    if let Some(code) = err.code() {
        if RETRYABLE_CODES.contains(&code) {
            return true;
        }
    }
    if let Some(status) = err.remote().and_then(|r| r.status) {
        return matches!(status, 408 | 429 | 500 | 502 | 503 | 504);
    }
    matches!(
        err.kind(),
        StorageErrorKind::Network
            | StorageErrorKind::Timeout
            | StorageErrorKind::RateLimited
            | StorageErrorKind::Server
    )
}

impl StorageError {
    /// Whether a request that failed this way may succeed if sent again
    /// ([`is_retryable`], the one table).
    pub fn is_retryable(&self) -> bool {
        is_retryable(self)
    }
}

/// How often and how patiently a failed request is tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0: no retries).
    pub max_retries: u32,
    /// The first backoff before jitter; doubled for every further retry.
    pub base_delay: Duration,
    /// The longest backoff between two attempts.
    pub max_delay: Duration,
    /// No retry starts after this much time since the first attempt (`None`: no bound
    /// but `max_retries`).
    pub deadline: Option<Duration>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: DEFAULT_MAX_RETRIES,
            base_delay: DEFAULT_BASE_DELAY,
            max_delay: DEFAULT_MAX_DELAY,
            deadline: None,
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// The longest wait before retry number `retry` (0-based): `base_delay × 2^retry`,
    /// capped at `max_delay`.
    pub fn ceiling(&self, retry: u32) -> Duration {
        self.base_delay
            .saturating_mul(1u32 << retry.min(20))
            .min(self.max_delay)
    }

    /// The wait before retry number `retry`: uniformly random up to
    /// [`ceiling`](Self::ceiling) ("full jitter"), so that clients failing together do
    /// not retry together.
    pub fn backoff(&self, retry: u32) -> Duration {
        let ceiling = self.ceiling(retry);
        if ceiling.is_zero() {
            return ceiling;
        }
        rand::thread_rng().gen_range(Duration::ZERO..=ceiling)
    }

    /// Tracks the attempts of one operation started now.
    pub fn start(&self) -> Attempts {
        Attempts {
            policy: *self,
            made: 0,
            started: Instant::now(),
        }
    }

    /// Runs `attempt` (given the attempt number, from 1) until it succeeds, fails with
    /// an error that is not [retryable](is_retryable), or the policy gives up. `attempt`
    /// must build its request afresh (signature and body included) each time. An error
    /// after several attempts says how many were made.
    pub async fn run<T, F, Fut>(&self, mut attempt: F) -> Result<T, StorageError>
    where
        F: FnMut(u32) -> Fut,
        Fut: Future<Output = Result<T, StorageError>>,
    {
        let mut attempts = self.start();
        loop {
            match attempt(attempts.made + 1).await {
                Ok(value) => {
                    ElementStorage::record_attempts(attempts.made + 1);
                    return Ok(value);
                }
                Err(err) => attempts.wait_or_give_up(err).await?,
            }
        }
    }
}

/// Why a one-shot body was not sent again.
const ONE_SHOT: &str = "the request body is a one-shot stream that cannot be sent again";

/// The error to report when a request failed in a way worth retrying
/// ([`is_retryable`]) but could not be sent again because its body was a one-shot
/// stream: the same error (kind, status, code, request id) saying so. Other errors are
/// returned as they are.
pub fn one_shot_body(err: StorageError) -> StorageError {
    if is_retryable(&err) {
        err.not_retried(ONE_SHOT)
    } else {
        err
    }
}

/// The attempts of one operation under a [`RetryPolicy`].
#[derive(Debug, Clone)]
pub struct Attempts {
    policy: RetryPolicy,
    made: u32,
    started: Instant,
}

impl Attempts {
    /// Attempts made so far (counting the one that just failed once
    /// [`next_delay`](Self::next_delay) was called for it).
    pub fn made(&self) -> u32 {
        self.made
    }

    /// After an attempt failed with `err`: how long to wait before the next one, or
    /// `None` to give up (not retryable, out of retries, or past the deadline).
    ///
    /// The attempt count is reported to the storage operation running in this task
    /// ([`ElementStorage::record_attempts`]), so its log line says how many it took.
    pub fn next_delay(&mut self, err: &StorageError) -> Option<Duration> {
        self.made += 1;
        ElementStorage::record_attempts(self.made);
        let retry = self.made - 1;
        if retry >= self.policy.max_retries || !is_retryable(err) {
            return None;
        }
        let wait = self.policy.backoff(retry);
        if let Some(deadline) = self.policy.deadline {
            if self.started.elapsed() + wait >= deadline {
                return None;
            }
        }
        Some(wait)
    }

    /// After an attempt failed with `err`: waits the backoff and returns `Ok(())` when
    /// another attempt should be made, or returns the error to report (see
    /// [`give_up`](Self::give_up)). For loops that need more than
    /// [`RetryPolicy::run`], such as checking whether a request whose answer was lost
    /// took effect before sending it again.
    pub async fn wait_or_give_up(&mut self, err: StorageError) -> Result<(), StorageError> {
        match self.next_delay(&err) {
            Some(wait) => {
                tracing::debug!(attempt = self.made, error = %err, ?wait, "retrying");
                tokio::time::sleep(wait).await;
                Ok(())
            }
            None => Err(self.give_up(err)),
        }
    }

    /// The error to report when giving up with `err`: the same error, saying how many
    /// attempts were made when there were several.
    pub fn give_up(&self, err: StorageError) -> StorageError {
        if self.made > 1 {
            err.after_attempts(self.made)
        } else {
            err
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::RemoteError;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn remote(status: u16, code: Option<&str>, kind: StorageErrorKind) -> StorageError {
        StorageError::new(kind, "m").with_remote(RemoteError {
            status: Some(status),
            code: code.map(str::to_string),
            ..RemoteError::default()
        })
    }

    #[test]
    fn the_table() {
        use StorageErrorKind as K;
        let retryable = [
            remote(500, None, K::Server),
            remote(503, Some("SlowDown"), K::RateLimited),
            remote(408, None, K::Timeout),
            remote(429, None, K::RateLimited),
            remote(403, Some("RequestTimeTooSkewed"), K::PermissionDenied),
            StorageError::new(K::Network, "reset"),
            StorageError::new(K::Timeout, "idle"),
            StorageError::new(K::Server, "unreadable answer"),
        ];
        for err in &retryable {
            assert!(is_retryable(err), "{err:?}");
        }
        let final_ = [
            remote(403, Some("SignatureDoesNotMatch"), K::PermissionDenied),
            remote(404, Some("NoSuchKey"), K::NotFound),
            remote(501, Some("NotImplemented"), K::Unsupported),
            remote(400, Some("InvalidArgument"), K::InvalidArgument),
            StorageError::new(K::IntegrityMismatch, "crc"),
            StorageError::new(K::InvalidArgument, "bad name"),
        ];
        for err in &final_ {
            assert!(!is_retryable(err), "{err:?}");
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter_below_the_ceiling() {
        let policy = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(700),
            ..RetryPolicy::default()
        };
        let ceilings: Vec<u128> = (0..5).map(|r| policy.ceiling(r).as_millis()).collect();
        assert_eq!(ceilings, [100, 200, 400, 700, 700]);
        assert_eq!(policy.ceiling(u32::MAX), Duration::from_millis(700));
        let waits: Vec<Duration> = (0..200).map(|_| policy.backoff(2)).collect();
        assert!(waits.iter().all(|w| *w <= Duration::from_millis(400)));
        assert!(waits.iter().any(|w| *w != waits[0]), "no jitter");
    }

    #[tokio::test(start_paused = true)]
    async fn run_retries_until_success_and_counts_attempts_in_the_final_error() {
        let policy = RetryPolicy {
            max_retries: 3,
            ..RetryPolicy::default()
        };
        let calls = AtomicU32::new(0);
        let value = policy
            .run(|n| {
                calls.fetch_add(1, Ordering::SeqCst);
                async move {
                    if n < 3 {
                        Err(StorageError::new(StorageErrorKind::Network, "reset"))
                    } else {
                        Ok(n)
                    }
                }
            })
            .await
            .unwrap();
        assert_eq!((value, calls.load(Ordering::SeqCst)), (3, 3));

        let err = policy
            .run(|_| async { Err::<(), _>(StorageError::new(StorageErrorKind::Server, "down")) })
            .await
            .unwrap_err();
        assert_eq!(err.kind(), StorageErrorKind::Server);
        assert!(err.message().contains("after 4 attempts"), "{err}");

        let calls = AtomicU32::new(0);
        let err = policy
            .run(|_| {
                calls.fetch_add(1, Ordering::SeqCst);
                async { Err::<(), _>(StorageError::not_found("gone")) }
            })
            .await
            .unwrap_err();
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "a final error is not retried"
        );
        assert_eq!(err.message(), "gone");
    }

    #[test]
    fn one_shot_bodies_say_why_they_were_not_retried() {
        let err = one_shot_body(remote(503, None, StorageErrorKind::Server));
        assert_eq!(err.kind(), StorageErrorKind::Server);
        assert_eq!(err.remote().and_then(|r| r.status), Some(503));
        assert!(err.message().contains("not retried"), "{err}");
        assert!(err.message().contains("one-shot stream"), "{err}");
        let final_ = one_shot_body(StorageError::not_found("gone"));
        assert_eq!(final_.message(), "gone");
    }

    #[tokio::test(start_paused = true)]
    async fn the_deadline_stops_retries() {
        let policy = RetryPolicy {
            max_retries: 100,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(1),
            deadline: Some(Duration::from_secs(5)),
        };
        let started = Instant::now();
        let calls = AtomicU32::new(0);
        let _ = policy
            .run(|_| {
                calls.fetch_add(1, Ordering::SeqCst);
                async {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    Err::<(), _>(StorageError::new(StorageErrorKind::Timeout, "slow"))
                }
            })
            .await;
        assert!(
            started.elapsed() <= Duration::from_secs(7),
            "{:?}",
            started.elapsed()
        );
        assert!(calls.load(Ordering::SeqCst) < 10);
    }
}
