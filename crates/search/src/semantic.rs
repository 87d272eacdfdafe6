//! Semantic evidence: a sentence encoder (all-MiniLM-L6-v2, a 6-layer BERT shipped in
//! `models/`) that maps a text to a unit vector, so that texts which mean the same thing
//! land close together even when they share no word ("keeps a copy of hot rows in RAM" and
//! "memcached"). The lexical ranker stays in charge; these vectors are a second opinion
//! that the rank stage fuses with it.
//!
//! The weights are float16 on disk (half the size in the repo). A question is encoded in
//! the [`Precision`] chosen at start: by default int8 dense layers on the fastest kernel
//! the CPU has (VNNI, else AVX2), one thread per question. Entries, passage sentences and
//! concept definitions are encoded once, in f32, and stored: every precision shares them,
//! so changing the setting recomputes nothing, and only the question side carries int8's
//! rounding.

pub use super::bert::Precision;
use super::bert::{Bert, Checkpoint, Shape};
pub use archie_kernels::int8::Kernel;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::thread::JoinHandle;
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

/// Width of every vector the encoder produces.
pub const DIM: usize = 384;
/// Tokens read of a question or a sentence; a longer text is cut (its start is kept).
pub const MAX_TOKENS: usize = 128;
/// The model's folder name under `models/`.
pub const MODEL_NAME: &str = "all-MiniLM-L6-v2";
/// Texts encoded together when entries are encoded (similar lengths: padding costs).
const BATCH: usize = 32;

#[derive(Debug, Clone, thiserror::Error)]
pub enum SemanticError {
    #[error(
        "the sentence-encoder model is missing from {dir}: {what} (restore models/ from the \
         repository, run `python3 models/reproduce.py`, or set ARCHIE_SEMANTIC=off)"
    )]
    Missing { dir: PathBuf, what: String },
    #[error("the sentence-encoder model in {dir} is unusable: {what}")]
    Broken { dir: PathBuf, what: String },
    #[error("encoding failed: {0}")]
    Encode(String),
}

impl Precision {
    /// The fastest this CPU runs: int8 on VNNI or AVX2; f32 on a CPU with neither, where
    /// the portable int8 kernel is slower than candle's f32 kernels.
    pub fn best() -> Precision {
        match Kernel::detect() {
            Kernel::Portable => Precision::F32,
            k => Precision::Int8(k),
        }
    }

    /// The precision's name in logs and reports: `int8 VNNI`, `int8 AVX2`, `int8
    /// portable` or `fp32`.
    pub fn name(self) -> String {
        match self {
            Precision::F32 => "fp32".into(),
            Precision::Int8(k) => format!("int8 {k}"),
        }
    }
}

impl std::fmt::Display for Precision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

impl std::str::FromStr for Precision {
    type Err = String;

    /// `auto` (the best this CPU runs), `vnni`, `avx2`, `portable` (int8 on that kernel)
    /// or `fp32`, in any case. A kernel this CPU cannot run is refused, naming its best.
    fn from_str(s: &str) -> Result<Precision, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Precision::best()),
            "fp32" | "f32" => Ok(Precision::F32),
            other => {
                let kernel: Kernel = other
                    .parse()
                    .map_err(|_| "expected auto, vnni, avx2, portable or fp32".to_string())?;
                if kernel.available() {
                    return Ok(Precision::Int8(kernel));
                }
                let usable: Vec<String> = Kernel::ALL
                    .into_iter()
                    .filter(|k| k.available())
                    .map(|k| k.name().to_ascii_lowercase())
                    .chain(["fp32".to_string()])
                    .collect();
                Err(format!(
                    "this CPU cannot run the {kernel} kernel: use auto (here {}), or one of {}",
                    Precision::best(),
                    usable.join(", ")
                ))
            }
        }
    }
}

/// A network being built on a thread of its own, or built.
struct Network {
    built: OnceLock<Result<Bert, SemanticError>>,
    pending: Mutex<Option<JoinHandle<Result<Bert, SemanticError>>>>,
}

impl Network {
    fn building(handle: JoinHandle<Result<Bert, SemanticError>>) -> Network {
        Network {
            built: OnceLock::new(),
            pending: Mutex::new(Some(handle)),
        }
    }

    /// The network, once its thread has built it.
    fn get(&self, dir: &Path) -> Result<&Bert, SemanticError> {
        self.built
            .get_or_init(|| {
                let pending = self
                    .pending
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .take();
                let failed = |what: &str| SemanticError::Broken {
                    dir: dir.to_path_buf(),
                    what: what.into(),
                };
                match pending {
                    Some(h) => h
                        .join()
                        .unwrap_or_else(|_| Err(failed("the network's loader panicked"))),
                    None => Err(failed("the network's loader is gone")),
                }
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

/// A count of questions being encoded, up to a limit: [`Turns::take`] waits while the
/// limit is reached.
struct Turns {
    busy: Mutex<usize>,
    freed: std::sync::Condvar,
    limit: usize,
}

/// One question's turn; dropping it frees the turn.
struct Turn<'a>(&'a Turns);

impl Turns {
    fn new(limit: usize) -> Turns {
        Turns {
            busy: Mutex::new(0),
            freed: std::sync::Condvar::new(),
            limit: limit.max(1),
        }
    }

    fn take(&self) -> Turn<'_> {
        let busy = self.busy.lock().unwrap_or_else(|p| p.into_inner());
        let mut busy = self
            .freed
            .wait_while(busy, |n| *n >= self.limit)
            .unwrap_or_else(|p| p.into_inner());
        *busy += 1;
        Turn(self)
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let mut busy = self.0.busy.lock().unwrap_or_else(|p| p.into_inner());
        *busy -= 1;
        self.0.freed.notify_one();
    }
}

/// The loaded encoder: tokenizer and network, built once per process.
pub struct Encoder {
    /// The network questions go through, in `precision`.
    model: Network,
    precision: Precision,
    /// The f32 network that entries and sentences go through, loaded from `dir` the
    /// first time vectors are computed (most starts read them from disk). Unused when
    /// `model` is f32 itself.
    documents: OnceLock<Result<Bert, SemanticError>>,
    dir: PathBuf,
    config: Shape,
    tokenizer: Tokenizer,
    /// Questions being encoded now, at most one per core.
    turns: Turns,
    /// A short fingerprint of the model files, stored beside vectors computed with it.
    fingerprint: String,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoder")
            .field("fingerprint", &self.fingerprint)
            .field("precision", &self.precision)
            .finish()
    }
}

impl Encoder {
    /// Loads the model from `dir` (`config.json`, `tokenizer.json`, `model.safetensors`)
    /// in the best precision this CPU runs ([`Precision::best`]).
    pub fn load(dir: &Path) -> Result<Encoder, SemanticError> {
        Encoder::load_with(dir, Precision::best())
    }

    /// Loads the model from `dir`, questions computing in `precision`.
    pub fn load_with(dir: &Path, precision: Precision) -> Result<Encoder, SemanticError> {
        let encoder = Encoder::start(dir, precision)?;
        encoder.wait()?;
        Ok(encoder)
    }

    /// Reads the model's configuration and tokenizer from `dir` and starts building the
    /// network on a thread of its own: the caller goes on (a cold start opens its index
    /// meanwhile), and [`Encoder::wait`] or the first question waits for the network.
    pub fn start(dir: &Path, precision: Precision) -> Result<Encoder, SemanticError> {
        let missing = |what: &str| SemanticError::Missing {
            dir: dir.to_path_buf(),
            what: what.to_string(),
        };
        let broken = |what: String| SemanticError::Broken {
            dir: dir.to_path_buf(),
            what,
        };
        let read = |name: &str| {
            std::fs::read(dir.join(name)).map_err(|e| missing(&format!("{name}: {e}")))
        };
        let t0 = std::time::Instant::now();
        let config: Shape = serde_json::from_slice(&read("config.json")?)
            .map_err(|e| broken(format!("config.json: {e}")))?;
        let tokenizer_json = read("tokenizer.json")?;
        let weights = dir.join("model.safetensors");
        let meta =
            std::fs::metadata(&weights).map_err(|e| missing(&format!("model.safetensors: {e}")))?;
        // The network is built while the tokenizer's JSON is parsed (two cores).
        let model = {
            let (dir, config) = (dir.to_path_buf(), config.clone());
            std::thread::Builder::new()
                .name("archie-encoder-load".into())
                .spawn(move || {
                    let t = std::time::Instant::now();
                    let net = load_network(&dir, &config, precision);
                    tracing::debug!(
                        ms = t.elapsed().as_secs_f64() * 1e3,
                        precision = %precision,
                        "sentence encoder network built"
                    );
                    net
                })
                .map_err(|e| broken(format!("could not start the loader thread: {e}")))?
        };
        let model = Network::building(model);
        let mut tokenizer = Tokenizer::from_bytes(&tokenizer_json)
            .map_err(|e| broken(format!("tokenizer.json: {e}")))?;
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS,
                ..Default::default()
            }))
            .map_err(|e| broken(format!("tokenizer.json: {e}")))?;
        tokenizer.with_padding(Some(PaddingParams {
            strategy: PaddingStrategy::BatchLongest,
            ..Default::default()
        }));
        // Vectors stored under this name are the f32 network's: the same for every
        // precision of questions.
        let fingerprint = format!("{MODEL_NAME}-{}-{}", meta.len(), config.hidden_size);
        tracing::debug!(
            ms = t0.elapsed().as_secs_f64() * 1e3,
            "sentence encoder's tokenizer loaded"
        );
        Ok(Encoder {
            model,
            precision,
            documents: OnceLock::new(),
            turns: Turns::new(std::thread::available_parallelism().map_or(1, |n| n.get())),
            dir: dir.to_path_buf(),
            config,
            tokenizer,
            fingerprint,
        })
    }

    /// Whether `word` (lowercase) is a whole word of the model's vocabulary: an ordinary
    /// English word rather than a name or a typo.
    pub fn is_word(&self, word: &str) -> bool {
        word.chars().count() >= 3 && self.tokenizer.token_to_id(word).is_some()
    }

    /// A short name of the model files: stored vectors computed under it are valid.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// How questions are computed.
    pub fn precision(&self) -> Precision {
        self.precision
    }

    /// Waits until the network is built: an unusable weights file is an error here.
    pub fn wait(&self) -> Result<(), SemanticError> {
        self.model.get(&self.dir).map(|_| ())
    }

    /// One unit vector per question (mean of the token states, L2-normalised), in order,
    /// computed in the encoder's precision on the calling thread. At most one question
    /// per core is encoded at a time; the others wait their turn, so that a burst is
    /// answered in order instead of every question sharing the cores and finishing late.
    pub fn encode(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, SemanticError> {
        let model = self.model.get(&self.dir)?;
        let _turn = self.turns.take();
        self.run(model, texts)
    }

    /// One unit vector per text in f32, as entries and sentences are stored: texts of
    /// similar length in batches, the batches shared between the cores.
    pub fn encode_documents(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, SemanticError> {
        let model = match self.precision {
            Precision::F32 => self.model.get(&self.dir)?,
            Precision::Int8(_) => self
                .documents
                .get_or_init(|| load_network(&self.dir, &self.config, Precision::F32))
                .as_ref()
                .map_err(Clone::clone)?,
        };
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| texts[i].len());
        let batches: Vec<&[usize]> = order.chunks(BATCH).collect();
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
        let workers = workers.clamp(1, batches.len().max(1));
        // Worker w takes batches w, w + workers, …: each gets short and long texts alike.
        let done = std::thread::scope(|s| {
            let handles: Vec<_> = (0..workers)
                .map(|w| {
                    let batches = &batches;
                    s.spawn(move || {
                        let mut out = Vec::new();
                        for chunk in batches.iter().skip(w).step_by(workers) {
                            let batch: Vec<&str> = chunk.iter().map(|&i| texts[i]).collect();
                            out.push((*chunk, self.run(model, &batch)?));
                        }
                        Ok::<_, SemanticError>(out)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(SemanticError::Encode("a worker panicked".into())))
                })
                .collect::<Vec<_>>()
        });
        let mut out = vec![Vec::new(); texts.len()];
        for part in done {
            for (chunk, vectors) in part? {
                for (&i, v) in chunk.iter().zip(vectors) {
                    out[i] = v;
                }
            }
        }
        Ok(out)
    }

    /// `texts` through `model`: one unit vector each.
    fn run(&self, model: &Bert, texts: &[&str]) -> Result<Vec<Vec<f32>>, SemanticError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let err = |e: &dyn std::fmt::Display| SemanticError::Encode(e.to_string());
        // One text needs no padding, and the batch call would hand it to a thread pool.
        let enc = match texts {
            [one] => vec![self.tokenizer.encode(*one, true).map_err(|e| err(&e))?],
            _ => self
                .tokenizer
                .encode_batch(texts.to_vec(), true)
                .map_err(|e| err(&e))?,
        };
        let len = enc
            .iter()
            .map(|e| e.get_ids().len())
            .max()
            .unwrap_or(0)
            .max(1);
        let n = enc.len();
        let mut ids = Vec::with_capacity(n * len);
        let mut mask = Vec::with_capacity(n * len);
        for e in &enc {
            ids.extend(e.get_ids().iter().copied());
            mask.extend(e.get_attention_mask().iter().copied());
            // Padding makes every row `len` long; pad defensively if one is short.
            for _ in e.get_ids().len()..len {
                ids.push(0);
                mask.push(0);
            }
        }
        let states = model.forward(&ids, &mask, n).map_err(|e| err(&e))?;
        let width = states.len() / (n * len);
        // Mean of the real tokens' states, then L2-normalised.
        let vectors = states
            .chunks_exact(len * width)
            .zip(mask.chunks_exact(len))
            .map(|(rows, mask)| {
                let mut mean = vec![0f32; width];
                let mut count = 0f32;
                for (row, &m) in rows.chunks_exact(width).zip(mask) {
                    if m != 0 {
                        count += 1.0;
                        for (a, v) in mean.iter_mut().zip(row) {
                            *a += v;
                        }
                    }
                }
                let count = count.max(1e-9);
                mean.iter_mut().for_each(|a| *a /= count);
                let norm = mean.iter().map(|a| a * a).sum::<f32>().sqrt().max(1e-12);
                mean.iter_mut().for_each(|a| *a /= norm);
                mean
            })
            .collect();
        Ok(vectors)
    }
}

/// The network of `dir`'s weights file (mapped, not read into memory first), its dense
/// layers in `precision`.
fn load_network(dir: &Path, config: &Shape, precision: Precision) -> Result<Bert, SemanticError> {
    let path = dir.join("model.safetensors");
    let failed = |what: String| SemanticError::Broken {
        dir: dir.to_path_buf(),
        what: format!("model.safetensors: {what}"),
    };
    let file = std::fs::File::open(&path).map_err(|e| SemanticError::Missing {
        dir: dir.to_path_buf(),
        what: format!("model.safetensors: {e}"),
    })?;
    // SAFETY: the map is read-only and dropped before this function returns; a file
    // truncated underneath a starting process is outside what we guard against.
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| failed(e.to_string()))?;
    let st = safetensors::SafeTensors::deserialize(&map).map_err(|e| failed(e.to_string()))?;
    let weights = Checkpoint::from_safetensors(&st).map_err(|e| failed(e.to_string()))?;
    Bert::load(weights, config, precision).map_err(|e| failed(e.to_string()))
}

/// Fixes the encoder's thread count for the process to `threads` (the setting
/// `ARCHIE_ENCODER_THREADS`; a `RAYON_NUM_THREADS` already set is kept): call it first
/// thing in `main`, while no other thread exists. candle splits its matrix products over
/// that many threads, and unless `RAYON_NUM_THREADS` is set it reads `/proc/cpuinfo` again
/// at every product to count the cores: a dozen file reads per question. The int8 dense
/// layers always run on the calling thread.
pub fn settle_thread_count(threads: usize) {
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        std::env::set_var("RAYON_NUM_THREADS", threads.max(1).to_string());
    }
}

/// Dot product of two unit vectors: their cosine similarity.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Where the shipped model lives: `models/all-MiniLM-L6-v2` beside the knowledge folder
/// (`ARCHIE_MODEL_DIR` overrides it, through [`crate::config::Settings::model_dir`]).
/// The whole words of the encoder's vocabulary (at least 3 letters): ordinary English,
/// as the model knows it. Read from the tokenizer shipped in the repository, built in, so
/// the lexical mode (no model loaded) tells English words from names as the hybrid does.
pub fn english_words() -> &'static std::collections::HashSet<String> {
    static WORDS: std::sync::OnceLock<std::collections::HashSet<String>> =
        std::sync::OnceLock::new();
    WORDS.get_or_init(|| {
        const TOKENIZER: &str = include_str!("../../../models/all-MiniLM-L6-v2/tokenizer.json");
        let v: serde_json::Value = serde_json::from_str(TOKENIZER).unwrap_or_default();
        v["model"]["vocab"]
            .as_object()
            .map(|vocab| {
                vocab
                    .keys()
                    .filter(|w| w.chars().count() >= 3 && w.chars().all(char::is_alphabetic))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    })
}

pub fn model_dir(knowledge_dir: &Path) -> PathBuf {
    let parent = knowledge_dir
        .canonicalize()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("."));
    parent.join("models").join(MODEL_NAME)
}

#[cfg(test)]
mod tests {
    use super::Turns;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn no_more_questions_than_the_limit_are_encoded_at_once_and_every_one_gets_a_turn() {
        let turns = Turns::new(2);
        let (now, most, done) = (
            AtomicUsize::new(0),
            AtomicUsize::new(0),
            AtomicUsize::new(0),
        );
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    for _ in 0..20 {
                        let _turn = turns.take();
                        let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(n, Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_micros(200));
                        now.fetch_sub(1, Ordering::SeqCst);
                        done.fetch_add(1, Ordering::SeqCst);
                    }
                });
            }
        });
        assert_eq!(done.load(Ordering::SeqCst), 160);
        assert_eq!(most.load(Ordering::SeqCst), 2);
    }
}
