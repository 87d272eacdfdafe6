//! Conversations and watched forums, per server:
//!
//! - **contexts**: what a conversation is about so far, for a follow-up whose context is
//!   too long for its button's id. Keyed by the server and a key the answer's button
//!   carries; kept for a day, at most [`MAX_CONTEXTS`] per server (the oldest go first).
//!   A key looked up from another server is not found.
//! - **watched forums**: the forum channels a moderator asked Archie to answer new posts
//!   in, and the posts (threads) it has answered, so a post is answered at most once,
//!   across restarts and replicas.

use crate::backend::{from_sql_id, gid, int, text};
use crate::{Store, StoreError};

/// How long a conversation's context is kept, in seconds: a day.
pub const CONTEXT_SECONDS: i64 = 24 * 60 * 60;
/// Contexts kept per server at most.
pub const MAX_CONTEXTS: i64 = 2000;
/// Forum channels watched per server at most.
pub const MAX_WATCHED: usize = 20;

/// A watched forum channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watched {
    pub guild: u64,
    pub channel: u64,
    /// The moderator who asked for it.
    pub by: u64,
    pub at: i64,
}

impl Store {
    /// Keeps a conversation's `context` under `key` in `guild`, committed before it
    /// returns; drops the server's contexts older than a day and those beyond the bound.
    pub fn put_context(&self, guild: u64, key: i64, context: &str) -> Result<(), StoreError> {
        self.write(|b, now| {
            b.exec(
                "DELETE FROM contexts WHERE guild_id = $1 AND at < $2",
                &[gid(guild), int(now - CONTEXT_SECONDS)],
            )?;
            b.exec(
                "INSERT INTO contexts (guild_id, key, context, at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (guild_id, key) DO UPDATE SET context = excluded.context,
                 at = excluded.at",
                &[gid(guild), int(key), text(context), int(now)],
            )?;
            b.exec(
                "DELETE FROM contexts WHERE guild_id = $1 AND key NOT IN (
                     SELECT key FROM contexts WHERE guild_id = $1
                     ORDER BY at DESC, key DESC LIMIT $2)",
                &[gid(guild), int(MAX_CONTEXTS)],
            )?;
            Ok(())
        })
    }

    /// The context kept under `key` in `guild`, if it is less than a day old.
    pub fn context(&self, guild: u64, key: i64) -> Result<Option<String>, StoreError> {
        let since = self.now() - CONTEXT_SECONDS;
        self.read(|b| {
            let rows = b.query(
                "SELECT context FROM contexts WHERE guild_id = $1 AND key = $2 AND at >= $3",
                &[gid(guild), int(key), int(since)],
            )?;
            rows.first().map(|r| r.text(0)).transpose()
        })
    }

    /// Watches a forum channel of `guild`; `false` when it was watched already. Refused
    /// beyond [`MAX_WATCHED`] channels.
    pub fn watch(&self, guild: u64, channel: u64, by: u64) -> Result<bool, StoreError> {
        self.write(|b, now| {
            let n = b
                .query(
                    "SELECT count(*) FROM watched WHERE guild_id = $1",
                    &[gid(guild)],
                )?
                .first()
                .map(|r| r.int(0))
                .transpose()?
                .unwrap_or(0);
            let known = !b
                .query(
                    "SELECT 1 FROM watched WHERE guild_id = $1 AND channel_id = $2",
                    &[gid(guild), gid(channel)],
                )?
                .is_empty();
            if known {
                return Ok(false);
            }
            if n >= MAX_WATCHED as i64 {
                return Err(StoreError::Refused(format!(
                    "This server already has {MAX_WATCHED} watched channels; \
                     /kb unwatch one first."
                )));
            }
            b.exec(
                "INSERT INTO watched (guild_id, channel_id, by_id, at) VALUES ($1, $2, $3, $4)",
                &[gid(guild), gid(channel), gid(by), int(now)],
            )?;
            Ok(true)
        })
    }

    /// Stops watching a channel; `false` when it was not watched.
    pub fn unwatch(&self, guild: u64, channel: u64) -> Result<bool, StoreError> {
        self.write(|b, _| {
            Ok(b.exec(
                "DELETE FROM watched WHERE guild_id = $1 AND channel_id = $2",
                &[gid(guild), gid(channel)],
            )? > 0)
        })
    }

    /// The watched forum channels of `guild`.
    pub fn watched(&self, guild: u64) -> Result<Vec<Watched>, StoreError> {
        self.read(|b| {
            b.query(
                "SELECT guild_id, channel_id, by_id, at FROM watched WHERE guild_id = $1
                 ORDER BY at, channel_id",
                &[gid(guild)],
            )?
            .iter()
            .map(|r| {
                Ok(Watched {
                    guild: from_sql_id(r.int(0)?),
                    channel: from_sql_id(r.int(1)?),
                    by: from_sql_id(r.int(2)?),
                    at: r.int(3)?,
                })
            })
            .collect()
        })
    }

    /// Whether `channel` of `guild` is watched.
    pub fn is_watched(&self, guild: u64, channel: u64) -> Result<bool, StoreError> {
        self.read(|b| {
            Ok(!b
                .query(
                    "SELECT 1 FROM watched WHERE guild_id = $1 AND channel_id = $2",
                    &[gid(guild), gid(channel)],
                )?
                .is_empty())
        })
    }

    /// Claims the post (thread) `thread` of `guild` for an answer: `true` the first time
    /// only, on every replica, so a post is answered at most once.
    pub fn claim_post(&self, guild: u64, thread: u64) -> Result<bool, StoreError> {
        self.write(|b, now| {
            Ok(b.exec(
                "INSERT INTO answered_posts (guild_id, thread_id, at) VALUES ($1, $2, $3)
                 ON CONFLICT (guild_id, thread_id) DO NOTHING",
                &[gid(guild), gid(thread), int(now)],
            )? > 0)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicI64, Ordering};
    use std::sync::Arc;

    fn store() -> (tempfile::TempDir, Store, Arc<AtomicI64>) {
        let dir = tempfile::tempdir().unwrap();
        let t = Arc::new(AtomicI64::new(1_800_000_000));
        let c = t.clone();
        let s = Store::open_with_clock(
            &dir.path().join("s.db"),
            Arc::new(move || c.load(Ordering::SeqCst)),
        )
        .unwrap();
        (dir, s, t)
    }

    #[test]
    fn a_context_is_kept_for_a_day_in_its_own_server_only() {
        let (_d, s, t) = store();
        s.put_context(1, 42, "s|Instagram||||database").unwrap();
        assert_eq!(
            s.context(1, 42).unwrap().as_deref(),
            Some("s|Instagram||||database")
        );
        assert_eq!(s.context(2, 42).unwrap(), None, "another server's key");
        t.fetch_add(CONTEXT_SECONDS - 1, Ordering::SeqCst);
        assert!(s.context(1, 42).unwrap().is_some());
        t.fetch_add(2, Ordering::SeqCst);
        assert_eq!(s.context(1, 42).unwrap(), None, "a day old");
    }

    #[test]
    fn a_server_keeps_its_newest_contexts_up_to_the_bound() {
        let (_d, s, t) = store();
        for k in 0..MAX_CONTEXTS + 5 {
            s.put_context(7, k, "g||||||").unwrap();
            t.fetch_add(1, Ordering::SeqCst);
        }
        assert_eq!(s.context(7, 0).unwrap(), None, "the oldest went first");
        assert!(s.context(7, 5).unwrap().is_some());
        assert!(s.context(7, MAX_CONTEXTS + 4).unwrap().is_some());
    }

    #[test]
    fn watching_is_per_server_and_a_post_is_claimed_once() {
        let (_d, s, _t) = store();
        assert!(s.watch(1, 10, 99).unwrap());
        assert!(!s.watch(1, 10, 99).unwrap(), "already watched");
        assert!(s.is_watched(1, 10).unwrap());
        assert!(!s.is_watched(2, 10).unwrap());
        assert_eq!(s.watched(1).unwrap().len(), 1);
        assert!(s.claim_post(1, 500).unwrap());
        assert!(!s.claim_post(1, 500).unwrap(), "answered once");
        assert!(s.unwatch(1, 10).unwrap());
        assert!(!s.unwatch(1, 10).unwrap());
        for c in 0..MAX_WATCHED as u64 {
            s.watch(3, c, 1).unwrap();
        }
        assert!(s.watch(3, 999, 1).is_err(), "bounded");
    }
}
