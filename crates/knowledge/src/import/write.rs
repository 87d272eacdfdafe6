//! Writing an import into the folder: all or nothing, each file replaced whole.

use super::sink::Importer;
use super::ImportError;
use crate::load_dir;
use std::path::{Path, PathBuf};

impl Importer {
    /// Appends the new entries to the folder's files, then checks the folder as `archie
    /// check` would. All or nothing: when a write fails or the check finds a problem, every
    /// file is put back as it was (new files and folders removed), so a failed import
    /// leaves no half-written folder. Each file is replaced whole (written beside it, then
    /// renamed), never left cut short.
    pub(super) fn write(&self, dir: &Path) -> Result<(), ImportError> {
        if self.out.is_empty() {
            return Ok(());
        }
        let mut saved: Vec<(PathBuf, Option<String>)> = Vec::new();
        for file in self.out.keys() {
            let path = dir.join(file);
            let before = match std::fs::read_to_string(&path) {
                Ok(text) => Some(text),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(error) => return Err(ImportError::UnreadableTarget { path, error }),
            };
            saved.push((path, before));
        }
        let new_dirs: Vec<PathBuf> = [dir.to_path_buf(), dir.join("stacks")]
            .into_iter()
            .filter(|d| !d.exists())
            .collect();
        let result = self.write_all(dir, &saved).and_then(|()| {
            let (_, problems) = load_dir(dir);
            if problems.is_empty() {
                return Ok(());
            }
            Err(ImportError::WouldBreak {
                dir: dir.to_path_buf(),
                problems,
            })
        });
        if result.is_err() {
            put_back(&saved, &new_dirs);
        }
        result
    }

    fn write_all(
        &self,
        dir: &Path,
        saved: &[(PathBuf, Option<String>)],
    ) -> Result<(), ImportError> {
        let stacks = dir.join("stacks");
        std::fs::create_dir_all(&stacks).map_err(|source| ImportError::CreateDir {
            path: stacks.clone(),
            source,
        })?;
        for ((path, before), text) in saved.iter().zip(self.out.values()) {
            let mut body = before.clone().unwrap_or_default();
            if !body.is_empty() {
                if !body.ends_with('\n') {
                    body.push('\n');
                }
                body.push('\n');
            }
            body.push_str(text);
            let tmp = partial(path);
            std::fs::write(&tmp, body)
                .and_then(|()| std::fs::rename(&tmp, path))
                .map_err(|source| ImportError::Write {
                    path: path.clone(),
                    source,
                })?;
        }
        Ok(())
    }
}

/// Puts every file back as it was before the import (best effort), then removes the
/// folders it created.
fn put_back(saved: &[(PathBuf, Option<String>)], new_dirs: &[PathBuf]) {
    for (path, before) in saved {
        let _ = std::fs::remove_file(partial(path));
        let _ = match before {
            Some(text) => std::fs::write(path, text),
            None => std::fs::remove_file(path),
        };
    }
    for d in new_dirs.iter().rev() {
        let _ = std::fs::remove_dir(d);
    }
}

/// Where a file's new text is written before it replaces the file.
fn partial(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}
