//! Server (guild) entries written by moderators: a live in-memory tantivy index beside the
//! persisted base index, and per-guild masks over base entries (hidden or overridden).
//! The community store is the truth; this is rebuilt from it at start and updated on every
//! acknowledged change, so a change is searchable at once without a restart.

use super::index::{terms, DocText, SearchIndex};
use crate::knowledge::{Entry, Knowledge};
use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, RwLock};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{IndexWriter, Term};

/// Ordinals of community documents start here, far above any base ordinal.
pub const COMMUNITY_ORD: u64 = 1 << 40;

pub struct Slot {
    pub guild: u64,
    pub entry: Entry,
    pub terms: HashSet<String>,
    /// The entry's vectors, when semantic retrieval is on.
    pub vectors: Option<super::vectors::Vectors>,
}

#[derive(Default)]
pub struct CommunityState {
    /// By ordinal minus [`COMMUNITY_ORD`]; `None` once replaced or removed.
    pub slots: Vec<Option<Slot>>,
    pub by_key: HashMap<(u64, String), usize>,
    /// Base ids a guild does not see (hidden there, or replaced by its own override).
    pub masked: HashMap<u64, HashSet<String>>,
}

impl CommunityState {
    pub fn is_masked(&self, guild: Option<u64>, id: &str) -> bool {
        guild.is_some_and(|g| self.masked.get(&g).is_some_and(|s| s.contains(id)))
    }

    pub fn slot(&self, ord: u64) -> Option<&Slot> {
        let i = ord.checked_sub(COMMUNITY_ORD)? as usize;
        self.slots.get(i)?.as_ref()
    }

    pub fn live_in(&self, guild: u64) -> impl Iterator<Item = (u64, &Slot)> {
        self.slots.iter().enumerate().filter_map(move |(i, s)| {
            s.as_ref()
                .filter(|s| s.guild == guild)
                .map(|s| (COMMUNITY_ORD + i as u64, s))
        })
    }
}

pub struct Community {
    pub index: SearchIndex,
    writer: Mutex<IndexWriter>,
    pub state: RwLock<CommunityState>,
}

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

impl Community {
    pub fn new() -> tantivy::Result<Community> {
        let index = SearchIndex::in_memory(&[])?;
        let writer = index.index.writer_with_num_threads(1, 15_000_000)?;
        Ok(Community {
            index,
            writer: Mutex::new(writer),
            state: RwLock::new(CommunityState::default()),
        })
    }

    /// Applies a batch of changes in one commit; readers see all of them or none.
    pub fn apply(
        &self,
        k: &Knowledge,
        a: &mut TextAnalyzer,
        vectors: &dyn Fn(&Entry) -> Option<super::vectors::Vectors>,
        changes: Vec<(u64, String, Change)>,
    ) -> tantivy::Result<()> {
        let mut writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let mut st = self.state.write().unwrap_or_else(|p| p.into_inner());
        let f = self.index.fields;
        for (guild, id, change) in changes {
            let key = format!("{guild}/{id}");
            if let Some(old) = st.by_key.remove(&(guild, id.clone())) {
                st.slots[old] = None;
                writer.delete_term(Term::from_field_text(f.key, &key));
            }
            let is_base = k.entry(&id).is_some();
            match change {
                Change::Live(entry) => {
                    if is_base {
                        st.masked.entry(guild).or_default().insert(id.clone());
                    }
                    let entry = *entry;
                    let doc = super::index::doc_text(k, &entry, "");
                    let scope = guild.to_string();
                    let d = DocText {
                        scope: &scope,
                        key: key.clone(),
                        ..doc
                    };
                    let all = format!("{} {} {} {}", entry.title, entry.text, d.company, d.tech);
                    let slot_terms: HashSet<String> = terms(a, &all).into_iter().collect();
                    let vecs = vectors(&entry);
                    let ord = COMMUNITY_ORD + st.slots.len() as u64;
                    writer.add_document(self.index.document(ord, &d))?;
                    let slot = st.slots.len();
                    st.by_key.insert((guild, id.clone()), slot);
                    st.slots.push(Some(Slot {
                        guild,
                        entry,
                        terms: slot_terms,
                        vectors: vecs,
                    }));
                }
                Change::Gone => {}
                Change::Hidden => {
                    st.masked.entry(guild).or_default().insert(id.clone());
                }
                Change::Base => {
                    if let Some(m) = st.masked.get_mut(&guild) {
                        m.remove(&id);
                    }
                }
            }
        }
        writer.commit()?;
        drop(writer);
        self.index.reader.reload()?;
        Ok(())
    }
}
