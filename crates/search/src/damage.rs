//! Damaged index files. Opening an index verifies its checksums (tantivy's per-file
//! CRC-32, ours over the vectors); what goes wrong later surfaces as a failed read: an
//! error, or a panic inside tantivy on garbled bytes. [`guarded`] turns both into an
//! error, and [`Damage`] remembers that an index is damaged: it logs that once, with the
//! folder, leaves a marker in the folder so that the next start rebuilds it whatever its
//! checksums say, and tells search to answer from what is intact until the index is
//! rebuilt.

use super::SearchError;
use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The marker a damaged index folder holds until it is rebuilt (its text says why).
pub const MARKER: &str = "DAMAGED";

thread_local! {
    static GUARDED: Cell<u32> = const { Cell::new(0) };
}

/// Whether this thread is inside a [`guarded`] read: a panic there is a damaged file,
/// reported as such, not a bug (the binary's panic hook stays quiet).
pub fn in_guarded_read() -> bool {
    GUARDED.with(|g| g.get() > 0)
}

/// Runs a read of index files; a panic inside it becomes [`SearchError::Unreadable`].
pub(crate) fn guarded<T>(read: impl FnOnce() -> Result<T, SearchError>) -> Result<T, SearchError> {
    struct Depth;
    impl Drop for Depth {
        fn drop(&mut self) {
            GUARDED.with(|g| g.set(g.get().saturating_sub(1)));
        }
    }
    GUARDED.with(|g| g.set(g.get() + 1));
    let depth = Depth;
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(read));
    drop(depth);
    r.unwrap_or_else(|panic| {
        let msg = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".into());
        Err(SearchError::Unreadable(msg))
    })
}

/// Whether the marker of a failed read is in `dir`, and what it says.
pub fn marked(dir: &Path) -> Option<String> {
    std::fs::read_to_string(dir.join(MARKER)).ok()
}

/// Whether one index is known to be damaged, and why.
pub(crate) struct Damage {
    /// What the log calls the index ("index", "community index").
    what: &'static str,
    state: Mutex<Option<String>>,
}

impl Damage {
    pub fn new(what: &'static str) -> Damage {
        Damage {
            what,
            state: Mutex::new(None),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, Option<String>> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Why the index is damaged, while it is.
    pub fn get(&self) -> Option<String> {
        self.state().clone()
    }

    /// Records that a read of the index in `dir` failed with `error`. The first report
    /// is logged (later ones are the same damage) and leaves the marker in `dir`.
    pub fn mark(&self, dir: Option<&Path>, error: &dyn std::fmt::Display) {
        let mut s = self.state();
        if s.is_some() {
            return;
        }
        let why = error.to_string();
        let folder = dir
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("(memory)"));
        tracing::error!(
            folder = %folder.display(),
            error = %why,
            "the {} is damaged: answering from what is intact until it is rebuilt",
            self.what
        );
        if let Some(d) = dir {
            if let Err(e) = std::fs::write(d.join(MARKER), format!("{why}\n")) {
                tracing::warn!(error = %e, folder = %d.display(), "could not mark the folder damaged");
            }
        }
        *s = Some(why);
    }

    /// Records a damage found when opening (already logged by the opener).
    pub fn set(&self, why: &str) {
        *self.state() = Some(why.to_string());
    }

    /// The index was rebuilt: logs it when it had been damaged.
    pub fn clear(&self, ms: u64) {
        if let Some(why) = self.state().take() {
            tracing::info!(ms, damage = %why, "the {} is rebuilt", self.what);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_in_a_guarded_read_is_an_error_and_leaves_the_flag_down() {
        let r: Result<(), _> = guarded(|| {
            assert!(in_guarded_read());
            panic!("garbled")
        });
        assert!(matches!(r, Err(SearchError::Unreadable(m)) if m == "garbled"));
        assert!(!in_guarded_read());
        assert_eq!(guarded(|| Ok(3)).unwrap(), 3);
    }

    #[test]
    fn damage_is_reported_once_and_marks_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        let d = Damage::new("index");
        d.mark(Some(dir.path()), &"first");
        d.mark(Some(dir.path()), &"second");
        assert_eq!(d.get().as_deref(), Some("first"));
        assert_eq!(marked(dir.path()).as_deref(), Some("first\n"));
        d.clear(0);
        assert_eq!(d.get(), None);
    }
}
