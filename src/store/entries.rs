//! Reading entry rows: a guild's live entries and hidden base ids, one id's current state,
//! and duplicate detection among a guild's live entries. Writes live in `writes.rs`.

use super::{from_sql_id, to_sql_id, CommunityEntry, Draft, Origin, State, Store, StoreError};
use crate::knowledge::Kind;
use crate::text::normalize;
use rusqlite::{params, Connection, OptionalExtension, Row};

/// Columns of an entry row, with its latest revision id last.
pub(crate) const COLUMNS: &str = "e.guild_id, e.id, e.origin, e.state, e.kind, e.title, e.body,
    e.company, e.technologies, e.sources, e.created_at, e.updated_at,
    (SELECT MAX(r.id) FROM revisions r WHERE r.guild_id = e.guild_id AND r.entry_id = e.id)";

struct RawEntry {
    guild: i64,
    id: String,
    origin: String,
    state: String,
    kind: String,
    title: String,
    text: String,
    company: Option<String>,
    technologies: String,
    sources: String,
    created_at: i64,
    updated_at: i64,
    revision: Option<i64>,
}

fn raw(r: &Row<'_>) -> rusqlite::Result<RawEntry> {
    Ok(RawEntry {
        guild: r.get(0)?,
        id: r.get(1)?,
        origin: r.get(2)?,
        state: r.get(3)?,
        kind: r.get(4)?,
        title: r.get(5)?,
        text: r.get(6)?,
        company: r.get(7)?,
        technologies: r.get(8)?,
        sources: r.get(9)?,
        created_at: r.get(10)?,
        updated_at: r.get(11)?,
        revision: r.get(12)?,
    })
}

fn decode(r: RawEntry) -> Result<CommunityEntry, StoreError> {
    let bad = |what: &str| StoreError::Corrupt(format!("entry '{}': {what}", r.id));
    let list = |s: &str| -> Result<Vec<String>, StoreError> {
        serde_json::from_str(s).map_err(|e| bad(&format!("bad list: {e}")))
    };
    Ok(CommunityEntry {
        guild: from_sql_id(r.guild),
        origin: Origin::parse(&r.origin).ok_or_else(|| bad("unknown origin"))?,
        state: State::parse(&r.state).ok_or_else(|| bad("unknown state"))?,
        draft: Draft {
            kind: Kind::parse(&r.kind).ok_or_else(|| bad("unknown kind"))?,
            technologies: list(&r.technologies)?,
            sources: list(&r.sources)?,
            title: r.title,
            text: r.text,
            company: r.company,
        },
        created_at: r.created_at,
        updated_at: r.updated_at,
        revision: r.revision.unwrap_or(0),
        id: r.id,
    })
}

/// Rows matching `filter` (a WHERE clause over `e`), ordered by guild then id.
pub(crate) fn select(
    c: &Connection,
    filter: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<CommunityEntry>, StoreError> {
    query(
        c,
        &format!("WHERE {filter} ORDER BY e.guild_id, e.id"),
        args,
    )
}

/// Rows of `entries e` chosen, ordered and limited by `tail` (from WHERE on).
pub(crate) fn query(
    c: &Connection,
    tail: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<CommunityEntry>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM entries e {tail}");
    let mut st = c.prepare(&sql)?;
    let rows = st.query_map(args, raw)?.collect::<Result<Vec<_>, _>>()?;
    rows.into_iter().map(decode).collect()
}

/// One id's row in one guild, whatever its state.
pub(crate) fn load(
    c: &Connection,
    guild: u64,
    id: &str,
) -> Result<Option<CommunityEntry>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM entries e WHERE e.guild_id = ?1 AND e.id = ?2");
    c.query_row(&sql, params![to_sql_id(guild), id], raw)
        .optional()?
        .map(decode)
        .transpose()
}

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
pub(crate) fn live_pairs(c: &Connection, guild: u64) -> Result<Vec<(String, Draft)>, StoreError> {
    Ok(live_in(c, guild)?
        .into_iter()
        .map(|e| (e.id, e.draft))
        .collect())
}

pub(crate) fn live_in(c: &Connection, guild: u64) -> Result<Vec<CommunityEntry>, StoreError> {
    select(
        c,
        "e.guild_id = ?1 AND e.state = 'live'",
        params![to_sql_id(guild)],
    )
}

impl Store {
    /// The guild's live entries: its community entries and its overrides of base ids.
    pub fn live(&self, guild: u64) -> Result<Vec<CommunityEntry>, StoreError> {
        self.read(|c| live_in(c, guild))
    }

    /// The base ids hidden in the guild.
    pub fn hidden(&self, guild: u64) -> Result<Vec<String>, StoreError> {
        self.read(|c| {
            let rows = select(
                c,
                "e.guild_id = ?1 AND e.state = 'hidden'",
                params![to_sql_id(guild)],
            )?;
            Ok(rows.into_iter().map(|e| e.id).collect())
        })
    }

    /// Every guild's live entries, for building the index at start.
    pub fn all_live(&self) -> Result<Vec<(u64, CommunityEntry)>, StoreError> {
        self.read(|c| {
            let rows = select(c, "e.state = 'live'", [])?;
            Ok(rows.into_iter().map(|e| (e.guild, e)).collect())
        })
    }

    /// Every guild's hidden base ids, for building the index at start.
    pub fn all_hidden(&self) -> Result<Vec<(u64, String)>, StoreError> {
        self.read(|c| {
            let rows = select(c, "e.state = 'hidden'", [])?;
            Ok(rows.into_iter().map(|e| (e.guild, e.id)).collect())
        })
    }

    /// One id's current state in the guild (live, removed, hidden or restored to base), or
    /// `None` when the guild never touched it.
    pub fn get(&self, guild: u64, id: &str) -> Result<Option<CommunityEntry>, StoreError> {
        self.read(|c| load(c, guild, id))
    }

    /// A live entry of the guild (other than `except_id`, the entry being edited) with the
    /// same title or one of the same sources. Base entries are not checked here.
    pub fn find_duplicate(
        &self,
        guild: u64,
        draft: &Draft,
        except_id: Option<&str>,
    ) -> Result<Option<Duplicate>, StoreError> {
        let live = self.read(|c| live_pairs(c, guild))?;
        Ok(duplicate_in(&live, draft, except_id))
    }
}
