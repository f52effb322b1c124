//! When a platform call is retried, and for how long, decided by who waits for its answer.
//!
//! A PHP-FPM worker that sleeps between retries serves nobody else meanwhile. For cron runs and
//! provisioning callbacks that is the right trade: nobody watches, and a call that gets through
//! on the third try saves a failed order. For a person at a page (client area, single sign-on,
//! admin pages and the admin API) a 1.5 s back-off during a 503 burst is worse than a prompt
//! "temporarily unavailable, try again": the page stalls and, with few workers, every other
//! client queues behind the sleeping one. Interactive calls therefore get one quick retry inside
//! a small time budget; background calls keep the configured retries (`cloud_api.retries`,
//! `retry_backoff_ms`, `retry_after_max`).
//!
//! The decision is a pure function of the attempt's outcome and the time already spent, so the
//! budget is unit-tested without clocks; [`crate::platform::http::send`] applies it.

use std::time::Duration;

/// Who waits for a call's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Caller {
    /// A person at a page: client area page and JSON API, single sign-on, admin service tab,
    /// admin API.
    Interactive,
    /// Cron, provisioning callbacks, hooks, migrations, command-line tools.
    #[default]
    Background,
}

/// Retries an interactive call may make (one quick second chance).
pub const INTERACTIVE_RETRIES: u32 = 1;
/// Longest back-off before an interactive retry.
pub const INTERACTIVE_BACKOFF: Duration = Duration::from_millis(200);
/// Time from the first attempt after which an interactive call starts no new attempt: about
/// what a person waits for before the page answers "try again".
pub const INTERACTIVE_BUDGET: Duration = Duration::from_millis(300);

/// The retry rules of one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub retries: u32,
    /// Back-off before the first retry; doubled for each further one.
    pub backoff: Duration,
    /// Longest `Retry-After` honoured; a longer one ends the call with the 429.
    pub retry_after_max: Duration,
    /// Time from the first attempt within which a retry (its wait included) must start;
    /// `None`: only `retries` limits the call.
    pub budget: Option<Duration>,
}

impl RetryPolicy {
    /// The policy for `caller`: background keeps `self`; interactive narrows it to at most
    /// [`INTERACTIVE_RETRIES`], [`INTERACTIVE_BACKOFF`] and [`INTERACTIVE_BUDGET`] (a
    /// configuration asking for less is kept as it is).
    pub fn for_caller(self, caller: Caller) -> RetryPolicy {
        match caller {
            Caller::Background => self,
            Caller::Interactive => RetryPolicy {
                retries: self.retries.min(INTERACTIVE_RETRIES),
                backoff: self.backoff.min(INTERACTIVE_BACKOFF),
                retry_after_max: self.retry_after_max.min(INTERACTIVE_BUDGET),
                budget: Some(
                    self.budget
                        .map_or(INTERACTIVE_BUDGET, |b| b.min(INTERACTIVE_BUDGET)),
                ),
            },
        }
    }

    /// What to do after attempt number `attempt` (0 = the first) ended with `outcome`,
    /// `elapsed` after the first attempt started.
    ///
    /// Connection errors and 5xx are retried only for idempotent requests (a POST that reached
    /// the platform may have been applied); 429 for any request (a throttled request was not
    /// processed), after its `Retry-After` when that is within `retry_after_max`.
    pub fn decide(
        &self,
        attempt: u32,
        elapsed: Duration,
        outcome: Outcome,
        idempotent: bool,
    ) -> Decision {
        if attempt >= self.retries {
            return Decision::GiveUp;
        }
        let backoff = self
            .backoff
            .saturating_mul(2u32.saturating_pow(attempt.min(16)));
        let wait = match outcome {
            Outcome::Success => return Decision::GiveUp,
            Outcome::Transport | Outcome::ServerError if idempotent => backoff,
            Outcome::Transport | Outcome::ServerError => return Decision::GiveUp,
            Outcome::Throttled(Some(after)) if after <= self.retry_after_max => after,
            Outcome::Throttled(Some(_)) => return Decision::GiveUp,
            Outcome::Throttled(None) => backoff,
        };
        match self.budget {
            Some(budget) if elapsed.saturating_add(wait) > budget => Decision::GiveUp,
            _ => Decision::Retry(wait),
        }
    }
}

/// How an attempt ended, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Any answer that is not 5xx or 429 (including 4xx: repeating it changes nothing).
    Success,
    /// No answer: connection refused or reset, timeout, TLS failure.
    Transport,
    /// A 5xx answer.
    ServerError,
    /// A 429 answer, with its `Retry-After` when it had a readable one.
    Throttled(Option<Duration>),
}

impl Outcome {
    /// The outcome of an answer with `status` and the parsed `Retry-After`.
    pub fn of_status(status: u16, retry_after: Option<Duration>) -> Outcome {
        match status {
            429 => Outcome::Throttled(retry_after),
            500..=599 => Outcome::ServerError,
            _ => Outcome::Success,
        }
    }
}

/// The verdict of [`RetryPolicy::decide`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Wait this long, then try again.
    Retry(Duration),
    /// Return the last outcome to the caller.
    GiveUp,
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: fn(u64) -> Duration = Duration::from_millis;

    /// The configuration's defaults (`cloud_api.retries` 2, 500 ms, `retry_after_max` 30 s).
    fn configured() -> RetryPolicy {
        RetryPolicy {
            retries: 2,
            backoff: MS(500),
            retry_after_max: Duration::from_secs(30),
            budget: None,
        }
    }

    /// Replays `faults` (one outcome per attempt, the platform's answers in order) against
    /// `policy` with each attempt taking `attempt_ms`; returns the attempts made and the time
    /// the call took (attempts and waits), computed, not measured.
    fn replay(
        policy: RetryPolicy,
        faults: &[Outcome],
        attempt_ms: u64,
        idempotent: bool,
    ) -> (u32, Duration) {
        let mut elapsed = Duration::ZERO;
        let mut attempts = 0;
        for (n, outcome) in (0u32..).zip(faults.iter().copied()) {
            attempts += 1;
            elapsed += MS(attempt_ms);
            match policy.decide(n, elapsed, outcome, idempotent) {
                Decision::Retry(wait) => elapsed += wait,
                Decision::GiveUp => break,
            }
        }
        (attempts, elapsed)
    }

    const BURST: [Outcome; 5] = [Outcome::ServerError; 5];

    #[test]
    fn interactive_call_gives_up_after_one_quick_retry_in_a_503_burst() {
        let p = configured().for_caller(Caller::Interactive);
        let (attempts, elapsed) = replay(p, &BURST, 5, true);
        assert_eq!(attempts, 2);
        assert_eq!(elapsed, MS(5 + 200 + 5));
        assert!(elapsed <= INTERACTIVE_BUDGET + MS(5));
    }

    #[test]
    fn background_call_keeps_the_configured_retries_and_back_off() {
        let p = configured().for_caller(Caller::Background);
        assert_eq!(p, configured());
        let (attempts, elapsed) = replay(p, &BURST, 5, true);
        assert_eq!(attempts, 3);
        assert_eq!(elapsed, MS(5 + 500 + 5 + 1000 + 5));
    }

    #[test]
    fn interactive_call_that_recovers_on_the_retry_succeeds() {
        let p = configured().for_caller(Caller::Interactive);
        let (attempts, _) = replay(p, &[Outcome::ServerError, Outcome::Success], 5, true);
        assert_eq!(attempts, 2);
    }

    #[test]
    fn slow_attempts_use_up_the_interactive_budget() {
        // An attempt that already took 250 ms (added latency) leaves no room for a 200 ms
        // back-off inside 300 ms: the call answers at once instead of doubling the wait.
        let p = configured().for_caller(Caller::Interactive);
        assert_eq!(replay(p, &BURST, 250, true), (1, MS(250)));
        assert_eq!(
            replay(configured(), &BURST, 250, true).0,
            3,
            "background calls have no budget"
        );
    }

    #[test]
    fn throttling_longer_than_the_budget_answers_at_once_for_interactive_calls() {
        let throttled = [Outcome::Throttled(Some(Duration::from_secs(2))); 3];
        let p = configured().for_caller(Caller::Interactive);
        assert_eq!(replay(p, &throttled, 5, false), (1, MS(5)));
        let (attempts, elapsed) = replay(configured(), &throttled, 5, false);
        assert_eq!(attempts, 3);
        assert_eq!(elapsed, MS(5 + 2000 + 5 + 2000 + 5));
        // A short Retry-After fits the budget.
        let short = [Outcome::Throttled(Some(MS(100))), Outcome::Success];
        assert_eq!(replay(p, &short, 5, false), (2, MS(5 + 100 + 5)));
    }

    #[test]
    fn a_retry_after_above_the_cap_is_not_waited_for() {
        let long = [Outcome::Throttled(Some(Duration::from_secs(60))); 2];
        assert_eq!(replay(configured(), &long, 5, true).0, 1);
    }

    #[test]
    fn non_idempotent_requests_are_not_repeated_after_5xx_or_transport_errors() {
        for p in [configured(), configured().for_caller(Caller::Interactive)] {
            assert_eq!(replay(p, &BURST, 5, false).0, 1);
            assert_eq!(replay(p, &[Outcome::Transport; 3], 5, false).0, 1);
            assert_eq!(
                replay(p, &[Outcome::Transport; 3], 5, true).0,
                p.retries + 1
            );
        }
    }

    #[test]
    fn a_stricter_configuration_is_kept_for_interactive_calls() {
        let none = RetryPolicy {
            retries: 0,
            backoff: MS(50),
            ..configured()
        };
        let p = none.for_caller(Caller::Interactive);
        assert_eq!((p.retries, p.backoff), (0, MS(50)));
        assert_eq!(replay(p, &BURST, 5, true).0, 1);
    }

    #[test]
    fn answers_other_than_5xx_and_429_end_the_call() {
        for status in [200, 204, 400, 401, 404, 409] {
            assert_eq!(Outcome::of_status(status, None), Outcome::Success);
            assert_eq!(
                configured().decide(0, MS(1), Outcome::of_status(status, None), true),
                Decision::GiveUp
            );
        }
        assert_eq!(Outcome::of_status(503, None), Outcome::ServerError);
        assert_eq!(
            Outcome::of_status(429, Some(MS(1))),
            Outcome::Throttled(Some(MS(1)))
        );
    }
}
