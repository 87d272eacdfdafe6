//! The community index on disk (or in RAM): one tantivy document per shown row of every
//! guild, with the row and its vectors stored, and a commit payload saying which store,
//! up to which revision, and for which knowledge and layout it was built.

use super::stored::StoredRow;
use super::view::{GuildView, Own};
use super::{Change, Row, COMMUNITY_ORD};
use crate::index::{doc_text, schema_builder, DocText, IndexError, SchemaFields, SearchIndex};
use crate::vectors::Vectors;
use crate::SearchError;
use archie_knowledge::Knowledge;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tantivy::collector::DocSetCollector;
use tantivy::directory::error::LockError;
use tantivy::directory::{Directory, MmapDirectory, INDEX_WRITER_LOCK};
use tantivy::query::TermQuery;
use tantivy::schema::{Field, IndexRecordOption, Schema, Value, STORED};
use tantivy::{
    doc, Index, IndexSettings, IndexWriter, Searcher, TantivyDocument, TantivyError, Term,
};

/// Bumped whenever what a community document holds changes: older folders are rebuilt.
pub const LAYOUT: u32 = 4;
/// Folders tried under `community/` before giving up (one per process sharing the data dir).
const MAX_FOLDERS: usize = 64;
/// The writer's memory: tantivy's minimum for one thread.
const WRITER_BUDGET: usize = 15_000_000;

/// What a commit records about the index.
#[derive(Serialize, Deserialize, Debug)]
struct Payload {
    instance: String,
    watermark: i64,
    fingerprint: String,
}

/// An opened community index and its one writer (which holds the folder's lock).
pub(super) struct Opened {
    pub index: SearchIndex,
    row: Field,
    vecs: Field,
    writer: Mutex<IndexWriter>,
    watermark: AtomicI64,
    instance: String,
    fingerprint: String,
    /// Why the index had to be built from the store, if it was.
    pub rebuilt: Option<String>,
    /// Whether that was because it was damaged.
    pub damaged: bool,
    pub folder: Option<PathBuf>,
}

fn schema() -> (Schema, SchemaFields, Field, Field) {
    let (mut sb, f) = schema_builder();
    let row = sb.add_bytes_field("row", STORED);
    let vecs = sb.add_bytes_field("vectors", STORED);
    (sb.build(), f, row, vecs)
}

fn key(guild: u64, id: &str) -> String {
    format!("{guild}/{id}")
}

impl Opened {
    fn new(
        index: Index,
        dir: Option<PathBuf>,
        instance: &str,
        fingerprint: &str,
        watermark: i64,
        rebuilt: Option<Why>,
    ) -> Result<Opened, TantivyError> {
        let (_, fields, row, vecs) = schema();
        let writer = index.writer_with_num_threads(1, WRITER_BUDGET)?;
        Ok(Opened {
            index: SearchIndex::with_reader(index, fields, dir.clone())?,
            row,
            vecs,
            writer: Mutex::new(writer),
            watermark: AtomicI64::new(watermark),
            instance: instance.to_string(),
            fingerprint: fingerprint.to_string(),
            damaged: rebuilt.as_ref().is_some_and(|w| w.damaged),
            rebuilt: rebuilt.map(|w| w.text),
            folder: dir,
        })
    }

    /// An empty index in memory, to be filled from the store (when there is one).
    pub fn in_memory(fingerprint: &str, why: Option<&str>) -> Result<Opened, SearchError> {
        let index = Index::create_in_ram(schema().0);
        Ok(Opened::new(
            index,
            None,
            "",
            fingerprint,
            0,
            why.map(Why::new),
        )?)
    }

    /// Opens the first folder `base/N` no other process writes: its index when it was
    /// built from this store (`instance`, not past its `last` revision) for this
    /// `fingerprint` and is intact, else an emptied one marked for a rebuild (always
    /// when `damaged` says why the one in use was found damaged).
    pub fn on_disk(
        base: &Path,
        instance: &str,
        last: i64,
        fingerprint: &str,
        damaged: Option<&str>,
    ) -> Result<Opened, SearchError> {
        let io = |error| IndexError::DataDir {
            dir: base.to_path_buf(),
            error,
        };
        for n in 0..MAX_FOLDERS {
            let path = base.join(n.to_string());
            std::fs::create_dir_all(&path).map_err(io)?;
            let dir = MmapDirectory::open(&path).map_err(TantivyError::from)?;
            let guard = match dir.acquire_lock(&INDEX_WRITER_LOCK) {
                Ok(g) => g,
                Err(LockError::LockBusy) => continue,
                Err(e) => return Err(TantivyError::from(e).into()),
            };
            let checked = match damaged {
                Some(why) => Err(Why::damage(why)),
                None => check(&dir, &path, instance, last, fingerprint),
            };
            let (index, watermark, rebuilt) = match checked {
                Ok((index, w)) => (index, w, None),
                Err(why) => {
                    wipe(&path).map_err(io)?;
                    let index = Index::create(dir, schema().0, IndexSettings::default())?;
                    (index, 0, Some(why))
                }
            };
            drop(guard);
            match Opened::new(index, Some(path), instance, fingerprint, watermark, rebuilt) {
                Err(TantivyError::LockFailure(LockError::LockBusy, _)) => continue,
                r => return Ok(r?),
            }
        }
        Err(SearchError::Community(
            format!(
                "every community index folder under {} is in use",
                base.display()
            )
            .into(),
        ))
    }

    pub fn watermark(&self) -> i64 {
        self.watermark.load(Ordering::SeqCst)
    }

    pub fn writer(&self) -> MutexGuard<'_, IndexWriter> {
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Removes every document (before a rebuild into the same folder).
    pub fn clear(&self, w: &mut IndexWriter) -> Result<(), SearchError> {
        w.delete_all_documents()?;
        Ok(())
    }

    /// Replaces the document of the row's `(guild, id)` by what the row shows (nothing
    /// when gone).
    pub fn put(
        &self,
        w: &mut IndexWriter,
        k: &Knowledge,
        row: &Row,
        vectors: Option<&Vectors>,
    ) -> Result<(), SearchError> {
        let (guild, id) = (row.guild, row.id.as_str());
        let f = self.index.fields;
        let key = key(guild, id);
        w.delete_term(Term::from_field_text(f.key, &key));
        let ord = COMMUNITY_ORD + u64::try_from(row.revision).unwrap_or(0);
        let scope = guild.to_string();
        let (mut doc, stored) = match &row.change {
            Change::Live(e) => {
                let d = DocText {
                    scope: &scope,
                    key,
                    ..doc_text(k, e, "")
                };
                (self.index.document(ord, &d), StoredRow::Live(e.clone()))
            }
            Change::Hidden => (
                doc!(f.scope => scope.as_str(), f.key => key.as_str(), f.ord => ord),
                StoredRow::Hidden(id.to_string()),
            ),
            Change::Gone | Change::Base => return Ok(()),
        };
        let bytes = serde_json::to_vec(&stored).map_err(|e| SearchError::Community(e.into()))?;
        doc.add_bytes(self.row, &bytes);
        if let Some(v) = vectors {
            doc.add_bytes(self.vecs, &v.to_bytes());
        }
        w.add_document(doc)?;
        Ok(())
    }

    /// Commits what was put, recording `watermark` (or the current one), and makes it
    /// visible to searches.
    pub fn commit(&self, w: &mut IndexWriter, watermark: Option<i64>) -> Result<(), SearchError> {
        let watermark = watermark.unwrap_or_else(|| self.watermark());
        let payload = serde_json::to_string(&Payload {
            instance: self.instance.clone(),
            watermark,
            fingerprint: self.fingerprint.clone(),
        })
        .map_err(|e| SearchError::Community(e.into()))?;
        let mut pc = w.prepare_commit()?;
        pc.set_payload(&payload);
        pc.commit()?;
        self.watermark.store(watermark, Ordering::SeqCst);
        self.index.reader.reload()?;
        Ok(())
    }

    /// The guild's view as `searcher` sees the index.
    pub fn load(
        &self,
        base_ids: &HashMap<String, usize>,
        searcher: &Searcher,
        guild: u64,
    ) -> Result<GuildView, SearchError> {
        let f = self.index.fields;
        let q = TermQuery::new(
            Term::from_field_text(f.scope, &guild.to_string()),
            IndexRecordOption::Basic,
        );
        let mut addrs: Vec<_> = searcher.search(&q, &DocSetCollector)?.into_iter().collect();
        addrs.sort();
        let mut own = Vec::with_capacity(addrs.len());
        let mut hidden = Vec::new();
        for a in addrs {
            let doc: TantivyDocument = searcher.doc(a)?;
            let ord = doc.get_first(f.ord).and_then(|v| v.as_u64()).unwrap_or(0);
            let row = doc.get_first(self.row).and_then(|v| v.as_bytes());
            let row: Option<StoredRow> = row.and_then(|b| serde_json::from_slice(b).ok());
            match row {
                // Every document holds a row this layout wrote: one that does not read is
                // garbled (a damaged index), not a row to skip.
                None => {
                    return Err(SearchError::Unreadable(format!(
                        "the stored row of document {ord} in guild {guild} does not read back"
                    )))
                }
                Some(StoredRow::Live(entry)) => {
                    let vectors = doc
                        .get_first(self.vecs)
                        .and_then(|v| v.as_bytes())
                        .and_then(|b| Vectors::from_bytes(b, 1));
                    own.push(Arc::new(Own::new(ord, *entry, vectors)));
                }
                Some(StoredRow::Hidden(id)) => hidden.push(id),
            }
        }
        Ok(GuildView::from_parts(guild, base_ids, own, hidden))
    }
}

/// Why an index folder is rebuilt rather than caught up.
pub(super) struct Why {
    pub text: String,
    /// Its files are damaged (not merely stale or of another store).
    pub damaged: bool,
}

impl Why {
    fn new(text: impl Into<String>) -> Why {
        Why {
            text: text.into(),
            damaged: false,
        }
    }

    fn damage(text: impl Into<String>) -> Why {
        Why {
            text: text.into(),
            damaged: true,
        }
    }
}

/// The index in `dir` with its watermark, if it may be caught up rather than rebuilt;
/// otherwise why not.
fn check(
    dir: &MmapDirectory,
    path: &Path,
    instance: &str,
    last: i64,
    fingerprint: &str,
) -> Result<(Index, i64), Why> {
    if !dir.exists(Path::new("meta.json")).unwrap_or(false) {
        return Err(Why::new("no community index yet"));
    }
    let index = Index::open(dir.clone()).map_err(|e| Why::new(format!("unreadable: {e}")))?;
    if index.schema() != schema().0 {
        return Err(Why::new("another layout"));
    }
    let metas = index
        .load_metas()
        .map_err(|e| Why::new(format!("unreadable: {e}")))?;
    let p: Payload = metas
        .payload
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok())
        .ok_or(Why::new("no readable commit payload"))?;
    if p.instance != instance {
        return Err(Why::new("built from another community store"));
    }
    if p.fingerprint != fingerprint {
        return Err(Why::new("built for other knowledge or another layout"));
    }
    if p.watermark > last {
        return Err(Why::new(format!(
            "ahead of the store (revision {} > {last}: a restored older backup?)",
            p.watermark
        )));
    }
    if let Some(why) = crate::damage::marked(path) {
        return Err(Why::damage(format!(
            "damaged: a read failed earlier: {}",
            why.trim()
        )));
    }
    // Garbled bytes fail their file's checksum here rather than a search later.
    crate::index::verify(&index).map_err(|e| Why::damage(e.to_string()))?;
    // Every segment must open, or searches would fail later.
    index
        .reader_builder()
        .reload_policy(tantivy::ReloadPolicy::Manual)
        .try_into()
        .map(|_: tantivy::IndexReader| ())
        .map_err(|e| Why::new(format!("unreadable segments: {e}")))?;
    Ok((index, p.watermark))
}

/// Empties a folder, keeping tantivy's lock files (another process may wait on them).
fn wipe(path: &Path) -> std::io::Result<()> {
    for e in std::fs::read_dir(path)?.flatten() {
        let name = e.file_name();
        if name.to_string_lossy().starts_with(".tantivy-") {
            continue;
        }
        let p = e.path();
        if p.is_dir() {
            std::fs::remove_dir_all(&p)?;
        } else {
            std::fs::remove_file(&p)?;
        }
    }
    Ok(())
}
