//! The semantic side of the index: one unit vector per entry, and one per sentence of each
//! passage (articles, Q&A answers, notes), computed when the index is built and stored in
//! the index folder beside tantivy's files, under the same content fingerprint. A restart
//! reads them back (a few MB) instead of running the encoder over the whole knowledge.
//! The file leads with a CRC-32 of what follows, so a file garbled in place is found
//! when it is read, and recomputed, instead of serving wrong neighbours.

use super::semantic::{Encoder, SemanticError, DIM};
use archie_knowledge::{Detail, Entry, Kind, Topics};
use std::io::Write;
use std::path::Path;

const MAGIC: &[u8; 8] = b"ARCHVEC1";
/// A vectors file: this, the CRC-32 of the rest, then [`Vectors::to_bytes`].
const FILE_MAGIC: &[u8; 8] = b"ARCHSUM1";
/// Bumped when what a vector is computed from changes (entry texts, sentence splitting),
/// so stored vectors of the old kind are recomputed.
pub const LAYOUT: u32 = 3;

/// Why a vectors file was not used (its vectors are recomputed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unusable {
    Missing,
    /// Garbled or unreadable: worth a warning.
    Damaged(String),
    /// Sound, but not for these entries (or of an older format).
    Other(&'static str),
}

/// Vectors for a list of entries, by entry ordinal.
#[derive(Debug, Default, Clone)]
pub struct Vectors {
    /// `DIM` floats per entry.
    entries: Vec<f32>,
    /// For entry `i`, its sentence vectors are rows `starts[i]..starts[i + 1]` of `sentences`.
    starts: Vec<u32>,
    sentences: Vec<f32>,
}

/// The text an entry's vector is computed from: what a person would read as its gist,
/// followed by a plain description of each concept its title names (`topics.toml`), so
/// that "Event Sourcing" is near "keep every change as a log of events".
pub fn entry_text(e: &Entry, topics: &Topics) -> String {
    let company = e.company.as_deref().unwrap_or("");
    let mut text = match &e.detail {
        Detail::Stack { .. } => {
            format!("{company} technology stack: {}", e.technologies.join(", "))
        }
        Detail::Qa { question, answer } => format!("{question} {answer}"),
        _ => format!("{}. {}", e.title, e.text),
    };
    for c in topics.concepts_of(e) {
        text.push(' ');
        text.push_str(&c.about);
    }
    text
}

/// Whether an entry's text is a passage whose sentences get their own vectors.
pub fn has_sentences(e: &Entry) -> bool {
    matches!(e.kind, Kind::Article | Kind::Qa | Kind::Note)
}

/// The sentences of a passage entry, as the excerpt cutter splits them.
pub fn sentence_texts(e: &Entry) -> Vec<&str> {
    if !has_sentences(e) {
        return Vec::new();
    }
    super::excerpt::sentences(&e.text)
        .into_iter()
        .filter_map(|r| e.text.get(r))
        .collect()
}

impl Vectors {
    /// Runs the encoder over every entry and every passage sentence.
    pub fn compute(
        encoder: &Encoder,
        entries: &[Entry],
        topics: &Topics,
    ) -> Result<Vectors, SemanticError> {
        let texts: Vec<String> = entries.iter().map(|e| entry_text(e, topics)).collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let mut v = Vectors::default();
        for row in encoder.encode_documents(&refs)? {
            v.entries.extend(row);
        }
        let mut all: Vec<&str> = Vec::new();
        v.starts.push(0);
        for e in entries {
            all.extend(sentence_texts(e));
            v.starts.push(all.len() as u32);
        }
        for row in encoder.encode_documents(&all)? {
            v.sentences.extend(row);
        }
        Ok(v)
    }

    pub fn len(&self) -> usize {
        self.entries.len() / DIM
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The vector of entry `i`.
    pub fn entry(&self, i: usize) -> Option<&[f32]> {
        self.entries.get(i * DIM..(i + 1) * DIM)
    }

    /// The sentence vectors of entry `i`, in sentence order.
    pub fn sentences(&self, i: usize) -> impl Iterator<Item = &[f32]> {
        let (a, b) = match (self.starts.get(i), self.starts.get(i + 1)) {
            (Some(&a), Some(&b)) => (a as usize, b as usize),
            _ => (0, 0),
        };
        self.sentences
            .get(a * DIM..b * DIM)
            .unwrap_or(&[])
            .chunks_exact(DIM)
    }

    /// The vectors in the file format of [`Vectors::save`].
    pub fn to_bytes(&self) -> Vec<u8> {
        let floats = self.entries.len() + self.sentences.len();
        let mut b = Vec::with_capacity(MAGIC.len() + 16 + 4 * (floats + self.starts.len()));
        b.extend_from_slice(MAGIC);
        for n in [
            DIM,
            self.len(),
            self.starts.len(),
            self.sentences.len() / DIM,
        ] {
            b.extend_from_slice(&(n as u32).to_le_bytes());
        }
        for x in &self.entries {
            b.extend_from_slice(&x.to_le_bytes());
        }
        for s in &self.starts {
            b.extend_from_slice(&s.to_le_bytes());
        }
        for x in &self.sentences {
            b.extend_from_slice(&x.to_le_bytes());
        }
        b
    }

    /// Writes the vectors to `path` atomically (a private file renamed into place),
    /// behind their checksum.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
        {
            let body = self.to_bytes();
            let mut f = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
            f.write_all(FILE_MAGIC)?;
            f.write_all(&crc32fast::hash(&body).to_le_bytes())?;
            f.write_all(&body)?;
            f.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        }
        std::fs::rename(&tmp, path)
    }

    /// Reads vectors written by [`Vectors::save`] for `n` entries; `None` when the file is
    /// missing, damaged, from another layout, or for other entries (then they are
    /// recomputed).
    pub fn load(path: &Path, n: usize) -> Option<Vectors> {
        Vectors::read(path, n).ok()
    }

    /// Like [`Vectors::load`], saying why the file cannot be used.
    pub fn read(path: &Path, n: usize) -> Result<Vectors, Unusable> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Unusable::Missing),
            Err(e) => return Err(Unusable::Damaged(e.to_string())),
        };
        let Some(rest) = bytes.strip_prefix(FILE_MAGIC.as_slice()) else {
            return Err(if bytes.starts_with(MAGIC) {
                Unusable::Other("in an older format, without a checksum")
            } else {
                Unusable::Damaged("not a vectors file (its header is garbled)".into())
            });
        };
        let (sum, body) = rest.split_at_checked(4).unwrap_or((&[], rest));
        let stored = <[u8; 4]>::try_from(sum).ok().map(u32::from_le_bytes);
        if stored != Some(crc32fast::hash(body)) {
            return Err(Unusable::Damaged("checksum mismatch".into()));
        }
        Vectors::from_bytes(body, n).ok_or(Unusable::Other("for other entries or another layout"))
    }

    /// Reads vectors of `n` entries from [`Vectors::to_bytes`]; `None` when the bytes are of
    /// another layout or for another number of entries.
    pub fn from_bytes(bytes: &[u8], n: usize) -> Option<Vectors> {
        let rest = bytes.strip_prefix(MAGIC.as_slice())?;
        let word = |i: usize| -> Option<u32> {
            let b = rest.get(i * 4..i * 4 + 4)?;
            Some(u32::from_le_bytes(b.try_into().ok()?))
        };
        let (dim, ne, ns, nsent) = (word(0)?, word(1)?, word(2)?, word(3)?);
        if dim as usize != DIM || ne as usize != n || ns as usize != n + 1 {
            return None;
        }
        let floats = |from: usize, count: usize| -> Option<Vec<f32>> {
            let b = rest.get(from..from.checked_add(count.checked_mul(4)?)?)?;
            Some(
                b.chunks_exact(4)
                    .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                    .collect(),
            )
        };
        let mut at = 16;
        let entries = floats(at, n * DIM)?;
        at += n * DIM * 4;
        let starts: Vec<u32> = rest
            .get(at..at + (n + 1) * 4)?
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        at += (n + 1) * 4;
        let sentences = floats(at, nsent as usize * DIM)?;
        if at + sentences.len() * 4 != rest.len()
            || starts.last().copied() != Some(nsent)
            || starts.windows(2).any(|w| w[0] > w[1])
        {
            return None;
        }
        Some(Vectors {
            entries,
            starts,
            sentences,
        })
    }

    /// Vectors for one entry (a community entry written by a moderator).
    pub fn for_entry(
        encoder: &Encoder,
        e: &Entry,
        topics: &Topics,
    ) -> Result<Vectors, SemanticError> {
        Vectors::compute(encoder, std::slice::from_ref(e), topics)
    }
}

/// The vectors stored at `path` for `n` entries; `None` (logged unless the file is
/// simply missing, `what` naming them) when they must be recomputed.
pub(crate) fn read_or_say_why(path: &Path, n: usize, what: &str) -> Option<Vectors> {
    let t = std::time::Instant::now();
    match Vectors::read(path, n) {
        Ok(v) => {
            tracing::debug!(
                us = t.elapsed().as_micros() as u64,
                path = %path.display(),
                "{what} read and their checksum verified"
            );
            Some(v)
        }
        Err(Unusable::Missing) => None,
        Err(Unusable::Damaged(why)) => {
            tracing::warn!(path = %path.display(), damage = %why, "{what} damaged: recomputing them");
            None
        }
        Err(Unusable::Other(why)) => {
            tracing::info!(path = %path.display(), "{what} stored {why}: recomputing them");
            None
        }
    }
}

/// Removes the files of the same kind as `keep` (`vectors-…` or `concepts-…`) beside it:
/// vectors of another model, precision, layout or knowledge (best effort).
pub(crate) fn remove_others(keep: &Path) {
    let (Some(dir), Some(name)) = (keep.parent(), keep.file_name()) else {
        return;
    };
    let name = name.to_string_lossy();
    let Some((kind, _)) = name.split_once('-') else {
        return;
    };
    let prefix = format!("{kind}-");
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let n = e.file_name();
        let n = n.to_string_lossy();
        if n != name && n.starts_with(&prefix) && n.ends_with(".bin") {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Vectors of two entries (three sentences), saved in a temporary folder.
    fn saved() -> (Vectors, tempfile::TempDir, std::path::PathBuf) {
        let v = Vectors {
            entries: (0..2 * DIM).map(|i| i as f32 / 7.0).collect(),
            starts: vec![0, 1, 3],
            sentences: (0..3 * DIM).map(|i| -(i as f32)).collect(),
        };
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("vectors.bin");
        v.save(&p).unwrap();
        (v, dir, p)
    }

    #[test]
    fn vectors_round_trip_through_their_file_and_refuse_other_shapes() {
        let (v, _dir, p) = saved();
        let back = Vectors::load(&p, 2).unwrap();
        assert_eq!(back.entries, v.entries);
        assert_eq!(back.sentences(1).count(), 2);
        assert_eq!(back.sentences(0).next().unwrap()[1], -1.0);
        assert!(Vectors::load(&p, 3).is_none(), "other entries: recompute");
        std::fs::write(&p, &std::fs::read(&p).unwrap()[..100]).unwrap();
        assert!(Vectors::load(&p, 2).is_none(), "truncated file: recompute");
    }

    #[test]
    fn a_vectors_file_garbled_in_place_is_found_damaged() {
        let (_, dir, p) = saved();
        let good = std::fs::read(&p).unwrap();
        // Floats garbled in the middle still parse: only the checksum tells.
        let mut bad = good.clone();
        let mid = bad.len() / 2;
        bad[mid..mid + 16].copy_from_slice(&[0x42; 16]);
        assert!(
            Vectors::from_bytes(&bad[12..], 2).is_some(),
            "the shape is intact"
        );
        std::fs::write(&p, &bad).unwrap();
        assert_eq!(
            Vectors::read(&p, 2).unwrap_err(),
            Unusable::Damaged("checksum mismatch".into())
        );
        std::fs::write(&p, &good[12..]).unwrap();
        assert!(
            matches!(Vectors::read(&p, 2), Err(Unusable::Other(_))),
            "old format"
        );
        assert_eq!(
            Vectors::read(&dir.path().join("none.bin"), 2).unwrap_err(),
            Unusable::Missing
        );
    }
}
