//! The machine-readable side of a [`Reply`](super::Reply): what `--json` prints, one typed
//! shape per command. The field names are the JSON format users script against; change
//! them only with the README.

use crate::reply::Link;
use archie_knowledge::{Entry, Layer, StackItem};
use archie_search::SearchResult;
use archie_store::Draft;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Data {
    /// `/ask` and `/read`.
    Search(Search),
    Stack(Stack),
    Uses(Uses),
    WhatIs(WhatIs),
    Compare(Compare),
    /// `/kb show`.
    Entry(ShownEntry),
    /// `/kb history`.
    History(History),
    /// `/kb export`: the entries in the `archie export --json` format.
    Export(Vec<serde_json::Value>),
    /// `/kb import` before confirmation: how many entries each outcome has.
    ImportPlan(ImportCounts),
    /// `/kb gaps`: one page of open gaps.
    Gaps(Gaps),
    /// `/kb review` and `/kb proposals`.
    Proposals(Proposals),
    /// `/kb stats`.
    Stats(archie_store::Stats),
    /// `/kb export what:curation`: the server's gaps, proposals and votes.
    Curation(archie_store::CurationExport),
    /// A vote, a note, a setting: what was recorded.
    Recorded(Recorded),
    /// `/quiz question`.
    Quiz(Quiz),
    /// `/quiz leaderboard`.
    Leaderboard(Vec<archie_store::quiz::Score>),
}

#[derive(Debug, Clone, Serialize)]
pub struct Quiz {
    pub quiz: i64,
    pub prompt: String,
    pub choices: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Gaps {
    pub total: i64,
    pub page: usize,
    pub gaps: Vec<archie_store::Gap>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Proposals {
    pub total: i64,
    pub proposals: Vec<archie_store::Proposal>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Recorded {
    pub recorded: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Search {
    pub query: String,
    pub results: Vec<SearchResult>,
    /// Names to try when nothing matched (`/ask` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestions: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Stack {
    pub company: String,
    pub id: String,
    pub layers: Vec<StackLayer>,
    pub links: Vec<Link>,
    pub reading: Vec<ReadingLink>,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StackLayer {
    pub layer: Layer,
    pub technologies: Vec<StackItem>,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReadingLink {
    pub title: String,
    pub url: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Uses {
    pub technology: String,
    pub id: String,
    pub users: Vec<User>,
    pub related: Vec<Related>,
}

/// A company whose stack lists the technology, and how it spells it there.
#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub company: String,
    #[serde(rename = "as")]
    pub spelled: Vec<String>,
    pub stack: String,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Related {
    pub id: String,
    pub title: String,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WhatIs {
    pub technology: String,
    pub id: String,
    pub layer: Layer,
    pub group: Option<String>,
    pub description: Option<String>,
    pub aliases: Vec<String>,
    pub used_by: Vec<String>,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Compare {
    pub first: String,
    pub second: String,
    pub layers: Vec<CompareLayer>,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CompareLayer {
    pub layer: Layer,
    pub shared: Vec<String>,
    pub only_first: Vec<String>,
    pub only_second: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShownEntry {
    pub entry: Option<Entry>,
    pub guild: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct History {
    pub total: usize,
    pub page: usize,
    pub revisions: Vec<RevisionData>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RevisionData {
    pub revision: i64,
    pub entry: String,
    pub action: &'static str,
    /// A string: Discord ids exceed what JSON numbers hold exactly in many parsers.
    pub actor_id: String,
    pub actor: String,
    /// Unix seconds.
    pub at: i64,
    pub before: Option<Draft>,
    pub after: Option<Draft>,
    /// What the change came from: the gap it answered, the proposal and its proposer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// How many items of an import each outcome has (the store's `ImportPlan`, counted).
#[derive(Debug, Clone, Serialize)]
pub struct ImportCounts {
    pub add: usize,
    pub change: usize,
    pub skip: usize,
    pub invalid: usize,
}
