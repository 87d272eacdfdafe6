//! Replay protection for the HTTP endpoint: a signed request is accepted only when its
//! `X-Signature-Timestamp` is within [`WINDOW_SECS`] of the server's clock, and only the
//! first delivery of an interaction id is. Ids are remembered until their timestamp
//! leaves the window (after which the timestamp check refuses a replay anyway), and at
//! most [`CAPACITY`] of them, oldest dropped first, so memory stays bounded.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// How far a request's timestamp may be from the server's clock, either way.
pub const WINDOW_SECS: i64 = 5 * 60;
/// Most interaction ids remembered at once.
pub const CAPACITY: usize = 100_000;

/// Why a signed request is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The timestamp is not a number of seconds.
    Unreadable,
    /// More than [`WINDOW_SECS`] from now (by this many seconds; negative: in the future).
    Stale(i64),
    /// The interaction id was delivered before.
    Replayed,
}

impl Refusal {
    /// The 401 body.
    pub fn reason(&self) -> &'static str {
        match self {
            Refusal::Unreadable => "invalid request timestamp",
            Refusal::Stale(_) => "request timestamp outside the 5-minute window",
            Refusal::Replayed => "interaction already delivered",
        }
    }
}

#[derive(Default)]
struct Seen {
    /// id → when its timestamp leaves the window.
    until: HashMap<u64, i64>,
    /// Arrival order, to drop the oldest when full.
    order: VecDeque<(u64, i64)>,
}

/// The ids seen recently.
pub struct Replays {
    capacity: usize,
    seen: Mutex<Seen>,
}

impl Default for Replays {
    fn default() -> Replays {
        Replays::with_capacity(CAPACITY)
    }
}

impl Replays {
    pub fn with_capacity(capacity: usize) -> Replays {
        Replays {
            capacity: capacity.max(1),
            seen: Mutex::new(Seen::default()),
        }
    }

    /// The request's timestamp (Unix seconds, as Discord sends it), checked against `now`.
    pub fn check_time(timestamp: &str, now: i64) -> Result<i64, Refusal> {
        let ts: i64 = timestamp.trim().parse().map_err(|_| Refusal::Unreadable)?;
        let age = now.saturating_sub(ts);
        if age.abs() > WINDOW_SECS {
            return Err(Refusal::Stale(age));
        }
        Ok(ts)
    }

    /// Records the first delivery of `id` (sent at `ts`); a second one is refused.
    pub fn first_delivery(&self, id: u64, ts: i64, now: i64) -> Result<(), Refusal> {
        let mut s = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        // Forget ids whose timestamps have left the window, oldest arrivals first.
        while let Some(&(old, until)) = s.order.front() {
            let expired = until < now;
            if !(expired || s.order.len() >= self.capacity) {
                break;
            }
            s.order.pop_front();
            if s.until.get(&old) == Some(&until) {
                s.until.remove(&old);
            }
        }
        if s.until.get(&id).is_some_and(|&until| until >= now) {
            return Err(Refusal::Replayed);
        }
        let until = ts.saturating_add(WINDOW_SECS);
        s.until.insert(id, until);
        s.order.push_back((id, until));
        Ok(())
    }

    /// How many ids are remembered.
    pub fn len(&self) -> usize {
        self.seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .until
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000;

    #[test]
    fn timestamps_within_five_minutes_either_way_pass_and_others_do_not() {
        assert_eq!(Replays::check_time("1700000000", NOW), Ok(NOW));
        assert!(Replays::check_time(&(NOW - 300).to_string(), NOW).is_ok());
        assert!(Replays::check_time(&(NOW + 300).to_string(), NOW).is_ok());
        // One second past the window, either way, is refused.
        assert_eq!(
            Replays::check_time(&(NOW - 301).to_string(), NOW),
            Err(Refusal::Stale(301))
        );
        assert_eq!(
            Replays::check_time(&(NOW + 301).to_string(), NOW),
            Err(Refusal::Stale(-301))
        );
        assert_eq!(
            Replays::check_time(&(NOW - 86_400).to_string(), NOW),
            Err(Refusal::Stale(86_400))
        );
        assert_eq!(
            Replays::check_time(&(NOW + 3_600).to_string(), NOW),
            Err(Refusal::Stale(-3_600))
        );
        for bad in ["", "soon", "1.5", "99999999999999999999999"] {
            assert_eq!(
                Replays::check_time(bad, NOW),
                Err(Refusal::Unreadable),
                "{bad}"
            );
        }
    }

    #[test]
    fn an_id_is_accepted_once_while_its_timestamp_is_in_the_window() {
        let r = Replays::default();
        assert_eq!(r.first_delivery(7, NOW, NOW), Ok(()));
        assert_eq!(r.first_delivery(7, NOW, NOW + 10), Err(Refusal::Replayed));
        assert_eq!(r.first_delivery(8, NOW, NOW + 10), Ok(()));
        // Once the timestamp has left the window the id is forgotten (the timestamp
        // check refuses such a request by then).
        assert_eq!(r.first_delivery(9, NOW + 400, NOW + 400), Ok(()));
        assert_eq!(r.len(), 1);
    }

    #[test]
    fn memory_is_capped_dropping_the_oldest_ids() {
        let r = Replays::with_capacity(3);
        for id in 1..=5 {
            assert_eq!(r.first_delivery(id, NOW, NOW), Ok(()));
        }
        assert_eq!(r.len(), 3);
        assert_eq!(r.first_delivery(5, NOW, NOW), Err(Refusal::Replayed));
    }
}
