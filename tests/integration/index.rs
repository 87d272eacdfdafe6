//! The persisted index: built when missing or stale, reused otherwise, rebuilt when corrupt.

use archie::knowledge::Knowledge;
use archie::search::Engine;
use std::path::Path;

fn knowledge() -> Knowledge {
    Knowledge::load(&crate::support::shipped_dir()).unwrap()
}

fn index_dirs(data: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(data)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with("index-v"))
        .collect();
    v.sort();
    v
}

#[test]
fn the_index_is_built_once_then_opened_from_the_data_directory() {
    let data = tempfile::tempdir().unwrap();
    let first = Engine::new(knowledge(), Some(data.path())).unwrap();
    assert!(first.index_was_built());
    let answer = first.ask("what is gearman", 1).unwrap();
    drop(first);
    let second = Engine::new(knowledge(), Some(data.path())).unwrap();
    assert!(
        !second.index_was_built(),
        "an unchanged knowledge base reuses the index"
    );
    assert_eq!(
        second.ask("what is gearman", 1).unwrap().results[0].id,
        answer.results[0].id
    );
    assert_eq!(index_dirs(data.path()).len(), 1);
}

#[test]
fn a_change_in_the_knowledge_rebuilds_the_index_and_drops_the_old_one() {
    let data = tempfile::tempdir().unwrap();
    Engine::new(knowledge(), Some(data.path())).unwrap();
    let before = index_dirs(data.path());
    let mut k = knowledge();
    let e = k
        .entries
        .iter_mut()
        .find(|e| e.id == "tech-gearman")
        .unwrap();
    e.text.push_str(" Edited.");
    let engine = Engine::new(k, Some(data.path())).unwrap();
    assert!(engine.index_was_built());
    let after = index_dirs(data.path());
    assert_eq!(after.len(), 1);
    assert_ne!(before, after);
}

#[test]
fn a_corrupt_index_is_rebuilt_instead_of_failing() {
    let data = tempfile::tempdir().unwrap();
    Engine::new(knowledge(), Some(data.path())).unwrap();
    let dir = data.path().join(&index_dirs(data.path())[0]);
    std::fs::write(dir.join("meta.json"), b"{ not json").unwrap();
    let engine = Engine::new(knowledge(), Some(data.path())).unwrap();
    assert!(engine.index_was_built());
    assert!(!engine.ask("what is gearman", 1).unwrap().results.is_empty());
}
