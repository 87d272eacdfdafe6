//! What a search returns: the answer to a question and its results.

use super::excerpt::Excerpt;
use super::query::{Intent, Understanding};
use archie_knowledge::Kind;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct SearchResult {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    /// The excerpt as plain text.
    pub excerpt: String,
    /// The same excerpt with the matched words wrapped in `**`.
    pub excerpt_marked: String,
    pub company: Option<String>,
    pub sources: Vec<String>,
    pub score: f32,
    /// Ids of other entries folded into this one (the same fact from another source).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<String>,
    #[serde(skip)]
    pub parts: Excerpt,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchAnswer {
    pub query: String,
    pub results: Vec<SearchResult>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<String>,
    pub intent: Intent,
    #[serde(skip)]
    pub understanding: Option<Understanding>,
    /// The glossary concepts the question describes, nearest first: (name, strength).
    #[serde(skip)]
    pub concepts: Vec<(String, f32)>,
}
