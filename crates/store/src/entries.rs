//! Reading entry rows: a guild's live entries and hidden base ids, one id's current state,
//! and duplicate detection among a guild's live entries. Writes live in `writes.rs`.

use super::backend::Backend;
use super::{CommunityEntry, Draft, State, Store, StoreError};
use archie_text::normalize;

/// Which field of a draft repeats a live entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DuplicateField {
    Title,
    Source(String),
}

/// A live entry of the guild that a draft repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    pub id: String,
    pub field: DuplicateField,
}

/// Titles compare ignoring case, accents and punctuation.
pub(crate) fn title_key(title: &str) -> String {
    normalize(title)
}

/// URLs compare ignoring the scheme (http or https), case and a trailing slash.
pub(crate) fn url_key(url: &str) -> String {
    let lower = url.trim().to_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or(&lower);
    rest.trim_end_matches('/').to_string()
}

/// The first of `live` (`(id, content)` pairs, other than `except_id`) that has the draft's
/// title or one of its sources.
pub(crate) fn duplicate_in(
    live: &[(String, Draft)],
    draft: &Draft,
    except_id: Option<&str>,
) -> Option<Duplicate> {
    let title = title_key(&draft.title);
    let others = || live.iter().filter(|(id, _)| Some(id.as_str()) != except_id);
    if let Some((id, _)) = others().find(|(_, d)| title_key(&d.title) == title) {
        return Some(Duplicate {
            id: id.clone(),
            field: DuplicateField::Title,
        });
    }
    for url in &draft.sources {
        let key = url_key(url);
        if let Some((id, _)) = others().find(|(_, d)| d.sources.iter().any(|s| url_key(s) == key)) {
            return Some(Duplicate {
                id: id.clone(),
                field: DuplicateField::Source(url.clone()),
            });
        }
    }
    None
}

/// The guild's live entries as `(id, content)` pairs, for duplicate checks.
pub(crate) fn live_pairs(
    b: &mut dyn Backend,
    guild: u64,
) -> Result<Vec<(String, Draft)>, StoreError> {
    Ok(b.entries_in(guild, State::Live)?
        .into_iter()
        .map(|e| (e.id, e.draft))
        .collect())
}

impl Store {
    /// The guild's live entries: its community entries and its overrides of base ids.
    pub fn live(&self, guild: u64) -> Result<Vec<CommunityEntry>, StoreError> {
        self.read(|b| b.entries_in(guild, State::Live))
    }

    /// The base ids hidden in the guild.
    pub fn hidden(&self, guild: u64) -> Result<Vec<String>, StoreError> {
        let rows = self.read(|b| b.entries_in(guild, State::Hidden))?;
        Ok(rows.into_iter().map(|e| e.id).collect())
    }

    /// One id's current state in the guild (live, removed, hidden or restored to base), or
    /// `None` when the guild never touched it.
    pub fn get(&self, guild: u64, id: &str) -> Result<Option<CommunityEntry>, StoreError> {
        self.read(|b| b.entry(guild, id))
    }

    /// A live entry of the guild (other than `except_id`, the entry being edited) with the
    /// same title or one of the same sources. Base entries are not checked here.
    pub fn find_duplicate(
        &self,
        guild: u64,
        draft: &Draft,
        except_id: Option<&str>,
    ) -> Result<Option<Duplicate>, StoreError> {
        let live = self.read(|b| live_pairs(b, guild))?;
        Ok(duplicate_in(&live, draft, except_id))
    }
}
