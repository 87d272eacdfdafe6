//! Fair use, on the one command path both transports share ([`super::answer`]):
//! per-member cooldowns (`/ask`, the other lookups, `/kb` writes; per server) and repeat
//! suppression (the same question asked again in the same channel within a few minutes
//! links to the earlier answer instead of posting it again). Memory is bounded: at most
//! [`MAX_MEMBERS`] cooldown entries and [`MAX_REPEATS`] remembered answers, expired ones
//! dropped first. Time comes from an injected [`MillisClock`], so tests never sleep.

use super::interaction::Incoming;
use archie_core::commands::kb::KbCommand;
use archie_core::commands::Command;
use serenity::all::Interaction;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

/// The time now, in milliseconds since the Unix epoch.
pub type MillisClock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// The system clock.
pub fn system_clock() -> MillisClock {
    Arc::new(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0)
    })
}

/// Most (kind, server, member) cooldown entries kept at once.
pub const MAX_MEMBERS: usize = 50_000;
/// Most answers remembered for repeat suppression at once.
pub const MAX_REPEATS: usize = 10_000;
/// Characters of a normalised question that key a repeat.
const QUESTION_KEY_CHARS: usize = 300;

pub use archie_core::config::limits::{Limits, Rate};

/// What a cooldown counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bucket {
    Ask,
    Lookup,
    KbWrite,
}

/// Where an interaction happened and who sent it, as fair use needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// `None` in a direct message.
    pub guild: Option<u64>,
    pub channel: Option<u64>,
    pub member: Option<u64>,
    pub application: u64,
    pub token: String,
}

impl Place {
    pub fn of(i: &Interaction) -> Place {
        let (guild, channel, member) = match i {
            Interaction::Command(c) | Interaction::Autocomplete(c) => (
                c.guild_id.map(|g| g.get()),
                Some(c.channel_id.get()),
                Some(c.user.id.get()),
            ),
            Interaction::Component(c) => (
                c.guild_id.map(|g| g.get()),
                Some(c.channel_id.get()),
                Some(c.user.id.get()),
            ),
            Interaction::Modal(m) => (
                m.guild_id.map(|g| g.get()),
                Some(m.channel_id.get()),
                Some(m.user.id.get()),
            ),
            _ => (None, None, None),
        };
        Place {
            guild,
            channel,
            member,
            application: i.application_id().get(),
            token: i.token().to_string(),
        }
    }
}

/// A public answer given earlier in a channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Earlier {
    pub application: u64,
    pub token: String,
    /// When it was given, in ms since the epoch.
    pub at_ms: u64,
}

/// (server, channel, normalised question).
pub type RepeatKey = (u64, u64, String);

/// What the process counts: recent uses per (bucket, server, member), and the answers a
/// repeated question links to.
#[derive(Default)]
struct Tally {
    uses: HashMap<(Bucket, u64, u64), VecDeque<u64>>,
    answers: HashMap<RepeatKey, Earlier>,
}

/// The cooldowns and remembered answers of one process.
pub struct FairUse {
    pub limits: Limits,
    clock: MillisClock,
    state: Mutex<Tally>,
}

impl std::fmt::Debug for FairUse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FairUse")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl FairUse {
    pub fn new(limits: Limits, clock: MillisClock) -> FairUse {
        FairUse {
            limits,
            clock,
            state: Mutex::new(Tally::default()),
        }
    }

    /// No limits at all (the default for tests and benchmarks that build their own).
    pub fn off() -> FairUse {
        FairUse::new(Limits::OFF, system_clock())
    }

    pub fn now_ms(&self) -> u64 {
        (self.clock)()
    }

    fn state(&self) -> MutexGuard<'_, Tally> {
        // The state stays consistent between statements, so a poisoned lock is usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn rate(&self, bucket: Bucket) -> Option<Rate> {
        match bucket {
            Bucket::Ask => self.limits.ask,
            Bucket::Lookup => self.limits.lookup,
            Bucket::KbWrite => self.limits.kb,
        }
        .filter(|r| r.count > 0 && r.per_secs > 0)
    }

    /// Counts one use of `bucket` by `member` in `guild` (0 for a DM); when the member
    /// is over the limit, nothing is counted and the answer is when (Unix seconds) the
    /// next use is allowed.
    pub fn take(&self, bucket: Bucket, guild: u64, member: u64) -> Result<(), u64> {
        let Some(rate) = self.rate(bucket) else {
            return Ok(());
        };
        let now = self.now_ms();
        let window = rate.per_secs.saturating_mul(1000);
        let key = (bucket, guild, member);
        let mut st = self.state();
        if st.uses.len() >= MAX_MEMBERS && !st.uses.contains_key(&key) {
            let windows = |b: Bucket| self.rate(b).map_or(0, |r| r.per_secs.saturating_mul(1000));
            st.uses
                .retain(|(b, _, _), q| q.back().is_some_and(|&t| t + windows(*b) > now));
            if st.uses.len() >= MAX_MEMBERS {
                // Still full of active members: forget one (which only ever lets someone
                // through sooner, never refuses anyone wrongly).
                if let Some(k) = st.uses.keys().next().copied() {
                    st.uses.remove(&k);
                }
            }
        }
        let q = st.uses.entry(key).or_default();
        while q.front().is_some_and(|&t| t.saturating_add(window) <= now) {
            q.pop_front();
        }
        if q.len() >= rate.count as usize {
            let free_at = q.front().copied().unwrap_or(now).saturating_add(window);
            return Err(free_at.div_ceil(1000));
        }
        q.push_back(now);
        Ok(())
    }

    /// The answer given to the same question in the same channel within the window.
    pub fn earlier(&self, key: &RepeatKey) -> Option<Earlier> {
        if self.limits.repeat_secs == 0 {
            return None;
        }
        let now = self.now_ms();
        let window = self.limits.repeat_secs.saturating_mul(1000);
        let mut st = self.state();
        match st.answers.get(key) {
            Some(e) if e.at_ms.saturating_add(window) > now => Some(e.clone()),
            Some(_) => {
                st.answers.remove(key);
                None
            }
            None => None,
        }
    }

    /// Remembers a public answer to `key`, given now with the interaction `token`.
    pub fn remember(&self, key: RepeatKey, application: u64, token: String) {
        if self.limits.repeat_secs == 0 {
            return;
        }
        let now = self.now_ms();
        let window = self.limits.repeat_secs.saturating_mul(1000);
        let mut st = self.state();
        if st.answers.len() >= MAX_REPEATS && !st.answers.contains_key(&key) {
            st.answers
                .retain(|_, e| e.at_ms.saturating_add(window) > now);
            if st.answers.len() >= MAX_REPEATS {
                let oldest = st
                    .answers
                    .iter()
                    .min_by_key(|(_, e)| e.at_ms)
                    .map(|(k, _)| k.clone());
                if let Some(k) = oldest {
                    st.answers.remove(&k);
                }
            }
        }
        st.answers.insert(
            key,
            Earlier {
                application,
                token,
                at_ms: now,
            },
        );
    }

    /// How many cooldown entries and remembered answers are held (tests).
    pub fn sizes(&self) -> (usize, usize) {
        let st = self.state();
        (st.uses.len(), st.answers.len())
    }
}

/// What a cooldown counts for this interaction: slash commands that look things up and
/// `/kb` actions that change or import (not forms being opened, not buttons that page).
pub fn bucket(incoming: &Incoming) -> Option<Bucket> {
    match incoming {
        Incoming::Run(run) => match &run.command {
            Command::Kb(
                KbCommand::Submit { .. }
                | KbCommand::Remove {
                    confirmed: true, ..
                }
                | KbCommand::Revert { .. }
                | KbCommand::Import { .. }
                | KbCommand::ConfirmImport { .. }
                | KbCommand::AnswerGap { .. }
                | KbCommand::DismissGap { .. }
                | KbCommand::Propose { .. }
                | KbCommand::Approve { .. }
                | KbCommand::Reject { .. },
            ) => Some(Bucket::KbWrite),
            // A quiz is answered once per member by design; votes are once per answer.
            Command::Kb(_) | Command::Help | Command::QuizAnswer { .. } => None,
            _ if run.update => None,
            Command::Ask { .. } => Some(Bucket::Ask),
            _ => Some(Bucket::Lookup),
        },
        Incoming::Import(_) => Some(Bucket::KbWrite),
        // A follow-up asked (its form submitted) is a question like any other.
        Incoming::FollowUp {
            question: Some(_), ..
        } => Some(Bucket::Ask),
        _ => None,
    }
}

/// The repeat key of a public `/ask` in a server channel.
pub fn repeat_key(incoming: &Incoming, place: &Place) -> Option<RepeatKey> {
    let Incoming::Run(run) = incoming else {
        return None;
    };
    let Command::Ask { question, .. } = &run.command else {
        return None;
    };
    if run.update || run.private || run.mention.is_some() {
        return None;
    }
    let q: String = archie_text::normalize(question)
        .chars()
        .take(QUESTION_KEY_CHARS)
        .collect();
    let q = q.trim().to_string();
    if q.is_empty() {
        return None;
    }
    Some((place.guild?, place.channel?, q))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    fn clocked(limits: Limits) -> (FairUse, Arc<AtomicU64>) {
        let t = Arc::new(AtomicU64::new(1_700_000_000_000));
        let c = t.clone();
        (
            FairUse::new(limits, Arc::new(move || c.load(Ordering::SeqCst))),
            t,
        )
    }

    #[test]
    fn the_sixth_ask_in_30_seconds_waits_until_the_first_one_leaves_the_window() {
        let (f, t) = clocked(Limits::DEFAULT);
        for _ in 0..5 {
            assert_eq!(f.take(Bucket::Ask, 1, 2), Ok(()));
            t.fetch_add(1000, Ordering::SeqCst);
        }
        // First use at 1_700_000_000 s: free again at 1_700_000_030 s.
        assert_eq!(f.take(Bucket::Ask, 1, 2), Err(1_700_000_030));
        // Other members, servers and kinds are counted apart.
        assert_eq!(f.take(Bucket::Ask, 1, 3), Ok(()));
        assert_eq!(f.take(Bucket::Ask, 9, 2), Ok(()));
        assert_eq!(f.take(Bucket::Lookup, 1, 2), Ok(()));
        t.store(1_700_000_030_000, Ordering::SeqCst);
        assert_eq!(f.take(Bucket::Ask, 1, 2), Ok(()));
        assert!(
            f.take(Bucket::Ask, 1, 2).is_err(),
            "the second use is still inside"
        );
    }

    #[test]
    fn limits_off_never_refuse_and_remember_nothing() {
        let (f, _) = clocked(Limits::OFF);
        for _ in 0..100 {
            assert_eq!(f.take(Bucket::KbWrite, 1, 2), Ok(()));
        }
        f.remember((1, 2, "q".into()), 3, "t".into());
        assert_eq!(f.earlier(&(1, 2, "q".into())), None);
        assert_eq!(f.sizes(), (0, 0));
    }

    #[test]
    fn an_answer_is_remembered_for_the_window_only() {
        let (f, t) = clocked(Limits::DEFAULT);
        let key: RepeatKey = (1, 2, "who uses kafka".into());
        f.remember(key.clone(), 3, "tok".into());
        t.fetch_add(299_000, Ordering::SeqCst);
        assert_eq!(f.earlier(&key).map(|e| e.token), Some("tok".to_string()));
        assert_eq!(f.earlier(&(1, 5, "who uses kafka".into())), None);
        t.fetch_add(1_000, Ordering::SeqCst);
        assert_eq!(f.earlier(&key), None);
        assert_eq!(f.sizes().1, 0, "expired answers are dropped");
    }

    #[test]
    fn memory_stays_bounded_under_many_members_and_questions() {
        let (f, t) = clocked(Limits::DEFAULT);
        for m in 0..(MAX_MEMBERS as u64 + 500) {
            let _ = f.take(Bucket::Ask, 1, m);
        }
        assert!(f.sizes().0 <= MAX_MEMBERS);
        for q in 0..(MAX_REPEATS + 500) {
            f.remember((1, 2, format!("q{q}")), 3, "t".into());
            t.fetch_add(1, Ordering::SeqCst);
        }
        assert!(f.sizes().1 <= MAX_REPEATS);
        // The newest is kept, the oldest went first.
        let newest = format!("q{}", MAX_REPEATS + 499);
        assert!(f.earlier(&(1, 2, newest)).is_some());
        assert!(f.earlier(&(1, 2, "q0".into())).is_none());
    }
}
