//! The entries one place (a guild, or everywhere) sees.

use super::community::CommunityState;
use crate::knowledge::Entry;

/// The entries one place sees: the base knowledge minus what its guild hid or replaced,
/// plus the guild's own entries. Lookup commands read through it.
pub struct Visible<'a> {
    pub(super) base: &'a [Entry],
    pub(super) st: std::sync::RwLockReadGuard<'a, CommunityState>,
    pub(super) guild: Option<u64>,
}

impl Visible<'_> {
    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        let g = self.guild;
        self.base
            .iter()
            .filter(move |e| !self.st.is_masked(g, &e.id))
            .chain(
                g.into_iter()
                    .flat_map(move |g| self.st.live_in(g).map(|(_, s)| &s.entry)),
            )
    }

    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.iter().find(|e| e.id == id)
    }
}
