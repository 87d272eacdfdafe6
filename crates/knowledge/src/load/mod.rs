//! Reads a knowledge folder into a resolved [`Knowledge`], collecting every problem as
//! `file:line: what is wrong` instead of stopping at the first one.
//!
//! [`loader`] holds what every file shares (parsing, required fields, URLs, ids, name
//! resolution); [`names`] builds the company and technology tables; [`stacks`] the stack
//! and technology entries; [`entries`] one loader per other kind; [`topics`] the
//! vocabulary files; [`detect`] finds the technologies an entry's prose names.

mod detect;
mod entries;
mod loader;
mod names;
mod stacks;
mod topics;

pub(crate) use topics::load_layer_words;

use super::files::*;
use super::{Knowledge, LayerWords};
use loader::{Loader, Resolver, Src};
use std::path::{Path, PathBuf};

/// Every file of a folder, parsed (`None`: missing or unreadable, reported).
struct Files {
    companies: Option<Src<CompaniesFile>>,
    techs: Option<Src<TechnologiesFile>>,
    qa: Option<Src<QaFile>>,
    reading: Option<Src<ReadingFile>>,
    notes: Option<Src<NotesFile>>,
    articles: Option<Src<ArticlesFile>>,
    topics: Option<Src<TopicsFile>>,
    concepts: Option<Src<ConceptsFile>>,
    stacks: Vec<Src<StackFile>>,
    layer_words: Option<Src<LayerWordsFile>>,
}

impl Files {
    fn read(l: &mut Loader, dir: &Path) -> Files {
        Files {
            companies: l.read(dir.join("companies.toml"), true),
            techs: l.read(dir.join("technologies.toml"), true),
            qa: l.read(dir.join("qa.toml"), true),
            reading: l.read(dir.join("reading.toml"), true),
            notes: l.read(dir.join("notes.toml"), true),
            articles: l.read(dir.join("articles.toml"), true),
            topics: l.read(dir.join("topics.toml"), true),
            concepts: l.read(dir.join("concepts.toml"), true),
            stacks: stack_paths(dir)
                .into_iter()
                .filter_map(|p| l.read(p, false))
                .collect(),
            layer_words: l.read(dir.join(LayerWords::FILE), true),
        }
    }

    /// Whether the folder holds no entry file at all (`topics.toml` and
    /// `layer_words.toml` hold no entries).
    fn no_entries(&self) -> bool {
        self.companies.is_none()
            && self.techs.is_none()
            && self.stacks.is_empty()
            && self.qa.is_none()
            && self.reading.is_none()
            && self.notes.is_none()
            && self.articles.is_none()
    }
}

/// `stacks/*.toml`, sorted.
fn stack_paths(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir.join("stacks"))
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect()
        })
        .unwrap_or_default();
    paths.sort();
    paths
}

/// Loads and validates a knowledge folder. The `Knowledge` holds what could be resolved;
/// `problems` lists everything wrong (empty for a valid folder).
pub fn load_dir(dir: &Path) -> (Knowledge, Vec<super::Problem>) {
    let mut l = Loader::default();
    if !dir.is_dir() {
        l.problem(dir, 0, "not a directory (pass --knowledge DIR)");
        return (Knowledge::default(), l.problems);
    }
    let files = Files::read(&mut l, dir);
    let mut k = Knowledge::default();
    if let Some(src) = &files.companies {
        names::load_companies(&mut l, src, &mut k.companies);
    }
    let tech_defs = match &files.techs {
        Some(src) => names::load_techs(&mut l, src, &mut k.techs),
        None => Vec::new(),
    };
    let names = Resolver {
        companies: &k.companies,
        techs: &k.techs,
    };
    let mut usage = stacks::Usage::default();
    let mut entries = stacks::load_stacks(&mut l, &files.stacks, names, &mut usage);
    if let Some(src) = &files.techs {
        entries.extend(stacks::tech_entries(
            &mut l,
            src,
            &tech_defs,
            &k.techs.items,
            &usage,
        ));
    }
    if let Some(src) = &files.qa {
        entries.extend(entries::qa_entries(&mut l, src, names));
    }
    if let Some(src) = &files.reading {
        entries.extend(entries::reading_entries(&mut l, src, names));
    }
    if let Some(src) = &files.notes {
        entries.extend(entries::note_entries(&mut l, src, names));
    }
    if let Some(src) = &files.articles {
        entries.extend(entries::article_entries(&mut l, src, names));
    }
    k.entries = entries;
    if files.no_entries() && l.problems.is_empty() {
        l.problem(dir, 0, "no knowledge files found (expected companies.toml, technologies.toml, stacks/*.toml, qa.toml, reading.toml, notes.toml, articles.toml)");
    }
    if let Some(src) = &files.topics {
        k.topics = topics::load_topics(&mut l, src);
    }
    if let Some(src) = &files.concepts {
        topics::load_concepts(&mut l, src, &mut k.topics);
    }
    if let Some(src) = &files.layer_words {
        k.layer_words = Some(topics::load_folder_layer_words(&mut l, src));
    }
    detect::detect_technologies(&mut k);
    (k, l.problems)
}
