//! One thing wrong with a knowledge folder, and the errors of loading one.

use std::fmt;
use std::path::PathBuf;

/// One thing wrong with a knowledge folder, located to a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
    }
}

/// How many problems an error message lists; `archie check` lists them all.
const SHOWN_PROBLEMS: usize = 20;

/// The first problems, one per line, for an error message.
pub(crate) fn listed(problems: &[Problem]) -> String {
    let shown: Vec<String> = problems
        .iter()
        .take(SHOWN_PROBLEMS)
        .map(|p| p.to_string())
        .collect();
    shown.join("\n")
}

/// The knowledge could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum KnowledgeError {
    #[error(
        "the knowledge folder {} has {} problem(s); run `archie check --knowledge {}`:\n{}",
        dir.display(),
        problems.len(),
        dir.display(),
        listed(problems)
    )]
    Invalid {
        dir: PathBuf,
        problems: Vec<Problem>,
    },
}
