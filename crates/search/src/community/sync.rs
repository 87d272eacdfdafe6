//! Keeping the community index current: opening it (rebuilt from the store's rows when it
//! cannot be caught up), applying the store's change log after its watermark, and
//! applying changes to the cached guild views.

use super::index::Opened;
use super::view::Applied;
use super::{lock, Change, Community, Needs, Own, Row, Source, COMMUNITY_ORD};
use crate::SearchError;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

/// Rows or revisions read from the store at a time.
const PAGE: usize = 1000;

/// The ordinal of a row at `revision`.
pub(super) fn ord(revision: i64) -> u64 {
    COMMUNITY_ORD + u64::try_from(revision).unwrap_or(0)
}

fn source_err(e: super::SourceError) -> SearchError {
    SearchError::Community(e)
}

impl Community {
    /// The index, opened on first use: reused and caught up when it was built from this
    /// store for this knowledge, otherwise rebuilt from the store's rows.
    pub(super) fn open(&self, needs: &Needs) -> Result<Arc<Opened>, SearchError> {
        if let Some(o) = self.current() {
            return Ok(o);
        }
        let _one = lock(&self.opening);
        self.open_locked(needs)
    }

    /// Rebuilds the index from the store when it is damaged (its folder is emptied and
    /// filled again); whether it was. Search answers from the store's rows meanwhile.
    pub(crate) fn repair(&self, needs: &Needs) -> Result<bool, SearchError> {
        if !self.damaged() || self.source.is_none() {
            return Ok(false);
        }
        let _one = lock(&self.opening);
        if !self.damaged() {
            return Ok(false);
        }
        // Dropping the damaged index releases its folder's lock, so the rebuild can
        // take the same folder.
        drop(lock(&self.opened).take());
        self.open_locked(needs)?;
        Ok(true)
    }

    /// [`Community::open`] once this thread is the one opening.
    fn open_locked(&self, needs: &Needs) -> Result<Arc<Opened>, SearchError> {
        if let Some(o) = self.current() {
            return Ok(o);
        }
        let t = Instant::now();
        // A damaged index is rebuilt, whatever its checksums say now.
        let forced = self.damage.get();
        let o = match (&self.source, &self.dir) {
            (None, _) => Opened::in_memory(&self.fingerprint, None)?,
            (Some(_), None) => Opened::in_memory(&self.fingerprint, Some("kept in memory"))?,
            (Some(src), Some(dir)) => {
                let instance = src.instance_id().map_err(source_err)?;
                let last = src.last_revision().map_err(source_err)?;
                Opened::on_disk(dir, &instance, last, &self.fingerprint, forced.as_deref())?
            }
        };
        let o = Arc::new(o);
        let mut applied = 0;
        if let Some(src) = &self.source {
            let _s = lock(&self.sync);
            if let Some(why) = &o.rebuilt {
                if o.damaged {
                    // Searches answer from the store's rows until the rebuild is done.
                    if forced.is_none() {
                        tracing::warn!(
                            folder = ?o.folder,
                            damage = %why,
                            "the community index is damaged: rebuilding it from the store"
                        );
                    }
                    self.damage.set(why);
                } else {
                    tracing::info!(reason = %why, "building the community index from the store");
                }
                self.rebuild(needs, src.as_ref(), &o)?;
            }
            applied = self.catch_up(needs, src.as_ref(), &o)?;
        }
        // Views read from the store lack vectors; from now on they come from the index.
        lock(&self.cache).clear();
        self.store_views.store(false, Ordering::SeqCst);
        tracing::info!(
            folder = ?o.folder,
            rebuilt = o.rebuilt.is_some(),
            caught_up = applied,
            watermark = o.watermark(),
            ms = t.elapsed().as_millis() as u64,
            "community index open"
        );
        *lock(&self.opened) = Some(Arc::clone(&o));
        self.damage.clear(t.elapsed().as_millis() as u64);
        Ok(o)
    }

    /// Fills the (emptied) index with every shown row of the store, page by page.
    fn rebuild(&self, needs: &Needs, src: &dyn Source, o: &Opened) -> Result<(), SearchError> {
        let t = Instant::now();
        // Rows written during the scan come after this revision: the catch-up that follows
        // applies them again, which changes nothing when the scan already saw them.
        let w0 = src.last_revision().map_err(source_err)?;
        let mut w = o.writer();
        o.clear(&mut w)?;
        let mut after: Option<(u64, String)> = None;
        let mut n = 0;
        loop {
            let page = src
                .shown_rows(
                    needs.k,
                    after.as_ref().map(|(g, id)| (*g, id.as_str())),
                    PAGE,
                )
                .map_err(source_err)?;
            let Some(last) = page.last() else { break };
            after = Some((last.guild, last.id.clone()));
            for r in &page {
                let v = match &r.change {
                    Change::Live(e) => (needs.vectors)(e),
                    _ => None,
                };
                o.put(&mut w, needs.k, r, v.as_ref())?;
            }
            n += page.len();
            if page.len() < PAGE {
                break;
            }
        }
        o.commit(&mut w, Some(w0))?;
        tracing::info!(
            rows = n,
            watermark = w0,
            ms = t.elapsed().as_millis() as u64,
            "community index built from the store"
        );
        Ok(())
    }

    /// Applies the store's changes after the index's watermark; how many revisions.
    /// The caller holds the sync lock.
    fn catch_up(&self, needs: &Needs, src: &dyn Source, o: &Opened) -> Result<usize, SearchError> {
        let mut total = 0;
        loop {
            let refs = src.changes_since(o.watermark(), PAGE).map_err(source_err)?;
            let Some(last) = refs.last().map(|r| r.0) else {
                break;
            };
            // Each touched id once, as it is now (which may be newer than `last`).
            let mut seen = HashSet::new();
            let mut rows = Vec::new();
            for (_, g, id) in &refs {
                if seen.insert((*g, id.as_str())) {
                    rows.push(src.row(needs.k, *g, id).map_err(source_err)?);
                }
            }
            self.apply_locked(needs, o, rows, Some(last))?;
            total += refs.len();
            if refs.len() < PAGE {
                break;
            }
        }
        Ok(total)
    }

    /// Applies the store's changes since the watermark (opening the index first if need
    /// be); how many revisions. Without a store, or while views come from the store, does
    /// nothing.
    pub(crate) fn sync(&self, needs: &Needs) -> Result<usize, SearchError> {
        let Some(src) = &self.source else {
            return Ok(0);
        };
        if self.views_from_store() {
            return Ok(0);
        }
        let o = self.open(needs)?;
        let _s = lock(&self.sync);
        self.catch_up(needs, src.as_ref(), &o)
    }

    /// After this process wrote to `guild` in the store: the write is searchable when this
    /// returns `Ok`. While the index is damaged, the guild's view is read from the store
    /// again, and the error says the write waits for the rebuild. Otherwise the guild's
    /// view is read back from the index after the change is applied: a read that fails
    /// there finds the damage before a moderator is told the entry is searchable.
    pub(crate) fn written(&self, needs: &Needs, guild: u64) -> Result<(), SearchError> {
        if self.views_from_store() {
            lock(&self.cache).evict(guild);
            return match self.damage.get() {
                Some(why) => Err(SearchError::Damaged {
                    what: "community index",
                    why,
                }),
                None => Ok(()),
            };
        }
        self.sync(needs)?;
        lock(&self.cache).evict(guild);
        self.view(needs, guild)?;
        match self.damage.get() {
            Some(why) => Err(SearchError::Damaged {
                what: "community index",
                why,
            }),
            None => Ok(()),
        }
    }

    /// Applies `rows` (not read from the store's log: the watermark stays).
    pub(crate) fn apply(&self, needs: &Needs, rows: Vec<Row>) -> Result<(), SearchError> {
        let o = self.open(needs)?;
        let _s = lock(&self.sync);
        self.apply_locked(needs, &o, rows, None)
    }

    /// Writes `rows` to the index in one commit (recording `watermark` when given), then
    /// to the cached views of their guilds. The caller holds the sync lock.
    fn apply_locked(
        &self,
        needs: &Needs,
        o: &Opened,
        rows: Vec<Row>,
        watermark: Option<i64>,
    ) -> Result<(), SearchError> {
        let owns: Vec<Option<Arc<Own>>> = rows
            .iter()
            .map(|r| match &r.change {
                Change::Live(e) => Some(Arc::new(Own::new(
                    ord(r.revision),
                    (**e).clone(),
                    (needs.vectors)(e),
                ))),
                _ => None,
            })
            .collect();
        {
            let mut w = o.writer();
            for (r, own) in rows.iter().zip(&owns) {
                let v = own.as_ref().and_then(|o| o.vectors.as_ref());
                o.put(&mut w, needs.k, r, v)?;
            }
            o.commit(&mut w, watermark)?;
        }
        let mut by_guild: HashMap<u64, Vec<Applied>> = HashMap::new();
        for (r, own) in rows.iter().zip(&owns) {
            by_guild.entry(r.guild).or_default().push((r, own.as_ref()));
        }
        let mut cache = lock(&self.cache);
        for (g, rs) in by_guild {
            if let Some(v) = cache.touched(g) {
                cache.put(Arc::new(v.with(needs.base_ids, &rs)));
            }
        }
        Ok(())
    }
}
