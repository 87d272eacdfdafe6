//! One guild's view of its community rows: its own entries by ordinal and the base ids it
//! does not see. Views are loaded on a guild's first command and kept in a cache bounded
//! by the number of entries it holds (least recently used first out).

use super::{Change, Row, COMMUNITY_ORD};
use crate::vectors::Vectors;
use archie_knowledge::Entry;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

/// A row being applied, with its new entry when it is live.
pub(super) type Applied<'a> = (&'a Row, Option<&'a Arc<Own>>);

/// A guild's own entry as search holds it.
pub struct Own {
    pub ord: u64,
    pub entry: Entry,
    /// The entry's vectors, when semantic retrieval is on.
    pub vectors: Option<Vectors>,
    /// Analysed terms, computed the first time the entry is a candidate.
    pub(crate) terms: OnceLock<HashSet<String>>,
}

impl Own {
    pub fn new(ord: u64, entry: Entry, vectors: Option<Vectors>) -> Own {
        Own {
            ord,
            entry,
            vectors,
            terms: OnceLock::new(),
        }
    }
}

/// What one guild sees of its community rows. Immutable: a change makes a new view that
/// shares the untouched entries.
#[derive(Default)]
pub struct GuildView {
    pub guild: u64,
    /// Sorted by ordinal.
    entries: Vec<Arc<Own>>,
    /// Positions in `entries` by entry id.
    by_id: HashMap<String, usize>,
    /// Ordinals of own entries by company, and of own tech and stack entries by technology.
    by_name: Names,
    /// Base ids hidden in the guild or replaced by its own override.
    masked: HashSet<String>,
}

impl GuildView {
    /// The view of a guild without rows (and of direct messages).
    pub fn empty(guild: u64) -> GuildView {
        GuildView {
            guild,
            ..GuildView::default()
        }
    }

    /// A view from the guild's rows (their order does not matter).
    pub(super) fn from_parts(
        guild: u64,
        base_ids: &HashMap<String, usize>,
        mut own: Vec<Arc<Own>>,
        hidden: Vec<String>,
    ) -> GuildView {
        own.sort_by_key(|o| o.ord);
        let mut masked: HashSet<String> = hidden.into_iter().collect();
        for o in &own {
            if base_ids.contains_key(&o.entry.id) {
                masked.insert(o.entry.id.clone());
            }
        }
        GuildView {
            guild,
            by_id: positions(&own),
            by_name: Names::of(&own),
            entries: own,
            masked,
        }
    }

    /// This view with `rows` (all of this guild) applied, each with its new entry if live.
    pub(super) fn with(&self, base_ids: &HashMap<String, usize>, rows: &[Applied]) -> GuildView {
        let touched: HashSet<&str> = rows.iter().map(|(r, _)| r.id.as_str()).collect();
        let mut entries: Vec<Arc<Own>> = self
            .entries
            .iter()
            .filter(|o| !touched.contains(o.entry.id.as_str()))
            .cloned()
            .collect();
        let mut masked = self.masked.clone();
        for (row, own) in rows {
            masked.remove(&row.id);
            let base = base_ids.contains_key(&row.id);
            match &row.change {
                Change::Live(_) if base => {
                    masked.insert(row.id.clone());
                }
                Change::Hidden => {
                    masked.insert(row.id.clone());
                }
                _ => {}
            }
            if let Some(o) = own {
                entries.push(Arc::clone(o));
            }
        }
        entries.sort_by_key(|o| o.ord);
        GuildView {
            guild: self.guild,
            by_id: positions(&entries),
            by_name: Names::of(&entries),
            entries,
            masked,
        }
    }

    /// Whether the base entry `id` is hidden or replaced here.
    pub fn is_masked(&self, id: &str) -> bool {
        self.masked.contains(id)
    }

    /// The guild's own entry with ordinal `ord`.
    pub fn own(&self, ord: u64) -> Option<&Own> {
        if ord < COMMUNITY_ORD {
            return None;
        }
        let i = self.entries.binary_search_by_key(&ord, |o| o.ord).ok()?;
        Some(&self.entries[i])
    }

    /// The guild's own entry with this id.
    pub fn own_by_id(&self, id: &str) -> Option<&Own> {
        self.by_id.get(id).map(|&i| &*self.entries[i])
    }

    /// The ordinals of own entries about one of `companies`, and of own tech and stack
    /// entries about one of `techs` (each once, ascending), without scanning the guild.
    pub fn named(&self, companies: &[&str], techs: &[String]) -> Vec<u64> {
        let mut ords: Vec<u64> = companies
            .iter()
            .filter_map(|c| self.by_name.company.get(*c))
            .chain(techs.iter().filter_map(|t| self.by_name.tech.get(t)))
            .flatten()
            .copied()
            .collect();
        ords.sort_unstable();
        ords.dedup();
        ords
    }

    /// The guild's own entries, by ordinal.
    pub fn entries(&self) -> impl Iterator<Item = &Own> {
        self.entries.iter().map(|o| &**o)
    }

    /// How many own entries the view holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.masked.is_empty()
    }

    /// What the view counts for in the cache's bound.
    fn weight(&self) -> usize {
        1 + self.entries.len() + self.masked.len()
    }
}

/// Own entries by the names a question may give.
#[derive(Default)]
struct Names {
    company: HashMap<String, Vec<u64>>,
    tech: HashMap<String, Vec<u64>>,
}

impl Names {
    fn of(entries: &[Arc<Own>]) -> Names {
        let mut n = Names::default();
        for o in entries {
            let e = &o.entry;
            if let Some(c) = &e.company {
                n.company.entry(c.clone()).or_default().push(o.ord);
            }
            if matches!(
                e.kind,
                archie_knowledge::Kind::Tech | archie_knowledge::Kind::Stack
            ) {
                for t in &e.technologies {
                    n.tech.entry(t.clone()).or_default().push(o.ord);
                }
            }
        }
        n
    }
}

/// Each entry's position by its id.
fn positions(entries: &[Arc<Own>]) -> HashMap<String, usize> {
    entries
        .iter()
        .enumerate()
        .map(|(i, o)| (o.entry.id.clone(), i))
        .collect()
}

/// Loaded views by guild, bounded by their total weight (entries plus masked ids).
pub(super) struct Cache {
    views: HashMap<u64, (Arc<GuildView>, u64)>,
    tick: u64,
    weight: usize,
    pub capacity: usize,
    /// Loads under way: a change to the guild meanwhile withdraws the token, and the load
    /// (which may have read the index before the change) is not kept.
    loading: HashMap<u64, u64>,
}

impl Cache {
    pub fn new(capacity: usize) -> Cache {
        Cache {
            views: HashMap::new(),
            tick: 0,
            weight: 0,
            capacity,
            loading: HashMap::new(),
        }
    }

    pub fn get(&mut self, guild: u64) -> Option<Arc<GuildView>> {
        self.tick += 1;
        let tick = self.tick;
        self.views.get_mut(&guild).map(|(v, t)| {
            *t = tick;
            Arc::clone(v)
        })
    }

    /// Starts a load of `guild`: its token.
    pub fn start_load(&mut self, guild: u64) -> u64 {
        self.tick += 1;
        self.loading.insert(guild, self.tick);
        self.tick
    }

    /// Keeps a loaded view unless the guild changed since `token` was given; whether kept.
    pub fn finish_load(&mut self, view: &Arc<GuildView>, token: u64) -> bool {
        if self.loading.get(&view.guild) != Some(&token) {
            return false;
        }
        self.loading.remove(&view.guild);
        self.put(Arc::clone(view));
        true
    }

    /// Replaces (or adds) a guild's view, then evicts the least recently used others
    /// while over capacity.
    pub fn put(&mut self, view: Arc<GuildView>) {
        self.tick += 1;
        let guild = view.guild;
        self.weight += view.weight();
        if let Some((old, _)) = self.views.insert(guild, (view, self.tick)) {
            self.weight -= old.weight();
        }
        while self.weight > self.capacity && self.views.len() > 1 {
            let Some(oldest) = self
                .views
                .iter()
                .filter(|(g, _)| **g != guild)
                .min_by_key(|(_, (_, t))| *t)
                .map(|(g, _)| *g)
            else {
                break;
            };
            self.evict(oldest);
        }
    }

    /// Forgets a guild's view and any load of it under way.
    pub fn evict(&mut self, guild: u64) {
        self.loading.remove(&guild);
        if let Some((v, _)) = self.views.remove(&guild) {
            self.weight -= v.weight();
        }
    }

    /// The cached view of `guild` (not counting as a use), and forgets loads under way.
    pub fn touched(&mut self, guild: u64) -> Option<Arc<GuildView>> {
        self.loading.remove(&guild);
        self.views.get(&guild).map(|(v, _)| Arc::clone(v))
    }

    pub fn clear(&mut self) {
        self.views.clear();
        self.loading.clear();
        self.weight = 0;
    }

    /// `(guilds, entries)` cached.
    pub fn size(&self) -> (usize, usize) {
        (
            self.views.len(),
            self.views.values().map(|(v, _)| v.len()).sum(),
        )
    }
}
