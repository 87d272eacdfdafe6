//! Moving a guild's entries in and out as JSON. [`Store::export`] writes the objects of
//! `archie export --json` (id, kind, title, text, company, technologies, sources);
//! [`Store::plan_import`] previews what importing such objects would do (a dry run a
//! moderator confirms), and [`Store::apply_import`] applies the plan in one transaction.

use super::entries::{duplicate_in, live_pairs, DuplicateField};
use super::validate::{validate, RawDraft};
use super::writes::{is_community_id, WriteTxn};
use super::{Actor, CommunityEntry, Draft, Origin, State, Store, StoreError};
use archie_knowledge::Knowledge;
use serde_json::{json, Map, Value};

/// What an import would do, item by item (`index` is the item's position in the input).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportPlan {
    pub add: Vec<PlannedAdd>,
    pub change: Vec<PlannedChange>,
    pub skip: Vec<Skipped>,
    pub invalid: Vec<Invalid>,
}

impl ImportPlan {
    /// True when applying the plan would write nothing.
    pub fn is_empty(&self) -> bool {
        self.add.is_empty() && self.change.is_empty()
    }
}

/// A new community entry; `id` is the item's own `kb-` id, kept when the guild has it free.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedAdd {
    pub index: usize,
    pub id: Option<String>,
    pub draft: Draft,
}

/// An edit of a live entry of the guild, or a new override of a base entry (`base`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedChange {
    pub index: usize,
    pub id: String,
    pub before: Draft,
    pub after: Draft,
    pub base: bool,
}

/// A valid item that will not be written, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub index: usize,
    pub id: Option<String>,
    pub reason: String,
}

/// An item that cannot be imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub index: usize,
    pub reason: String,
}

/// One exported object, in the shape of `archie export --json`.
fn export_object(e: &CommunityEntry) -> Value {
    let d = &e.draft;
    json!({
        "id": e.id,
        "kind": d.kind.as_str(),
        "title": d.title,
        "text": d.text,
        "company": d.company,
        "technologies": d.technologies,
        "sources": d.sources,
    })
}

/// Reads the draft fields of one object; extra fields (an export's `aliases`, `question`…)
/// are ignored.
fn raw_draft(v: &Value) -> Result<RawDraft, String> {
    let obj = v.as_object().ok_or("not a JSON object")?;
    let text = |key: &str| -> Result<String, String> {
        match obj.get(key) {
            Some(Value::String(s)) => Ok(s.clone()),
            None | Some(Value::Null) => Ok(String::new()),
            Some(_) => Err(format!("`{key}` must be a string")),
        }
    };
    let list = |key: &str| -> Result<Vec<String>, String> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| i.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or(format!("`{key}` must be a list of strings")),
            Some(_) => Err(format!("`{key}` must be a list of strings")),
        }
    };
    Ok(RawDraft {
        kind: text("kind")?,
        title: text("title")?,
        text: text("text")?,
        company: Some(text("company")?),
        technologies: list("technologies")?,
        sources: list("sources")?,
    })
}

fn item_id(v: &Value) -> Option<String> {
    v.as_object()
        .and_then(|o: &Map<String, Value>| o.get("id"))
        .and_then(Value::as_str)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// What to do with one valid item, given the guild's current rows.
enum Decision {
    Add(PlannedAdd),
    Change(PlannedChange),
    Skip(String),
}

impl Store {
    /// The guild's live entries (community entries and overrides) as export objects.
    pub fn export(&self, guild: u64) -> Result<Vec<Value>, StoreError> {
        Ok(self.live(guild)?.iter().map(export_object).collect())
    }

    /// A dry run of importing `items` into the guild: which would be added, which would
    /// change a live entry or override a base entry of `k`, which are skipped (unchanged,
    /// duplicate, removed here) and which are invalid. Writes nothing.
    pub fn plan_import(
        &self,
        guild: u64,
        k: &Knowledge,
        items: &[Value],
    ) -> Result<ImportPlan, StoreError> {
        self.read(|b| {
            let mut plan = ImportPlan::default();
            // The guild's live content as it will be once the planned items are applied.
            let mut live = live_pairs(b, guild)?;
            for (index, item) in items.iter().enumerate() {
                let draft = match raw_draft(item) {
                    Ok(raw) => validate(&raw, k).map_err(|e| e.to_string()),
                    Err(e) => Err(e),
                };
                let draft = match draft {
                    Ok(d) => d,
                    Err(reason) => {
                        plan.invalid.push(Invalid { index, reason });
                        continue;
                    }
                };
                let id = item_id(item);
                let row = match &id {
                    Some(id) => b.entry(guild, id)?,
                    None => None,
                };
                let decision = decide(index, id.clone(), row, draft, k, &live);
                match decision {
                    Decision::Add(a) => {
                        live.push((format!("(item {index})"), a.draft.clone()));
                        plan.add.push(a);
                    }
                    Decision::Change(ch) => {
                        live.retain(|(i, _)| *i != ch.id);
                        live.push((ch.id.clone(), ch.after.clone()));
                        plan.change.push(ch);
                    }
                    Decision::Skip(reason) => plan.skip.push(Skipped { index, id, reason }),
                }
            }
            Ok(plan)
        })
    }

    /// Applies a plan from [`Store::plan_import`] in one transaction: every add and change,
    /// or none when any fails (e.g. an entry changed since the plan was made).
    pub fn apply_import(
        &self,
        guild: u64,
        actor: &Actor,
        plan: &ImportPlan,
    ) -> Result<Vec<CommunityEntry>, StoreError> {
        self.write(|b, now| {
            let mut w = WriteTxn {
                b,
                guild,
                actor,
                now,
                note: None,
            };
            let mut out = Vec::with_capacity(plan.add.len() + plan.change.len());
            for a in &plan.add {
                out.push(w.add(&a.draft, a.id.as_deref())?);
            }
            for ch in &plan.change {
                let base = ch.base.then_some(&ch.before);
                out.push(w.edit(&ch.id, &ch.after, base)?);
            }
            Ok(out)
        })
    }
}

fn decide(
    index: usize,
    id: Option<String>,
    row: Option<CommunityEntry>,
    draft: Draft,
    k: &Knowledge,
    live: &[(String, Draft)],
) -> Decision {
    let duplicate = |except: Option<&str>| {
        duplicate_in(live, &draft, except).map(|d| match d.field {
            DuplicateField::Title => format!("same title as {}", d.id),
            DuplicateField::Source(url) => format!("source {url} is already cited by {}", d.id),
        })
    };
    let base = id
        .as_deref()
        .filter(|i| !is_community_id(i))
        .and_then(|i| k.entry(i))
        .map(Draft::from_entry);
    match (id, row, base) {
        (Some(id), Some(row), _) if row.state == State::Live => {
            if row.draft == draft {
                return Decision::Skip("unchanged".to_string());
            }
            if let Some(reason) = duplicate(Some(&id)) {
                return Decision::Skip(reason);
            }
            Decision::Change(PlannedChange {
                index,
                base: row.origin == Origin::Base,
                id,
                before: row.draft,
                after: draft,
            })
        }
        (Some(id), Some(row), _) if row.state != State::Base => {
            Decision::Skip(format!("{id} was removed in this server; revert it first"))
        }
        (Some(id), _, Some(before)) => {
            if before == draft {
                return Decision::Skip("same as the base entry".to_string());
            }
            if let Some(reason) = duplicate(Some(&id)) {
                return Decision::Skip(reason);
            }
            Decision::Change(PlannedChange {
                index,
                id,
                before,
                after: draft,
                base: true,
            })
        }
        (id, _, _) => {
            if let Some(reason) = duplicate(None) {
                return Decision::Skip(reason);
            }
            Decision::Add(PlannedAdd {
                index,
                id: id.filter(|i| is_community_id(i)),
                draft,
            })
        }
    }
}
