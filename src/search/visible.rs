//! The entries one place (a guild, or everywhere) sees.

use super::community::GuildView;
use crate::knowledge::Entry;
use std::sync::Arc;

/// The entries one place sees: the base knowledge minus what its guild hid or replaced,
/// plus the guild's own entries. Lookup commands read through it.
pub struct Visible<'a> {
    pub(super) base: &'a [Entry],
    pub(super) view: Arc<GuildView>,
}

impl Visible<'_> {
    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.base
            .iter()
            .filter(move |e| !self.view.is_masked(&e.id))
            .chain(self.view.entries().map(|o| &o.entry))
    }

    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.iter().find(|e| e.id == id)
    }
}
