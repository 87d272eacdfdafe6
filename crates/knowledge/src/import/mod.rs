//! `archie import`: turns an awesome-list (Markdown links) or a plain Q&A text into
//! knowledge entries in a knowledge folder, reporting what was added, skipped or unparsable.
//!
//! Two Markdown shapes are understood. A *company page* has `## [Company](url)` sections,
//! each with a comma-separated technology line (`aws(ec2, s3)`, `(move out of)php`,
//! `nodejs my-sql`), optional `* label: tech, tech` sub-bullets and `* [title](url)` article
//! links, followed by a `REFERENCES` glossary of `* [Name](url): description` items under
//! `## INFRA…`/`## DATABASE…`/`## DEPLOY…` groups. A *reading list* has `## Section` headings
//! and `* [title](url)` items, possibly all flattened onto one line. The Q&A text format is a
//! question line, a blank line and the answer paragraph, optionally followed by
//! `Source: URL` lines.
//!
//! New entries are appended to the folder's TOML files (a new `stacks/<slug>.toml` per
//! company); names that do not resolve yet become new companies and technologies, so the
//! folder still passes `archie check` afterwards.
//!
//! One file per job: `sink.rs` holds what the folder knows and queues what is added
//! (`tables.rs`: the TOML tables written); `qa.rs` reads the Q&A text; `markdown.rs` cuts
//! Markdown into lines and links; `sections.rs` walks the headings; `stack.rs`,
//! `glossary.rs` and `reading.rs` turn each kind of section into entries (a new technology
//! gets its layer from [`LayerWords`](crate::LayerWords)); `write.rs` writes it
//! all or nothing; `report.rs` says what happened.

mod glossary;
mod markdown;
mod qa;
mod reading;
mod report;
mod sections;
mod sink;
mod stack;
mod tables;
mod write;

pub use reading::company_in_title;
pub use report::ImportReport;

use super::{listed, Problem};
use sink::Importer;
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

/// Imports `opts.file` into `opts.knowledge`. Fails without writing when the folder is not
/// valid to begin with, the file cannot be read, or the result would not pass `archie
/// check`; a write that fails half-way puts every file back.
pub fn run(opts: &ImportOptions) -> Result<ImportReport, ImportError> {
    let input = std::fs::read_to_string(&opts.file).map_err(|source| ImportError::ReadInput {
        path: opts.file.clone(),
        source,
    })?;
    let mut imp = Importer::new(&opts.knowledge)?;
    let name = opts.file.display().to_string();
    match opts.format {
        Format::AwesomeMd => imp.awesome_md(&name, &input),
        Format::QaText => imp.qa_text(&name, &input),
    }
    imp.report.dry_run = opts.dry_run;
    imp.report.files = imp.out.keys().map(|f| opts.knowledge.join(f)).collect();
    if !opts.dry_run && !imp.out.is_empty() {
        imp.write(&opts.knowledge)?;
    }
    Ok(imp.report)
}

/// Why an import stopped; nothing was written (or everything was put back).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read '{}'", path.display())]
    ReadInput {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the knowledge folder {} has {} problem(s); fix them first (`archie check --knowledge {}`):\n{}",
        dir.display(),
        problems.len(),
        dir.display(),
        listed(problems)
    )]
    InvalidFolder {
        dir: PathBuf,
        problems: Vec<Problem>,
    },
    /// A file the import appends to exists but cannot be read (the text is inline, not a
    /// source, as the message says what to do after it).
    #[error(
        "cannot read '{}' ({error}), so the import would overwrite it; nothing was \
         written: make it a readable UTF-8 text file or move it away, then import again",
        path.display()
    )]
    UnreadableTarget {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(
        "the import would leave {} problem(s) in {}, so nothing was written; please \
         report this:\n{}",
        problems.len(),
        dir.display(),
        listed(problems)
    )]
    WouldBreak {
        dir: PathBuf,
        problems: Vec<Problem>,
    },
    #[error("cannot create '{}'", path.display())]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write '{}'", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}
