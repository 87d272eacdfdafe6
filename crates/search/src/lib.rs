//! The answer engine behind `/ask` and the CLI. One question goes through typed stages:
//! understand ([`query`]) → retrieve ([`retrieve`]: BM25, named entities, nearest in
//! meaning) → rank ([`rank`]: weighted evidence and the relevance floor) → fold
//! (`fold`: one result per fact, answering excerpts). Knows nothing about Discord.

//!
//! Files: `engine.rs` ([`Engine`]) builds and runs it; `results.rs` holds what it returns;
//! `visible.rs` the entries one guild sees; `suggest.rs` "did you mean" when nothing
//! is found; [`index`] the tantivy index; [`excerpt`] the passages shown; [`damage`]
//! damaged index files, found at open or by a failed read, and what search does then.

mod bert;
pub mod community;
mod concepts;
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
