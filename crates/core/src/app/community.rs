//! The community store as search reads it, and the follower that keeps a serving process
//! current with writes made by other processes (the CLI, other replicas).

use super::{change_for, App};
use archie_knowledge::Knowledge;
use archie_search::community::{Change, Row, Source, SourceError};
use archie_store::{CommunityEntry, Store};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// [`Store`] behind search's [`Source`].
pub(super) struct StoreSource(pub Arc<Store>);

fn row_of(k: &Knowledge, ce: &CommunityEntry) -> Row {
    Row {
        guild: ce.guild,
        id: ce.id.clone(),
        revision: ce.revision,
        change: change_for(k, ce),
    }
}

impl Source for StoreSource {
    fn instance_id(&self) -> Result<String, SourceError> {
        Ok(self.0.instance_id()?)
    }

    fn last_revision(&self) -> Result<i64, SourceError> {
        Ok(self.0.last_revision()?)
    }

    fn changes_since(
        &self,
        after: i64,
        limit: usize,
    ) -> Result<Vec<(i64, u64, String)>, SourceError> {
        Ok(self
            .0
            .changes_since(after, limit)?
            .into_iter()
            .map(|c| (c.revision, c.guild, c.id))
            .collect())
    }

    fn row(&self, k: &Knowledge, guild: u64, id: &str) -> Result<Row, SourceError> {
        Ok(match self.0.get(guild, id)? {
            Some(ce) => row_of(k, &ce),
            None => Row {
                guild,
                id: id.to_string(),
                revision: 0,
                change: Change::Base,
            },
        })
    }

    fn shown_rows(
        &self,
        k: &Knowledge,
        after: Option<(u64, &str)>,
        limit: usize,
    ) -> Result<Vec<Row>, SourceError> {
        Ok(self
            .0
            .shown_rows(after, limit)?
            .iter()
            .map(|ce| row_of(k, ce))
            .collect())
    }

    fn guild_rows(&self, k: &Knowledge, guild: u64) -> Result<Vec<Row>, SourceError> {
        let mut rows: Vec<Row> = self.0.live(guild)?.iter().map(|ce| row_of(k, ce)).collect();
        rows.extend(self.0.hidden(guild)?.into_iter().map(|id| Row {
            guild,
            id,
            revision: 0,
            change: Change::Hidden,
        }));
        Ok(rows)
    }
}

/// A background thread applying the store's new changes to the app's community index
/// every period ([`App::follow`]). Stops when dropped, or when the app is gone.
pub struct Follower {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Follower {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            t.thread().unpark();
            let _ = t.join();
        }
    }
}

impl App {
    /// Starts a thread calling [`App::sync`] every `every` (the first call opens the
    /// community index, so the first command does not wait for it). Failures are logged
    /// and retried at the next tick. The thread holds the app only while syncing: it ends
    /// when the app is dropped or the returned [`Follower`] is.
    pub fn follow(app: &Arc<App>, every: Duration) -> std::io::Result<Follower> {
        let weak = Arc::downgrade(app);
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("archie-follower".into())
            .spawn(move || {
                let mut failures: u64 = 0;
                while !stopped.load(Ordering::SeqCst) {
                    let Some(app) = weak.upgrade() else { break };
                    match app.sync() {
                        Ok(n) => {
                            if n > 0 {
                                tracing::debug!(revisions = n, "community changes applied");
                            }
                            if failures > 0 {
                                tracing::info!(failures, "community sync works again");
                            }
                            failures = 0;
                        }
                        Err(e) => {
                            failures += 1;
                            // The first failure, then one in a hundred: a store that stays
                            // unreachable does not flood the log.
                            if failures % 100 == 1 {
                                tracing::warn!(error = %e, failures, "community sync failed; retrying");
                            }
                        }
                    }
                    drop(app);
                    std::thread::park_timeout(every);
                }
            })?;
        Ok(Follower {
            stop,
            thread: Some(thread),
        })
    }
}
