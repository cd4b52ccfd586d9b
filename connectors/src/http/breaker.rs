//! The circuit breaker of the HTTP loan system: after a run of failed requests it stops sending any for a
//! while, so that a core system that is down costs the bot one fast error instead of a timeout per customer.
//!
//! It is a small state machine over explicit instants, so its tests need no clock and no sleeping:
//!
//! - *closed*: every request is admitted; each failure adds to a count of consecutive failures and each success
//!   resets it. When the count reaches the failure threshold the breaker *opens*.
//! - *open*: every request is refused at once until the open duration has passed; then the next request is
//!   admitted as the *probe* and the breaker is *half-open*.
//! - *half-open*: only the probe is in flight; other requests are refused. The probe's success closes the
//!   breaker and its failure opens it again for another open duration. A probe that ends without an outcome (its
//!   caller gave up, or the server answered something that says nothing about its health) lets the next request
//!   probe instead.
//!
//! What counts as a failure is decided by the caller ([`super`]); the breaker only counts.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// When the breaker opens and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerOptions {
    /// Consecutive failed requests that open the breaker (at least 1).
    pub failure_threshold: u32,
    /// How long an open breaker refuses requests before it lets one probe through.
    pub open_duration: Duration,
}

impl Default for BreakerOptions {
    fn default() -> BreakerOptions {
        BreakerOptions {
            failure_threshold: 5,
            open_duration: Duration::from_secs(30),
        }
    }
}

/// Where the breaker stands, for health reports and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    Closed,
    Open,
    HalfOpen,
}

impl BreakerState {
    pub fn as_str(self) -> &'static str {
        match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half_open",
        }
    }
}

/// A change of state worth logging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transition {
    /// The threshold was reached while closed.
    Opened { consecutive_failures: u32 },
    /// The probe failed.
    Reopened,
    /// The open duration passed and a probe was admitted.
    HalfOpened,
    /// The probe succeeded.
    Closed,
}

/// Why a request was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The breaker is open; it admits a probe after this much longer.
    Open { retry_in: Duration },
    /// A probe is in flight; its outcome decides.
    ProbeInFlight,
}

enum Phase {
    Closed { consecutive_failures: u32 },
    Open { until: Instant },
    HalfOpen { probe_in_flight: bool },
}

pub(crate) struct CircuitBreaker {
    options: BreakerOptions,
    phase: Mutex<Phase>,
}

impl CircuitBreaker {
    pub(crate) fn new(options: BreakerOptions) -> CircuitBreaker {
        CircuitBreaker {
            options,
            phase: Mutex::new(Phase::Closed {
                consecutive_failures: 0,
            }),
        }
    }

    /// The state at `now`: an open breaker whose open duration has passed reports itself half-open, as the next
    /// request would find it.
    pub(crate) fn state(&self, now: Instant) -> BreakerState {
        match *self.lock() {
            Phase::Closed { .. } => BreakerState::Closed,
            Phase::Open { until } if now < until => BreakerState::Open,
            Phase::Open { .. } | Phase::HalfOpen { .. } => BreakerState::HalfOpen,
        }
    }

    /// How long an open breaker will still refuse requests, zero when it is not open.
    pub(crate) fn open_for(&self, now: Instant) -> Duration {
        match *self.lock() {
            Phase::Open { until } => until.saturating_duration_since(now),
            _ => Duration::ZERO,
        }
    }

    /// Admits a request at `now`, or refuses it. The transition, when there is one, is the move to half-open.
    pub(crate) fn admit(&self, now: Instant) -> Result<(Permit<'_>, Option<Transition>), Refusal> {
        let mut phase = self.lock();
        match *phase {
            Phase::Closed { .. } => Ok((self.permit(false), None)),
            Phase::Open { until } if now < until => Err(Refusal::Open {
                retry_in: until - now,
            }),
            Phase::Open { .. } => {
                *phase = Phase::HalfOpen {
                    probe_in_flight: true,
                };
                Ok((self.permit(true), Some(Transition::HalfOpened)))
            }
            Phase::HalfOpen {
                probe_in_flight: true,
            } => Err(Refusal::ProbeInFlight),
            Phase::HalfOpen {
                probe_in_flight: false,
            } => {
                *phase = Phase::HalfOpen {
                    probe_in_flight: true,
                };
                Ok((self.permit(true), None))
            }
        }
    }

    fn permit(&self, probe: bool) -> Permit<'_> {
        Permit {
            breaker: self,
            probe,
            settled: false,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Phase> {
        // The phase is always left consistent, so a panic elsewhere while it was held does not invalidate it.
        self.phase.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One admitted request. Settle it with its outcome; dropping it unsettled counts as no outcome.
pub(crate) struct Permit<'breaker> {
    breaker: &'breaker CircuitBreaker,
    probe: bool,
    settled: bool,
}

impl Permit<'_> {
    /// The server answered as a healthy server does.
    pub(crate) fn succeeded(mut self) -> Option<Transition> {
        self.settled = true;
        let mut phase = self.breaker.lock();
        if self.probe {
            *phase = Phase::Closed {
                consecutive_failures: 0,
            };
            return Some(Transition::Closed);
        }
        if let Phase::Closed {
            consecutive_failures,
        } = &mut *phase
        {
            *consecutive_failures = 0;
        }
        None
    }

    /// The request failed in a way that says the server is unwell.
    pub(crate) fn failed(mut self, now: Instant) -> Option<Transition> {
        self.settled = true;
        let options = self.breaker.options;
        let mut phase = self.breaker.lock();
        if self.probe {
            *phase = Phase::Open {
                until: now + options.open_duration,
            };
            return Some(Transition::Reopened);
        }
        match &mut *phase {
            Phase::Closed {
                consecutive_failures,
            } => {
                *consecutive_failures += 1;
                if *consecutive_failures >= options.failure_threshold {
                    let consecutive_failures = *consecutive_failures;
                    *phase = Phase::Open {
                        until: now + options.open_duration,
                    };
                    Some(Transition::Opened {
                        consecutive_failures,
                    })
                } else {
                    None
                }
            }
            // A request admitted before the breaker opened, or beside the probe, changes nothing.
            Phase::Open { .. } | Phase::HalfOpen { .. } => None,
        }
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if self.probe && !self.settled {
            let mut phase = self.breaker.lock();
            if let Phase::HalfOpen { probe_in_flight } = &mut *phase {
                *probe_in_flight = false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breaker(failure_threshold: u32) -> CircuitBreaker {
        CircuitBreaker::new(BreakerOptions {
            failure_threshold,
            open_duration: Duration::from_secs(10),
        })
    }

    fn admitted(breaker: &CircuitBreaker, now: Instant) -> Permit<'_> {
        match breaker.admit(now) {
            Ok((permit, _)) => permit,
            Err(refusal) => panic!("expected a permit, got {refusal:?}"),
        }
    }

    #[test]
    fn opens_after_the_threshold_of_consecutive_failures_and_a_success_resets_the_count() {
        let start = Instant::now();
        let breaker = breaker(3);
        assert_eq!(admitted(&breaker, start).failed(start), None);
        assert_eq!(admitted(&breaker, start).failed(start), None);
        // A success in between starts the count again.
        assert_eq!(admitted(&breaker, start).succeeded(), None);
        assert_eq!(admitted(&breaker, start).failed(start), None);
        assert_eq!(admitted(&breaker, start).failed(start), None);
        assert_eq!(breaker.state(start), BreakerState::Closed);
        assert_eq!(
            admitted(&breaker, start).failed(start),
            Some(Transition::Opened {
                consecutive_failures: 3
            })
        );
        assert_eq!(breaker.state(start), BreakerState::Open);
        let later = start + Duration::from_secs(4);
        assert_eq!(
            breaker.admit(later).err(),
            Some(Refusal::Open {
                retry_in: Duration::from_secs(6)
            })
        );
        assert_eq!(breaker.open_for(later), Duration::from_secs(6));
    }

    #[test]
    fn after_the_open_duration_one_probe_decides() {
        let start = Instant::now();
        let breaker = breaker(1);
        admitted(&breaker, start).failed(start);
        let after = start + Duration::from_secs(10);
        assert_eq!(breaker.state(after), BreakerState::HalfOpen);
        let (probe, transition) = breaker.admit(after).expect("the probe is admitted");
        assert_eq!(transition, Some(Transition::HalfOpened));
        // While the probe is in flight everyone else is refused.
        assert_eq!(breaker.admit(after).err(), Some(Refusal::ProbeInFlight));
        // The probe fails: open again for a whole open duration from now.
        assert_eq!(probe.failed(after), Some(Transition::Reopened));
        assert_eq!(
            breaker.admit(after + Duration::from_secs(9)).err(),
            Some(Refusal::Open {
                retry_in: Duration::from_secs(1)
            })
        );
        // The next probe succeeds and closes the breaker.
        let again = after + Duration::from_secs(10);
        let (probe, _) = breaker.admit(again).expect("a second probe");
        assert_eq!(probe.succeeded(), Some(Transition::Closed));
        assert_eq!(breaker.state(again), BreakerState::Closed);
        assert!(breaker.admit(again).is_ok());
    }

    #[test]
    fn a_probe_dropped_without_an_outcome_lets_the_next_request_probe() {
        let start = Instant::now();
        let breaker = breaker(1);
        admitted(&breaker, start).failed(start);
        let after = start + Duration::from_secs(11);
        let (probe, _) = breaker.admit(after).expect("the probe is admitted");
        drop(probe);
        let (second, transition) = breaker.admit(after).expect("another probe");
        // Still half-open, so no new transition is reported.
        assert_eq!(transition, None);
        assert_eq!(second.succeeded(), Some(Transition::Closed));
    }

    #[test]
    fn failures_of_requests_admitted_before_the_breaker_opened_do_not_extend_it() {
        let start = Instant::now();
        let breaker = breaker(1);
        let early = admitted(&breaker, start);
        let late = admitted(&breaker, start);
        early.failed(start);
        assert_eq!(late.failed(start + Duration::from_secs(5)), None);
        // Still open until start + 10 s, not start + 15 s.
        assert_eq!(
            breaker.state(start + Duration::from_secs(10)),
            BreakerState::HalfOpen
        );
    }
}
