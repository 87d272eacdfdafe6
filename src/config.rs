//! Where things live: the knowledge folder and the data directory, from flags or the
//! environment, with defaults that work on a fresh clone.

use std::path::PathBuf;

/// `--knowledge DIR`, else `ARCHIE_KNOWLEDGE_DIR`, else `./knowledge` when it exists,
/// else the `knowledge/` folder shipped beside this crate's sources.
pub fn knowledge_dir(flag: Option<PathBuf>) -> PathBuf {
    if let Some(p) = flag {
        return p;
    }
    if let Some(p) = std::env::var_os("ARCHIE_KNOWLEDGE_DIR").filter(|v| !v.is_empty()) {
        return PathBuf::from(p);
    }
    let local = PathBuf::from("knowledge");
    if local.join("technologies.toml").is_file() {
        return local;
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("knowledge")
}

/// `ARCHIE_DATA_DIR`, else `data/` beside the knowledge folder's parent (the project).
pub fn data_dir(knowledge: &std::path::Path) -> PathBuf {
    if let Some(p) = std::env::var_os("ARCHIE_DATA_DIR").filter(|v| !v.is_empty()) {
        return PathBuf::from(p);
    }
    let parent = knowledge
        .canonicalize()
        .ok()
        .and_then(|p| p.parent().map(|p| p.to_path_buf()))
        .unwrap_or_else(|| PathBuf::from("."));
    parent.join("data")
}
