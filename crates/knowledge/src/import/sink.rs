//! What the folder already holds (names, ids, URLs, questions, stacks), and what this
//! import adds to it: new companies and technologies are created here, every new table is
//! queued as TOML text until the import is written.

use super::report::ImportReport;
use super::tables::{CompanyOut, TechOut};
use super::ImportError;
use crate::LayerWords;
use crate::{is_http_url, load_dir, Detail, Kind, Knowledge, Layer};
use archie_text::{compact_key, normalize, slug};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// The files whose presence means the folder holds knowledge to import into.
const FILES: [&str; 6] = [
    "companies.toml",
    "technologies.toml",
    "qa.toml",
    "reading.toml",
    "notes.toml",
    "articles.toml",
];

pub(super) struct Importer {
    /// compact key → canonical company name.
    pub(super) companies: HashMap<String, String>,
    pub(super) company_urls: HashMap<String, String>,
    company_ids: HashSet<String>,
    /// compact key → (canonical tech name, layer).
    pub(super) techs: HashMap<String, (String, Layer)>,
    ids: HashSet<String>,
    pub(super) reading_urls: HashSet<String>,
    pub(super) questions: HashSet<String>,
    /// Canonical names of companies that have a stack.
    pub(super) stacked: HashSet<String>,
    /// The words that place a new technology in a layer: the folder's
    /// `layer_words.toml`, else the one shipped with Archie.
    pub(super) layer_words: LayerWords,
    /// Relative file → TOML text to append (or the whole text of a new stack file).
    pub(super) out: BTreeMap<String, String>,
    pub(super) report: ImportReport,
}

impl Importer {
    pub(super) fn new(dir: &Path) -> Result<Importer, ImportError> {
        let mut imp = Importer {
            companies: HashMap::new(),
            company_urls: HashMap::new(),
            company_ids: HashSet::new(),
            techs: HashMap::new(),
            ids: HashSet::new(),
            reading_urls: HashSet::new(),
            questions: HashSet::new(),
            stacked: HashSet::new(),
            layer_words: LayerWords::shipped(),
            out: BTreeMap::new(),
            report: ImportReport::default(),
        };
        let has_files = FILES.iter().any(|f| dir.join(f).is_file())
            || std::fs::read_dir(dir.join("stacks")).is_ok_and(|mut d| d.next().is_some());
        if !has_files {
            return Ok(imp);
        }
        let (k, problems) = load_dir(dir);
        if !problems.is_empty() {
            return Err(ImportError::InvalidFolder {
                dir: dir.to_path_buf(),
                problems,
            });
        }
        imp.absorb(&k);
        if let Some(words) = k.layer_words {
            imp.layer_words = words;
        }
        Ok(imp)
    }

    fn absorb(&mut self, k: &Knowledge) {
        for c in &k.companies.items {
            self.company_ids.insert(c.id.clone());
            for n in std::iter::once(&c.name).chain(&c.aliases).chain([&c.id]) {
                self.companies.insert(compact_key(n), c.name.clone());
            }
            if let Some(u) = &c.url {
                self.company_urls.insert(c.name.clone(), u.clone());
            }
        }
        for t in &k.techs.items {
            for n in std::iter::once(&t.name).chain(&t.aliases).chain([&t.id]) {
                self.techs.insert(compact_key(n), (t.name.clone(), t.layer));
            }
        }
        for e in &k.entries {
            self.ids.insert(e.id.clone());
            match (&e.kind, &e.detail) {
                (Kind::Reading, Detail::Reading { url, .. }) => {
                    self.reading_urls.insert(url.clone());
                }
                (Kind::Qa, Detail::Qa { question, .. }) => {
                    self.questions.insert(normalize(question));
                }
                (Kind::Stack, _) => {
                    if let Some(c) = &e.company {
                        self.stacked.insert(c.clone());
                    }
                }
                _ => {}
            }
        }
    }

    pub(super) fn unique_id(&mut self, base: &str) -> String {
        let mut id = base.to_string();
        let mut n = 2;
        while self.ids.contains(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        self.ids.insert(id.clone());
        id
    }

    pub(super) fn append<T: Serialize>(&mut self, file: &str, table: &str, item: &T) {
        let mut m: BTreeMap<&str, Vec<&T>> = BTreeMap::new();
        m.insert(table, vec![item]);
        match toml::to_string(&m) {
            Ok(s) => {
                let buf = self.out.entry(file.to_string()).or_default();
                if !buf.is_empty() {
                    buf.push('\n');
                }
                buf.push_str(&s);
            }
            Err(e) => self
                .report
                .unparsed
                .push(format!("{file}: cannot write a {table} entry: {e}")),
        }
    }

    /// The canonical company for `name`, creating it when it does not resolve yet.
    pub(super) fn company(&mut self, name: &str, aliases: &[String], url: Option<&str>) -> String {
        let key = compact_key(name);
        if let Some(c) = self.companies.get(&key).cloned() {
            return c;
        }
        if let Some(c) = aliases
            .iter()
            .find_map(|a| self.companies.get(&compact_key(a)))
        {
            return c.clone();
        }
        let mut id = slug(name);
        let mut n = 2;
        while self.company_ids.contains(&id) || id.is_empty() {
            id = format!("{}-{n}", slug(name));
            n += 1;
        }
        self.company_ids.insert(id.clone());
        let aliases: Vec<String> = aliases
            .iter()
            .filter(|a| !self.companies.contains_key(&compact_key(a)) && compact_key(a) != key)
            .cloned()
            .collect();
        for a in aliases.iter().chain([&name.to_string(), &id]) {
            self.companies.insert(compact_key(a), name.to_string());
        }
        let url = url.filter(|u| is_http_url(u)).map(str::to_string);
        if let Some(u) = &url {
            self.company_urls.insert(name.to_string(), u.clone());
        }
        self.report.added.push(format!("company {id}: {name}"));
        let c = CompanyOut {
            id,
            name: name.to_string(),
            aliases,
            url,
        };
        self.append("companies.toml", "company", &c);
        name.to_string()
    }

    /// The canonical technology for `name`, creating it (layer guessed) when unknown.
    pub(super) fn tech(&mut self, name: &str, group: Option<&str>) -> (String, Layer) {
        if let Some(t) = self.techs.get(&compact_key(name)) {
            return t.clone();
        }
        let layer = self.layer_words.guess(name, group);
        self.new_tech(TechOut {
            id: String::new(),
            name: name.to_string(),
            layer: layer.key().to_string(),
            aliases: Vec::new(),
            group: group.map(str::to_string),
            description: None,
            url: None,
            detect: true,
        });
        (name.to_string(), layer)
    }

    pub(super) fn new_tech(&mut self, mut t: TechOut) {
        t.id = self.unique_id(&format!("tech-{}", slug(&t.name)));
        let layer = Layer::parse(&t.layer).unwrap_or(Layer::Other);
        t.aliases.retain(|a| {
            let k = compact_key(a);
            !k.is_empty() && !self.techs.contains_key(&k) && k != compact_key(&t.name)
        });
        t.aliases.dedup_by_key(|a| compact_key(a));
        for n in t.aliases.iter().chain([&t.name, &t.id]) {
            self.techs.insert(compact_key(n), (t.name.clone(), layer));
        }
        self.report
            .added
            .push(format!("tech {}: {} ({})", t.id, t.name, t.layer));
        self.append("technologies.toml", "tech", &t);
    }
}
