//! The entries one place (a guild, or everywhere) sees.

use super::community::GuildView;
use archie_knowledge::Entry;
use std::sync::Arc;

/// The entries one place sees: the base knowledge minus what its guild hid or replaced,
/// plus the guild's own entries. Lookup commands read through it.
pub struct Visible<'a> {
    pub(super) base: &'a [Entry],
    /// Positions in `base` by entry id.
    pub(super) base_index: &'a std::collections::HashMap<String, usize>,
    pub(super) view: Arc<GuildView>,
}

impl Visible<'_> {
    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.base
            .iter()
            .filter(move |e| !self.view.is_masked(&e.id))
            .chain(self.view.entries().map(|o| &o.entry))
    }

    /// The entry `id` as this place sees it (its own override before the base entry), by
    /// lookup: answers show several, and a guild may hold many thousands.
    pub fn entry(&self, id: &str) -> Option<&Entry> {
        if let Some(o) = self.view.own_by_id(id) {
            return Some(&o.entry);
        }
        if self.view.is_masked(id) {
            return None;
        }
        self.base_index.get(id).map(|&i| &self.base[i])
    }
}
