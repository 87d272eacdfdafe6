//! The question log, written off the answer path: `/ask` answers from memory and must
//! never wait on the store. A question is given its id at once (what its 👍/👎 buttons
//! carry) and queued; one worker thread writes the queue to the store. The queue is
//! bounded: when the store is slow or down and the queue is full, questions are dropped
//! and counted, never waited for.

use archie_store::{Signature, Store};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// Questions waiting for the store at most.
pub const QUEUE: usize = 1024;
/// Latest asks remembered per (server, question), for another page of an answer.
const RECENT: usize = 4096;
/// How long a curation command waits for the questions queued before it.
const SETTLE_WAIT: Duration = Duration::from_millis(1500);
/// How long another page of an answer may wait for the store to find its ask.
const LOOKUP_WAIT: Duration = Duration::from_millis(250);

/// One question to record.
pub struct LoggedQuestion {
    pub id: i64,
    pub guild: u64,
    pub question: String,
    pub qkey: String,
    pub kind: Option<String>,
    pub shown: Vec<String>,
    /// What an unanswered question is about (it raises a gap).
    pub signature: Option<Signature>,
}

#[derive(Default)]
pub struct QuestionLog {
    tx: OnceLock<SyncSender<LoggedQuestion>>,
    /// Questions dropped: the queue was full, or the store refused them.
    pub dropped: Arc<AtomicU64>,
    /// Questions queued and not yet written.
    pub queued: Arc<AtomicU64>,
    recent: Mutex<Recent>,
}

#[derive(Default)]
struct Recent {
    ids: HashMap<(u64, String), i64>,
    order: VecDeque<(u64, String)>,
}

impl QuestionLog {
    /// Queues `a` for `store`; returns at once. `false` when it was dropped (queue full).
    pub fn push(&self, store: &Arc<Store>, a: LoggedQuestion) -> bool {
        self.remember(a.guild, &a.qkey, a.id);
        let tx = self.tx.get_or_init(|| self.start(store.clone()));
        self.queued.fetch_add(1, Ordering::Relaxed);
        match tx.try_send(a) {
            Ok(()) => true,
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                self.queued.fetch_sub(1, Ordering::Relaxed);
                let n = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
                if n.is_power_of_two() {
                    tracing::warn!(dropped = n, "the question log is full: questions dropped");
                }
                false
            }
        }
    }

    /// Waits, at most [`SETTLE_WAIT`], until the questions queued so far are written (or
    /// dropped).
    pub fn settle(&self) {
        let until = std::time::Instant::now() + SETTLE_WAIT;
        while self.queued.load(Ordering::Relaxed) > 0 && std::time::Instant::now() < until {
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// The latest ask of `qkey` in `guild`: remembered here, else asked of the store for at
    /// most [`LOOKUP_WAIT`] (`None` then: the page shows no rating buttons).
    pub fn last(&self, store: &Arc<Store>, guild: u64, qkey: &str) -> Option<i64> {
        if let Some(id) = self.recent_lock().ids.get(&(guild, qkey.to_string())) {
            return Some(*id);
        }
        let (tx, rx) = std::sync::mpsc::channel();
        let (store, key) = (store.clone(), qkey.to_string());
        std::thread::spawn(move || {
            let _ = tx.send(store.last_ask(guild, &key));
        });
        match rx.recv_timeout(LOOKUP_WAIT) {
            Ok(Ok(found)) => found,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "an earlier question could not be looked up");
                None
            }
            Err(_) => None,
        }
    }

    fn recent_lock(&self) -> std::sync::MutexGuard<'_, Recent> {
        self.recent.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn remember(&self, guild: u64, qkey: &str, id: i64) {
        let mut r = self.recent_lock();
        let key = (guild, qkey.to_string());
        if r.ids.insert(key.clone(), id).is_none() {
            r.order.push_back(key);
            if r.order.len() > RECENT {
                if let Some(old) = r.order.pop_front() {
                    r.ids.remove(&old);
                }
            }
        }
    }

    fn start(&self, store: Arc<Store>) -> SyncSender<LoggedQuestion> {
        let (tx, rx) = sync_channel::<LoggedQuestion>(QUEUE);
        let (queued, dropped) = (self.queued.clone(), self.dropped.clone());
        let spawned = std::thread::Builder::new()
            .name("question-log".into())
            .spawn(move || {
                let mut failing = false;
                for a in rx {
                    let r = store.record_ask_as(
                        a.id,
                        a.guild,
                        &a.question,
                        &a.qkey,
                        a.kind.as_deref(),
                        &a.shown,
                        a.signature,
                    );
                    queued.fetch_sub(1, Ordering::Relaxed);
                    match r {
                        Ok(()) if failing => {
                            failing = false;
                            tracing::info!("the question log is written again");
                        }
                        Ok(()) => {}
                        Err(e) => {
                            dropped.fetch_add(1, Ordering::Relaxed);
                            if !failing {
                                failing = true;
                                tracing::error!(error = %e, "questions cannot be recorded");
                            }
                        }
                    }
                }
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "the question log's thread could not start");
        }
        tx
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_grow_with_time_and_stay_positive() {
        let a = archie_store::curation::new_ask_id();
        std::thread::sleep(Duration::from_millis(2));
        let b = archie_store::curation::new_ask_id();
        assert!(a > 0 && b > a, "{a} {b}");
    }
}
