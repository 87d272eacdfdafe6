//! What an import did: every entry added, skipped or unparsable, and where each piece of
//! input sits (`file:line:column`).

use archie_text::line_of;
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

#[derive(Debug, Default, Clone)]
pub struct ImportReport {
    /// `kind id: what` for every entry, company or technology added.
    pub added: Vec<String>,
    /// What was already there: same URL, same question, existing stack, existing alias.
    pub skipped: Vec<String>,
    /// `file:line:column: what` for every piece of input that could not be understood.
    pub unparsed: Vec<String>,
    /// True when nothing was written.
    pub dry_run: bool,
    /// The files written (or that would be written on a dry run).
    pub files: Vec<PathBuf>,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for a in &self.added {
            writeln!(f, "added    {a}")?;
        }
        for s in &self.skipped {
            writeln!(f, "skipped  {s}")?;
        }
        for u in &self.unparsed {
            writeln!(f, "unparsed {u}")?;
        }
        let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
        for a in &self.added {
            *by_kind
                .entry(a.split(' ').next().unwrap_or(""))
                .or_default() += 1;
        }
        let kinds: Vec<String> = by_kind.iter().map(|(k, n)| format!("{n} {k}")).collect();
        let files: Vec<String> = self.files.iter().map(|p| p.display().to_string()).collect();
        write!(
            f,
            "{}added {}{}, skipped {} as duplicate, unparsed {}",
            if self.dry_run {
                "dry run: would have "
            } else {
                ""
            },
            self.added.len(),
            if kinds.is_empty() {
                String::new()
            } else {
                format!(" ({})", kinds.join(", "))
            },
            self.skipped.len(),
            self.unparsed.len()
        )?;
        if !files.is_empty() {
            write!(
                f,
                "\n{} {}",
                if self.dry_run { "would write" } else { "wrote" },
                files.join(", ")
            )?;
        }
        Ok(())
    }
}

/// `file:line:column` of byte offset `at` in `input`.
pub(super) fn position(file: &str, input: &str, at: usize) -> String {
    let line = line_of(input, at);
    let start = input[..at.min(input.len())]
        .rfind('\n')
        .map(|i| i + 1)
        .unwrap_or(0);
    let col = input[start..at.min(input.len())].chars().count() + 1;
    format!("{file}:{line}:{col}")
}
