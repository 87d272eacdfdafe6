//! The answer engine behind `/ask` and the CLI. One question goes through typed stages:
//! understand ([`query`]) → retrieve ([`retrieve`]: BM25, named entities, nearest in
//! meaning) → rank ([`rank`]: weighted evidence and the relevance floor) → fold
//! (`fold`: one result per fact, answering excerpts). Knows nothing about Discord.
//!
//! # Layout
//!
//! - `bert.rs` — The encoder network.
//! - `bert/checkpoint.rs` — A checkpoint's tensors, read from a safetensors file's bytes as the network takes them.
//! - `bert/tests.rs` — unit tests of the module beside it.
//! - `community/index.rs` — The community index on disk (or in RAM).
//! - `community/mod.rs` — Server (guild) entries written by moderators, and the base entries a guild hides or replaces.
//! - `community/stored.rs` — What a community document stores.
//! - `community/sync.rs` — Keeping the community index current.
//! - `community/view.rs` — One guild's view of its community rows: its own entries by ordinal and the base ids it does not see.
//! - `concepts.rs` — Concepts in questions.
//! - `conversation.rs` — Follow-up questions: what the earlier questions of a conversation were understood to ask (companies, technologies, subject), and the standalone question a follow-up asks in that context.
//! - `conversation/turn.rs` — How the engine reads a question as a turn of a conversation: the concepts it names or describes, and the question it asks after the context before it.
//! - `damage.rs` — Damaged index files.
//! - `engine.rs` — The engine.
//! - `engine/derived.rs` — What the engine derives from the knowledge once.
//! - `engine/spelling.rs` — Words as typed: plurals in -ys, a dropped double letter, Korean layer words.
//! - `eval.rs` — `archie eval`.
//! - `excerpt/answer.rs` — The sentence that answers.
//! - `excerpt/marking.rs` — The words of a text that match the question, and the text with them marked.
//! - `excerpt/mod.rs` — Excerpts.
//! - `excerpt/sentences.rs` — Sentence spans of a passage, for picking the sentence that answers a question and for computing one embedding per…
//! - `excerpt/tests.rs` — unit tests of the module beside it.
//! - `excerpt/window.rs` — Cutting.
//! - `fold.rs` — Folding.
//! - `hangul.rs` — Korean in questions and entries.
//! - `index.rs` — The tantivy index over knowledge entries.
//! - `query/intent.rs` — What a question asks for.
//! - `query/markup.rs` — A chat message as a question: Discord markup taken out before it is read.
//! - `query/mod.rs` — Query understanding.
//! - `query/names.rs` — Name recognition.
//! - `query/typos.rs` — Typo correction: single-word names a misspelt word may stand for.
//! - `query/words.rs` — The words of a question that say something about its form rather than its subject.
//! - `rank.rs` — Ranking.
//! - `results.rs` — What a search returns: the answer to a question and its results.
//! - `retrieve.rs` — Retrieval: from an understood question to candidate entries with their evidence.
//! - `retrieve/weighed.rs` — A question's terms weighed against an entry's: the shares of coverage and residual.
//! - `semantic.rs` — Semantic evidence.
//! - `suggest.rs` — When nothing relevant is found.
//! - `vectors.rs` — The semantic side of the index.
//! - `visible.rs` — The entries one place (a guild, or everywhere) sees.

mod bert;
pub mod community;
mod concepts;
pub mod conversation;
pub mod damage;
mod engine;
pub mod eval;
pub mod excerpt;
mod fold;
pub mod hangul;
pub mod index;
pub mod query;
pub mod rank;
mod results;
pub mod retrieve;
pub mod semantic;
mod suggest;
pub mod vectors;
mod visible;

pub use engine::Engine;
pub use results::{SearchAnswer, SearchResult};
pub use visible::Visible;

use index::IndexError;
use semantic::SemanticError;

/// Words of a question that are read; the rest of a very long text is ignored.
pub const MAX_QUESTION_WORDS: usize = 64;

/// Search could not run (the index failed); never the same as "nothing relevant".
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index error: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// The index could not be opened, built or updated.
    #[error(transparent)]
    Open(#[from] IndexError),
    /// The entry vectors could not be computed.
    #[error(transparent)]
    Semantic(#[from] SemanticError),
    /// The community store could not be read (or a community document written).
    #[error("community entries: {0}")]
    Community(community::SourceError),
    /// A read of index files panicked (garbled bytes): the index is damaged.
    #[error("index files unreadable: {0}")]
    Unreadable(String),
    /// The index is damaged and being rebuilt; search answers without it meanwhile.
    #[error("the {what} is damaged and being rebuilt ({why})")]
    Damaged { what: &'static str, why: String },
}

/// The first `n` words of a text (whitespace-separated), so huge inputs cost little.
pub fn clip_words(s: &str, n: usize) -> String {
    s.split_whitespace().take(n).collect::<Vec<_>>().join(" ")
}
