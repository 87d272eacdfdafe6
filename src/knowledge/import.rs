//! `archie import`: turns an awesome-list (Markdown links) or a plain Q&A text into
//! knowledge entries in a knowledge folder, reporting what was added, skipped or unparsable.

use std::fmt;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A Markdown link list: a sectioned company page or a one-line awesome-list.
    AwesomeMd,
    /// Plain text: a question line, a blank line, the answer paragraph.
    QaText,
}

#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub file: PathBuf,
    pub format: Format,
    pub knowledge: PathBuf,
    pub dry_run: bool,
}

#[derive(Debug, Default, Clone)]
pub struct ImportReport {
    pub added: Vec<String>,
    pub skipped: Vec<String>,
    pub unparsed: Vec<String>,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "added {}, skipped {}, unparsed {}",
            self.added.len(),
            self.skipped.len(),
            self.unparsed.len()
        )
    }
}

pub fn run(_opts: &ImportOptions) -> anyhow::Result<ImportReport> {
    anyhow::bail!("import is not implemented yet")
}
