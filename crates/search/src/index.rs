//! The tantivy index over knowledge entries: schema, analyzer, build, persistence with a
//! format version and content fingerprint, and fielded BM25 retrieval.

use archie_knowledge::{Entry, Knowledge};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, STORED, STRING,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, PreTokenizedString, RemoveLongFilter, Stemmer,
    TextAnalyzer,
};
use tantivy::{doc, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

/// The index could not be opened or built.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// The data folder cannot be created or written: the one message naming the variable.
    #[error(
        "cannot use the data folder {}: {error}; Archie keeps its search indexes there and \
         must be able to write in it: set ARCHIE_DATA_DIR to a folder this user can write, \
         or make this one writable",
        dir.display()
    )]
    DataDir { dir: PathBuf, error: std::io::Error },
    #[error("index holds {found} documents, expected {expected}")]
    Count { found: usize, expected: usize },
    /// Files whose checksum does not match (garbled in place), or the marker a failed
    /// read left ([`super::damage::MARKER`]).
    #[error("index damaged: {0}")]
    Damaged(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Tantivy(#[from] tantivy::TantivyError),
}

/// Bumped whenever the schema or the analyzer changes, so old indexes are rebuilt.
pub const FORMAT_VERSION: u32 = 3;
const TOKENIZER: &str = "archie_en";

/// Lowercase, ASCII-folded, English-stemmed words; Korean words without their particles
/// and with their character bigrams ([`super::hangul`]). The same analyzer serves
/// indexing, queries and excerpt highlighting, so they always agree on what a "word" is.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(super::hangul::KoreanAwareTokenizer)
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// The indexed form of an analyzed term in `scope` (as is for the shared knowledge).
fn scoped_term(scope: &str, term: &str) -> String {
    if scope.is_empty() {
        term.to_string()
    } else {
        format!("{scope}:{term}")
    }
}

/// `text` analyzed, each term in its `scope`'s form.
fn scoped_tokens(a: &mut TextAnalyzer, scope: &str, text: &str) -> PreTokenizedString {
    let mut tokens = Vec::new();
    let mut ts = a.token_stream(text);
    while ts.advance() {
        let mut t = ts.token().clone();
        t.text = scoped_term(scope, &t.text);
        tokens.push(t);
    }
    PreTokenizedString {
        text: text.to_string(),
        tokens,
    }
}

/// Analyzed terms of `text`, in order.
pub fn terms(a: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut ts = a.token_stream(text);
    let mut out = Vec::new();
    while ts.advance() {
        out.push(ts.token().text.clone());
    }
    out
}

/// The handles of the index schema's fields.
#[derive(Clone, Copy, Debug)]
pub struct SchemaFields {
    pub title: Field,
    pub question: Field,
    pub body: Field,
    pub company: Field,
    pub tech: Field,
    pub kind: Field,
    pub scope: Field,
    /// `guild/id`: the handle a live update deletes a document by.
    pub key: Field,
    pub ord: Field,
}

/// The text a field of one entry is indexed with.
pub struct DocText<'a> {
    pub entry: &'a Entry,
    /// Company display name plus its aliases.
    pub company: String,
    /// Canonical technology names plus their aliases.
    pub tech: String,
    /// `""` for the shared knowledge, a guild id for a server's own entries.
    pub scope: &'a str,
    pub key: String,
}

/// The text indexed for an entry's company and technologies: names plus aliases.
pub(crate) fn doc_texts(k: &Knowledge) -> Vec<DocText<'_>> {
    k.entries.iter().map(|e| doc_text(k, e, "")).collect()
}

/// The text indexed for one entry: its company and technologies with all their names.
pub(crate) fn doc_text<'a>(k: &Knowledge, e: &'a Entry, scope: &'a str) -> DocText<'a> {
    let company = match e.company.as_deref() {
        Some(c) => match k.companies.get(c) {
            Some(c) => format!("{} {}", c.name, c.aliases.join(" ")),
            None => c.to_string(),
        },
        None => String::new(),
    };
    let mut tech = String::new();
    for t in &e.technologies {
        if let Some(te) = k.techs.get(t) {
            tech.push_str(&format!("{} {} ", te.name, te.aliases.join(" ")));
        }
    }
    DocText {
        entry: e,
        company,
        tech,
        scope,
        key: format!("/{}", e.id),
    }
}

fn schema() -> (Schema, SchemaFields) {
    let (sb, fields) = schema_builder();
    (sb.build(), fields)
}

/// The fields every index has; the community index adds stored fields of its own.
pub(crate) fn schema_builder() -> (tantivy::schema::SchemaBuilder, SchemaFields) {
    let mut sb = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = SchemaFields {
        title: sb.add_text_field("title", text.clone()),
        question: sb.add_text_field("question", text.clone()),
        body: sb.add_text_field("body", text.clone()),
        company: sb.add_text_field("company", text.clone()),
        tech: sb.add_text_field("tech", text),
        kind: sb.add_text_field("kind", STRING),
        scope: sb.add_text_field("scope", STRING),
        key: sb.add_text_field("key", STRING),
        ord: sb.add_u64_field("ord", FAST | STORED),
    };
    (sb, fields)
}

/// The persisted index plus one reader for the process.
pub struct SearchIndex {
    pub index: Index,
    pub reader: IndexReader,
    pub fields: SchemaFields,
    pub dir: Option<PathBuf>,
}

/// A fingerprint of everything indexed: any change to an entry changes it.
pub fn fingerprint(docs: &[DocText]) -> String {
    let mut h = Sha256::new();
    h.update(FORMAT_VERSION.to_le_bytes());
    for d in docs {
        // Entries serialize deterministically; the extra fields are derived but included
        // so an alias change also rebuilds.
        h.update(serde_json::to_vec(d.entry).unwrap_or_default());
        h.update(d.company.as_bytes());
        h.update(d.tech.as_bytes());
        h.update(d.scope.as_bytes());
        h.update([0u8]);
    }
    hex::encode(&h.finalize()[..12])
}

impl SearchIndex {
    fn register(index: &Index) {
        index.tokenizers().register(TOKENIZER, analyzer());
    }

    /// An opened `index` of these `fields` with a manually reloaded reader.
    pub(crate) fn with_reader(
        index: Index,
        fields: SchemaFields,
        dir: Option<PathBuf>,
    ) -> tantivy::Result<Self> {
        Self::register(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            index,
            reader,
            fields,
            dir,
        })
    }

    /// An index held in memory (tests, benchmarks).
    pub fn in_memory(docs: &[DocText]) -> tantivy::Result<Self> {
        let (schema, fields) = schema();
        let index = Index::create_in_ram(schema);
        let si = Self::with_reader(index, fields, None)?;
        si.write_all(docs)?;
        Ok(si)
    }

    /// Opens the index for `docs` under `data_dir`, building it first when it is missing,
    /// from another format version or content, unreadable or damaged. Returns whether it
    /// was built. A data folder that cannot be written is refused first
    /// ([`check_data_dir`]): opening an index writes a lock file, and its failure is no
    /// reason to rebuild.
    pub fn open_or_build(data_dir: &Path, docs: &[DocText]) -> Result<(Self, bool), IndexError> {
        check_data_dir(data_dir)?;
        let dir = data_dir.join(folder_name(docs));
        if dir.join("meta.json").is_file() {
            match Self::open(&dir, docs.len()) {
                Ok(si) => return Ok((si, false)),
                Err(e @ IndexError::Damaged(_)) => tracing::warn!(
                    error = %e,
                    dir = %dir.display(),
                    "index damaged, rebuilding it from the knowledge"
                ),
                Err(e) => {
                    tracing::warn!(error = %e, dir = %dir.display(), "index unreadable, rebuilding")
                }
            }
        }
        Ok((Self::build(data_dir, docs, false)?, true))
    }

    /// Builds the index for `docs` under `data_dir` anew, replacing the one there even
    /// when it opens (a read of it failed). Stored vectors beside it are kept.
    pub fn rebuild(data_dir: &Path, docs: &[DocText]) -> Result<Self, IndexError> {
        Self::build(data_dir, docs, true)
    }

    /// Builds the index in a private folder and renames it into place; `replace`: even
    /// over an index there that opens.
    fn build(data_dir: &Path, docs: &[DocText], replace: bool) -> Result<Self, IndexError> {
        let name = folder_name(docs);
        let dir = data_dir.join(&name);
        std::fs::create_dir_all(data_dir).map_err(|error| IndexError::DataDir {
            dir: data_dir.to_path_buf(),
            error,
        })?;
        // Build in a private folder, then rename into place: concurrent processes never see
        // a half-built index, and the loser of a race simply uses the winner's.
        let tmp = data_dir.join(format!(".{name}.tmp-{}-{}", std::process::id(), nanos()));
        std::fs::create_dir_all(&tmp)?;
        let (schema, fields) = schema();
        let index = Index::create_in_dir(&tmp, schema)?;
        let si = Self::with_reader(index, fields, None)?;
        si.write_all(docs)?;
        drop(si);
        if std::fs::rename(&tmp, &dir).is_err() {
            // Something is in the way: another process's finished index (keep it) or a
            // broken one (replace it with ours, keeping the vectors stored beside it:
            // they are checked on their own when read).
            if !replace && Self::open(&dir, docs.len()).is_ok() {
                let _ = std::fs::remove_dir_all(&tmp);
            } else {
                carry_over(&dir, &tmp);
                let _ = std::fs::remove_dir_all(&dir);
                if std::fs::rename(&tmp, &dir).is_err() {
                    let _ = std::fs::remove_dir_all(&tmp);
                }
            }
        }
        if !dir.join("meta.json").is_file() {
            // Last resort (read-only races): rebuild in place.
            return Self::rebuild_in_place(&dir, docs);
        }
        remove_stale(data_dir, &name);
        Self::open(&dir, docs.len())
    }

    fn rebuild_in_place(dir: &Path, docs: &[DocText]) -> Result<Self, IndexError> {
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir)?;
        let (schema, fields) = schema();
        let index = Index::create_in_dir(dir, schema)?;
        let si = Self::with_reader(index, fields, Some(dir.to_path_buf()))?;
        si.write_all(docs)?;
        Ok(si)
    }

    fn open(dir: &Path, expected_docs: usize) -> Result<Self, IndexError> {
        if let Some(why) = super::damage::marked(dir) {
            return Err(IndexError::Damaged(format!(
                "a read failed earlier: {}",
                why.trim()
            )));
        }
        let index = Index::open_in_dir(dir)?;
        verify(&index)?;
        let (_, fields) = schema();
        let si = Self::with_reader(index, fields, Some(dir.to_path_buf()))?;
        let n = si.reader.searcher().num_docs() as usize;
        if n != expected_docs {
            return Err(IndexError::Count {
                found: n,
                expected: expected_docs,
            });
        }
        Ok(si)
    }

    fn write_all(&self, docs: &[DocText]) -> tantivy::Result<()> {
        let mut w: IndexWriter = self.index.writer_with_num_threads(1, 20_000_000)?;
        for (i, d) in docs.iter().enumerate() {
            w.add_document(self.document(i as u64, d))?;
        }
        w.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// The document of one entry. A scoped entry's (a server's own) text terms are indexed
    /// as `scope:term`, so a search in that server reads only its own postings, however
    /// many other servers share the index.
    pub fn document(&self, ord: u64, d: &DocText) -> TantivyDocument {
        let f = &self.fields;
        let e = d.entry;
        let question = match &e.detail {
            archie_knowledge::Detail::Qa { question, .. } => question.as_str(),
            _ => "",
        };
        let texts = [
            (f.title, e.title.as_str()),
            (f.question, question),
            (f.body, e.text.as_str()),
            (f.company, d.company.as_str()),
            (f.tech, d.tech.as_str()),
        ];
        let mut doc = doc!(
            f.kind => e.kind.as_str(),
            f.scope => d.scope,
            f.key => d.key.as_str(),
            f.ord => ord,
        );
        if d.scope.is_empty() {
            for (field, text) in texts {
                doc.add_text(field, text);
            }
        } else {
            let mut a = analyzer();
            for (field, text) in texts {
                doc.add_pre_tokenized_text(field, scoped_tokens(&mut a, d.scope, text));
            }
        }
        doc
    }

    /// Fielded BM25 over analyzed query terms: returns `(ord, score)` best first, among the
    /// shared knowledge's documents (`scope` empty) or one server's own (its id).
    pub fn bm25(
        &self,
        terms: &[String],
        scope: &str,
        limit: usize,
    ) -> tantivy::Result<Vec<(u64, f32)>> {
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let f = self.fields;
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for t in terms {
            let t = scoped_term(scope, t);
            // The question field repeats a Q&A's title, so the title clause covers it.
            for (field, boost) in [
                (f.title, 2.0),
                (f.body, 1.0),
                (f.company, 1.5),
                (f.tech, 1.5),
            ] {
                let q = TermQuery::new(
                    Term::from_field_text(field, &t),
                    IndexRecordOption::WithFreqs,
                );
                should.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), boost))));
            }
        }
        let q = BooleanQuery::new(should);
        let searcher = self.reader.searcher();
        let top = searcher.search(&q, &TopDocs::with_limit(limit).order_by_score())?;
        let mut out = Vec::with_capacity(top.len());
        let mut columns: Vec<Option<tantivy::columnar::Column<u64>>> = Vec::new();
        for seg in searcher.segment_readers() {
            columns.push(seg.fast_fields().u64("ord").ok());
        }
        for (score, addr) in top {
            if let Some(Some(col)) = columns.get(addr.segment_ord as usize) {
                if let Some(ord) = col.first(addr.doc_id) {
                    out.push((ord, score));
                }
            }
        }
        Ok(out)
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }
}

/// The folder of the index for `docs`: its format version and content fingerprint.
fn folder_name(docs: &[DocText]) -> String {
    format!("index-v{FORMAT_VERSION}-{}", fingerprint(docs))
}

/// Checks every file of the index's segments against its checksum (tantivy's CRC-32
/// footer): garbled bytes fail here, at open, instead of at the first query.
pub(crate) fn verify(index: &Index) -> Result<(), IndexError> {
    let t = std::time::Instant::now();
    let bad = index.validate_checksum()?;
    tracing::debug!(
        us = t.elapsed().as_micros() as u64,
        "index checksums verified"
    );
    if bad.is_empty() {
        return Ok(());
    }
    let mut files: Vec<String> = bad.iter().map(|p| p.display().to_string()).collect();
    files.sort();
    Err(IndexError::Damaged(format!(
        "checksum mismatch in {}",
        files.join(", ")
    )))
}

/// Moves what is stored beside the index (vectors, concept vectors) from `old` to `new`.
fn carry_over(old: &Path, new: &Path) {
    for e in std::fs::read_dir(old).into_iter().flatten().flatten() {
        let n = e.file_name();
        let name = n.to_string_lossy();
        if name.starts_with("vectors-") || name.starts_with("concepts-") {
            let _ = std::fs::rename(e.path(), new.join(&n));
        }
    }
}

/// Checks that Archie can write in `data_dir`, so a read-only or unusable data folder stops
/// the start with [`IndexError::DataDir`] (naming `ARCHIE_DATA_DIR`) before anything is
/// opened, rebuilt or stored there. Leaves nothing behind: a file is created and removed in
/// the folder, or, while it does not exist yet, in the nearest folder above it, where it
/// will be created.
pub fn check_data_dir(data_dir: &Path) -> Result<(), IndexError> {
    let refused = |error| IndexError::DataDir {
        dir: data_dir.to_path_buf(),
        error,
    };
    let mut folder = data_dir;
    while !folder.exists() {
        match folder.parent() {
            Some(p) if !p.as_os_str().is_empty() => folder = p,
            _ => {
                folder = Path::new(".");
                break;
            }
        }
    }
    if !folder.is_dir() {
        let shown = folder.display();
        return Err(refused(std::io::Error::other(format!(
            "{shown} is a file, not a folder"
        ))));
    }
    let probe = folder.join(format!(
        ".archie-write-check-{}-{}",
        std::process::id(),
        nanos()
    ));
    std::fs::File::create_new(&probe).map_err(refused)?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

fn nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// Removes indexes of older contents or formats (best effort; one may be in use elsewhere).
fn remove_stale(data_dir: &Path, keep: &str) {
    let Ok(rd) = std::fs::read_dir(data_dir) else {
        return;
    };
    for e in rd.flatten() {
        let n = e.file_name().to_string_lossy().to_string();
        if n != keep && n.starts_with("index-v") {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}
