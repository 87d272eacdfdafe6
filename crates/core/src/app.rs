//! `App`: the state built once per process and passed by reference to every command.

use crate::config::Settings;
use anyhow::Context as _;
use archie_knowledge::Knowledge;
use archie_search::community::{Change, Views};
use archie_search::semantic::Encoder;
use archie_search::{Engine, SearchError};
use archie_store::{CommunityEntry, State, Store};
use std::path::PathBuf;
use std::sync::Arc;

mod community;
pub mod health;
mod question_log;

pub use community::Follower;
pub use question_log::{LoggedQuestion, QuestionLog};

pub struct App {
    pub engine: Engine,
    pub knowledge_dir: PathBuf,
    /// The community store; `None` for offline lookups that never write.
    pub store: Option<Arc<Store>>,
    /// Questions asked, on their way to the store (off the answer path).
    pub questions: QuestionLog,
    /// Whether the community store answers ([`health::probe`], while serving).
    pub store_health: Arc<health::StoreHealth>,
    /// Whether this process reads the posts of watched forums: the gateway with the
    /// Message Content intent (`ARCHIE_MESSAGE_CONTENT=1`). `/kb watch` says what to
    /// switch on while it is not.
    pub reads_posts: std::sync::atomic::AtomicBool,
}

impl App {
    /// Loads the knowledge folder and opens (or builds) the index in the data directory,
    /// with the sentence encoder when `semantic` (lookups by name never need it), and with
    /// the community store (`ARCHIE_DATABASE`, created on first run) when `store` says how
    /// to read guild entries: the community index for a server ([`Views::Index`], opened
    /// on first use), the store itself for a one-shot command ([`Views::Store`]). Without a
    /// store, the app answers from the shared knowledge and never writes.
    pub fn open(
        settings: &Settings,
        knowledge_dir: PathBuf,
        semantic: bool,
        store: Option<Views>,
    ) -> anyhow::Result<App> {
        let store = match store {
            Some(views) => {
                // The data folder first: a read-only or unusable one stops the start
                // naming ARCHIE_DATA_DIR, before a store is created in it or a database
                // connected.
                archie_search::index::check_data_dir(&settings.data_dir(&knowledge_dir))?;
                let db = settings.database(&knowledge_dir)?;
                // Then the store: an unreachable database stops the start before anything
                // is built or written.
                let store = Store::connect(&db).with_context(|| {
                    format!("opening the community store {db} failed (ARCHIE_DATABASE)")
                })?;
                Some((store, views))
            }
            None => None,
        };
        let models = settings.model_dir(&knowledge_dir);
        // The model loads on a second thread while the knowledge is read and the index
        // opened: a cold start costs the longer of the two, not their sum.
        let (k, encoder) = std::thread::scope(|s| {
            let precision = settings.encoder;
            // Its network goes on building on a thread of its own while the index opens.
            let model = semantic.then(|| s.spawn(move || Encoder::start(&models, precision)));
            let k = Knowledge::load(&knowledge_dir);
            let encoder = match model {
                Some(h) => Some(
                    h.join()
                        .map_err(|_| anyhow::anyhow!("the model loader panicked"))??,
                ),
                None => None,
            };
            anyhow::Ok((k?, encoder))
        })?;
        let data = settings.data_dir(&knowledge_dir);
        let engine = Engine::with_encoder(k, Some(&data), encoder)?;
        // An unusable weights file stops the start, not the first question.
        if let Some(encoder) = engine.encoder() {
            encoder.wait()?;
        }
        let mut app = App::with_engine(engine, knowledge_dir);
        if let Some((store, views)) = store {
            app.attach_store(store, views);
        }
        Ok(app)
    }

    /// An app whose index lives in memory (tests, benchmarks).
    pub fn in_memory(k: Knowledge) -> anyhow::Result<App> {
        Ok(App::with_engine(Engine::new(k, None)?, PathBuf::new()))
    }

    /// An app around an engine the caller built (tests, benchmarks: indexes on disk as
    /// a process of their own, or an engine with the encoder), with no store.
    pub fn from_engine(engine: Engine) -> App {
        App::with_engine(engine, PathBuf::new())
    }

    fn with_engine(engine: Engine, knowledge_dir: PathBuf) -> App {
        App {
            engine,
            knowledge_dir,
            store: None,
            questions: Default::default(),
            store_health: Default::default(),
            reads_posts: Default::default(),
        }
    }

    /// Uses `store` for moderator commands and search, reading guild entries as `views`
    /// says. Reads nothing now.
    pub fn attach_store(&mut self, store: Store, views: Views) {
        let store = Arc::new(store);
        self.engine
            .attach_community(Arc::new(community::StoreSource(Arc::clone(&store))), views);
        self.store = Some(store);
    }

    /// Applies the store's changes since the community index's watermark, written by this
    /// or any other process (opening the index when it is closed); how many revisions.
    pub fn sync(&self) -> anyhow::Result<usize> {
        Ok(self.engine.sync()?)
    }

    /// After a committed write to `guild`: whether it is searchable there now. A failure
    /// is logged; the store stays the truth and the next sync (or the rebuild of a
    /// damaged index) applies the change.
    pub fn written(&self, guild: u64) -> Searchable {
        match self.engine.written(guild) {
            Ok(()) => Searchable::Now,
            Err(SearchError::Damaged { .. }) => Searchable::AfterRepair,
            Err(e) => {
                tracing::error!(error = %e, guild, "index update failed; the next sync retries it");
                Searchable::AfterRetry
            }
        }
    }
}

/// Whether a committed write is searchable when its reply is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Searchable {
    /// In the index: the server's searches find it.
    Now,
    /// Not yet: the index was found damaged and is being rebuilt from the store.
    AfterRepair,
    /// Not yet: updating the index failed (logged); the next sync applies it.
    AfterRetry,
}

/// How the index must show a store entry in its state now.
pub fn change_for(k: &Knowledge, ce: &CommunityEntry) -> Change {
    match ce.state {
        State::Live => Change::Live(Box::new(ce.to_entry(k))),
        State::Removed => Change::Gone,
        State::Hidden => Change::Hidden,
        State::Base => Change::Base,
    }
}
