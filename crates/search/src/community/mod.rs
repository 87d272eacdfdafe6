//! Server (guild) entries written by moderators, and the base entries a guild hides or
//! replaces. The community store is the truth; search reads it through:
//!
//! - one persisted tantivy index of every guild's shown rows (`index`), in the first free
//!   folder `community/N/` of the data directory (one per process sharing it), or in RAM
//!   without one. Its commit payload names the store, the last revision applied (the
//!   watermark) and the knowledge and layout it was built for; opening it catches up from
//!   the store's change log, or rebuilds it from the store's rows when it cannot;
//! - per-guild views (`view`): a guild's own entries, vectors and masked base ids, loaded
//!   from the index on the guild's first command and kept in a bounded cache;
//! - `sync`: the store's changes since the watermark, applied to the index and to the
//!   cached views (after this process's own writes, and by a follower for other
//!   processes' writes).
//!
//! Nothing is loaded at start: the index opens on first use.
//!
//! A damaged index (checksums that fail at open, or a failed read later, see
//! [`crate::damage`]) is not served: guild views come from the store's rows
//! meanwhile (without vectors, and without BM25 over a guild's own entries), and the
//! next [`Community::repair`] (the serving process's follower) rebuilds it from the
//! store.

mod index;
mod stored;
mod sync;
mod view;

pub use index::LAYOUT;
pub use view::{GuildView, Own};

use crate::damage::{guarded, Damage};
use archie_knowledge::{Entry, Knowledge};
use index::Opened;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use view::Cache;

/// Ordinals of community documents start here, far above any base ordinal; a document's
/// ordinal is this plus its row's latest revision id (unique across guilds).
pub const COMMUNITY_ORD: u64 = 1 << 40;

/// Entries (plus masked ids) the guild views kept in memory may hold together.
pub const VIEW_CAPACITY: usize = 100_000;

/// What a guild's copy of one id is now, as the store reports it.
pub enum Change {
    /// A community entry or an override: shown in that guild.
    Live(Box<Entry>),
    /// Removed community entry: nothing shown.
    Gone,
    /// A base entry hidden in that guild.
    Hidden,
    /// Back to the plain base entry.
    Base,
}

/// One row's current state in its guild, at its latest revision.
pub struct Row {
    pub guild: u64,
    pub id: String,
    /// The row's latest revision id (its document's ordinal is [`COMMUNITY_ORD`] plus it).
    pub revision: i64,
    pub change: Change,
}

/// Why the community store could not be read.
pub type SourceError = Box<dyn std::error::Error + Send + Sync>;

/// The store as search reads it (implemented over `crate::store::Store` by the app).
/// All calls block.
pub trait Source: Send + Sync {
    /// The store's identity: an index built from another store is rebuilt.
    fn instance_id(&self) -> Result<String, SourceError>;
    /// The newest revision id, 0 when empty.
    fn last_revision(&self) -> Result<i64, SourceError>;
    /// At most `limit` revisions after `after`, oldest first: `(revision, guild, id)`.
    fn changes_since(
        &self,
        after: i64,
        limit: usize,
    ) -> Result<Vec<(i64, u64, String)>, SourceError>;
    /// The current state of `id` in `guild` ([`Change::Base`] when it has no row).
    fn row(&self, k: &Knowledge, guild: u64, id: &str) -> Result<Row, SourceError>;
    /// Shown and hidden rows of every guild, `limit` at a time, in (guild, id) order
    /// after `after`.
    fn shown_rows(
        &self,
        k: &Knowledge,
        after: Option<(u64, &str)>,
        limit: usize,
    ) -> Result<Vec<Row>, SourceError>;
    /// One guild's shown and hidden rows.
    fn guild_rows(&self, k: &Knowledge, guild: u64) -> Result<Vec<Row>, SourceError>;
}

/// Where guild views come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Views {
    /// The community index (opened, caught up or rebuilt on first use): for serving.
    Index,
    /// The store's rows of the one guild asked about, without vectors, the index left
    /// closed: for one-shot lookups (`archie kb`). A search in a guild still opens the
    /// index, and views then come from it.
    Store,
}

/// The state of the community index, for logs and tests.
#[derive(Debug, Clone, Default)]
pub struct CommunityStatus {
    /// Whether the index is open in this process.
    pub open: bool,
    /// Whether opening it had to build it from the store's rows, and why.
    pub rebuilt: Option<String>,
    /// Why it is damaged, while it is (search then answers without it).
    pub damaged: Option<String>,
    /// Its folder (`None` in RAM or while closed).
    pub folder: Option<PathBuf>,
    /// The last store revision applied.
    pub watermark: i64,
    pub cached_guilds: usize,
    pub cached_entries: usize,
}

/// What applying a change needs from the engine: the knowledge, and the vectors of an
/// entry when semantic retrieval is on.
pub(crate) struct Needs<'a> {
    pub k: &'a Knowledge,
    /// The base entries' positions by id (a guild's row under one of them masks it).
    pub base_ids: &'a std::collections::HashMap<String, usize>,
    pub vectors: &'a dyn Fn(&Entry) -> Option<crate::vectors::Vectors>,
}

/// The community side of the engine.
pub struct Community {
    /// `<data dir>/community`; `None` keeps the index in RAM.
    dir: Option<PathBuf>,
    /// The base knowledge, encoder and layout the index is built for.
    fingerprint: String,
    source: Option<Arc<dyn Source>>,
    /// Views come from the store while the index is closed ([`Views::Store`]).
    store_views: AtomicBool,
    opened: Mutex<Option<Arc<Opened>>>,
    /// One opening (or rebuild) at a time; `opened` itself is held only to read or set it.
    opening: Mutex<()>,
    /// Whether a read of the index failed, or its checksums did at open.
    damage: Damage,
    cache: Mutex<Cache>,
    /// Serialises reading the store and applying what was read, so a later read is never
    /// overwritten by an earlier one.
    sync: Mutex<()>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Community {
    pub(crate) fn new(dir: Option<PathBuf>, fingerprint: String) -> Community {
        Community {
            dir,
            fingerprint,
            source: None,
            store_views: AtomicBool::new(false),
            opened: Mutex::new(None),
            opening: Mutex::new(()),
            damage: Damage::new("community index"),
            cache: Mutex::new(Cache::new(VIEW_CAPACITY)),
            sync: Mutex::new(()),
        }
    }

    /// Reads the community rows from `source` from now on; nothing is read until needed.
    pub(crate) fn attach(&mut self, source: Arc<dyn Source>, views: Views) {
        self.source = Some(source);
        self.store_views
            .store(views == Views::Store, Ordering::SeqCst);
        *lock(&self.opened) = None;
        lock(&self.cache).clear();
    }

    fn cache(&self) -> MutexGuard<'_, Cache> {
        lock(&self.cache)
    }

    fn current(&self) -> Option<Arc<Opened>> {
        lock(&self.opened).clone()
    }

    /// Whether views come from the store: the index closed (lookups only), or damaged.
    fn views_from_store(&self) -> bool {
        self.damaged() || (self.store_views.load(Ordering::SeqCst) && self.current().is_none())
    }

    fn damaged(&self) -> bool {
        self.damage.get().is_some()
    }

    /// Records a failed read of `o` (logged once; its folder marked) and clears the cached
    /// views, which may hold what it read wrongly.
    fn failed(&self, o: &Opened, e: &crate::SearchError) {
        self.damage.mark(o.folder.as_deref(), e);
        self.cache().clear();
    }

    /// Nothing to read: no store, and nothing applied by hand.
    fn nothing(&self) -> bool {
        self.source.is_none() && self.current().is_none()
    }

    pub fn status(&self) -> CommunityStatus {
        let o = self.current();
        let (cached_guilds, cached_entries) = self.cache().size();
        CommunityStatus {
            open: o.is_some(),
            rebuilt: o.as_ref().and_then(|o| o.rebuilt.clone()),
            damaged: self.damage.get(),
            folder: o.as_ref().and_then(|o| o.folder.clone()),
            watermark: o.as_ref().map_or(0, |o| o.watermark()),
            cached_guilds,
            cached_entries,
        }
    }

    pub fn set_view_capacity(&self, entries: usize) {
        self.cache().capacity = entries;
    }

    /// The guild's view: cached, or loaded from the index (or the store, see [`Views`]).
    pub(crate) fn view(
        &self,
        needs: &Needs,
        guild: u64,
    ) -> Result<Arc<GuildView>, crate::SearchError> {
        if let Some(v) = self.cache().get(guild) {
            return Ok(v);
        }
        if self.nothing() {
            return Ok(Arc::new(GuildView::empty(guild)));
        }
        let mut tries = 0;
        loop {
            tries += 1;
            let (view, token) = if self.views_from_store() {
                let token = self.cache().start_load(guild);
                (self.load_from_store(needs, guild)?, token)
            } else {
                let o = self.open(needs)?;
                let (token, searcher) = {
                    let mut c = self.cache();
                    (c.start_load(guild), o.index.reader.searcher())
                };
                match guarded(|| o.load(needs.base_ids, &searcher, guild)) {
                    Ok(view) => (view, token),
                    Err(e) => {
                        // From the store instead, while the index waits for its rebuild.
                        self.failed(&o, &e);
                        let token = self.cache().start_load(guild);
                        (self.load_from_store(needs, guild)?, token)
                    }
                }
            };
            let view = Arc::new(view);
            // A change to the guild during the load: load again (it may have been missed),
            // but a guild changing all the time is answered from the last load.
            if self.cache().finish_load(&view, token) || tries == 3 {
                return Ok(view);
            }
        }
    }

    /// The guild's own row `id` as shown there: `Ok(None)` when the guild shows the base
    /// entry (or nothing) under that id. While views come from the store and the guild's
    /// is not loaded, reads just that row.
    pub(crate) fn own_entry(
        &self,
        needs: &Needs,
        guild: u64,
        id: &str,
    ) -> Result<Option<Option<Entry>>, crate::SearchError> {
        let cached = self.cache().get(guild);
        match (cached, &self.source) {
            (None, Some(src)) if self.views_from_store() => {
                let row = src
                    .row(needs.k, guild, id)
                    .map_err(crate::SearchError::Community)?;
                Ok(match row.change {
                    Change::Live(e) => Some(Some(*e)),
                    Change::Hidden | Change::Gone => Some(None),
                    Change::Base => None,
                })
            }
            (cached, _) => {
                let view = match cached {
                    Some(v) => v,
                    None => self.view(needs, guild)?,
                };
                if let Some(o) = view.entries().find(|o| o.entry.id == id) {
                    return Ok(Some(Some(o.entry.clone())));
                }
                Ok(view.is_masked(id).then_some(None))
            }
        }
    }

    fn load_from_store(&self, needs: &Needs, guild: u64) -> Result<GuildView, crate::SearchError> {
        let Some(src) = &self.source else {
            return Ok(GuildView::empty(guild));
        };
        let rows = src
            .guild_rows(needs.k, guild)
            .map_err(crate::SearchError::Community)?;
        let mut own = Vec::new();
        let mut hidden = Vec::new();
        for r in rows {
            match r.change {
                Change::Live(e) => own.push(Arc::new(Own::new(sync::ord(r.revision), *e, None))),
                Change::Hidden => hidden.push(r.id),
                Change::Gone | Change::Base => {}
            }
        }
        Ok(GuildView::from_parts(guild, needs.base_ids, own, hidden))
    }

    /// BM25 hits among the guild's own entries; none while the index is damaged.
    pub(crate) fn bm25(
        &self,
        needs: &Needs,
        qterms: &[String],
        guild: u64,
        limit: usize,
    ) -> Result<Vec<(u64, f32)>, crate::SearchError> {
        if self.nothing() || self.damaged() {
            return Ok(Vec::new());
        }
        let o = self.open(needs)?;
        match guarded(|| Ok(o.index.bm25(qterms, &guild.to_string(), limit)?)) {
            Ok(hits) => Ok(hits),
            Err(e) => {
                self.failed(&o, &e);
                Ok(Vec::new())
            }
        }
    }
}
