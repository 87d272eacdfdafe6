//! `App`: the state built once per process and passed by reference to every command.

use crate::config;
use crate::knowledge::Knowledge;
use crate::search::Engine;
use std::path::PathBuf;

pub struct App {
    pub engine: Engine,
    pub knowledge_dir: PathBuf,
}

impl App {
    /// Loads the knowledge folder and opens (or builds) the index in the data directory.
    pub fn open(knowledge_dir: PathBuf) -> anyhow::Result<App> {
        let k = Knowledge::load(&knowledge_dir)?;
        let data = config::data_dir(&knowledge_dir);
        let engine = Engine::new(k, Some(&data))?;
        Ok(App {
            engine,
            knowledge_dir,
        })
    }

    /// An app whose index lives in memory (tests, benchmarks).
    pub fn in_memory(k: Knowledge) -> anyhow::Result<App> {
        Ok(App {
            engine: Engine::new(k, None)?,
            knowledge_dir: PathBuf::new(),
        })
    }
}
