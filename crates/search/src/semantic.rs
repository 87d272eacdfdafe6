//! Semantic evidence: a sentence encoder (all-MiniLM-L6-v2, a 6-layer BERT shipped in
//! `models/`) that maps a text to a unit vector, so that texts which mean the same thing
//! land close together even when they share no word ("keeps a copy of hot rows in RAM" and
//! "memcached"). The lexical ranker stays in charge; these vectors are a second opinion
//! that the rank stage fuses with it.
//!
//! The weights are float16 on disk (half the size in the repo); they are mapped and widened
//! to float32 once at load, because the CPU kernels are fastest in float32.

use super::bert::{Bert, Shape};
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use half::slice::{HalfBitsSliceExt, HalfFloatSliceExt};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

/// Width of every vector the encoder produces.
pub const DIM: usize = 384;
/// Tokens read of a question or a sentence; a longer text is cut (its start is kept).
pub const MAX_TOKENS: usize = 128;
/// The model's folder name under `models/`.
pub const MODEL_NAME: &str = "all-MiniLM-L6-v2";

#[derive(Debug, thiserror::Error)]
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

/// The loaded encoder: tokenizer and model, built once per process.
pub struct Encoder {
    model: Bert,
    tokenizer: Tokenizer,
    device: Device,
    /// A short fingerprint of the model files, stored beside vectors computed with it.
    fingerprint: String,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoder")
            .field("fingerprint", &self.fingerprint)
            .finish()
    }
}

impl Encoder {
    /// Loads the model from `dir` (`config.json`, `tokenizer.json`, `model.safetensors`).
    pub fn load(dir: &Path) -> Result<Encoder, SemanticError> {
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
        let device = Device::Cpu;
        // The tokenizer's JSON is parsed while the weights are widened (two cores).
        let (tokenizer, tensors) = std::thread::scope(|s| {
            let tok = s.spawn(|| Tokenizer::from_bytes(&tokenizer_json));
            let tensors = read_weights(&weights, &device);
            (tok.join(), tensors)
        });
        let mut tokenizer = tokenizer
            .map_err(|_| broken("tokenizer.json: the parser panicked".into()))?
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
        let t_read = t0.elapsed();
        let tensors = tensors.map_err(|e| broken(format!("model.safetensors: {e}")))?;
        let vb = VarBuilder::from_tensors(tensors, DType::F32, &device);
        let model =
            Bert::load(vb, &config).map_err(|e| broken(format!("model.safetensors: {e}")))?;
        let fingerprint = format!("{MODEL_NAME}-{}-{}", meta.len(), config.hidden_size);
        tracing::debug!(
            read_ms = t_read.as_secs_f64() * 1e3,
            total_ms = t0.elapsed().as_secs_f64() * 1e3,
            "sentence encoder loaded"
        );
        Ok(Encoder {
            model,
            tokenizer,
            device,
            fingerprint,
        })
    }

    /// Whether `word` (lowercase) is a whole word of the model's vocabulary: an ordinary
    /// English word rather than a name or a typo.
    pub fn is_word(&self, word: &str) -> bool {
        word.chars().count() >= 3 && self.tokenizer.token_to_id(word).is_some()
    }

    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// One unit vector per text (mean of the token states, L2-normalised), in order.
    pub fn encode(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, SemanticError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let err = |e: &dyn std::fmt::Display| SemanticError::Encode(e.to_string());
        let enc = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| err(&e))?;
        let len = enc.first().map(|e| e.get_ids().len()).unwrap_or(0).max(1);
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
        let run = || -> candle_core::Result<Vec<Vec<f32>>> {
            let ids = Tensor::from_vec(ids, (n, len), &self.device)?;
            let mask = Tensor::from_vec(mask, (n, len), &self.device)?;
            let states = self.model.forward(&ids, &mask)?; // (n, len, DIM)
            let m = mask.to_dtype(DType::F32)?.unsqueeze(2)?; // (n, len, 1)
            let summed = states.broadcast_mul(&m)?.sum(1)?; // (n, DIM)
            let counts = m.sum(1)?.clamp(1e-9, f64::MAX)?; // (n, 1)
            let mean = summed.broadcast_div(&counts)?;
            let norm = mean.sqr()?.sum_keepdim(1)?.sqrt()?.clamp(1e-12, f64::MAX)?;
            mean.broadcast_div(&norm)?.to_vec2::<f32>()
        };
        run().map_err(|e| err(&e))
    }

    /// Encodes many texts in batches of similar length (padding costs compute).
    pub fn encode_all(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, SemanticError> {
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| texts[i].len());
        let mut out = vec![Vec::new(); texts.len()];
        for chunk in order.chunks(32) {
            let batch: Vec<&str> = chunk.iter().map(|&i| texts[i]).collect();
            for (&i, v) in chunk.iter().zip(self.encode(&batch)?) {
                out[i] = v;
            }
        }
        Ok(out)
    }
}

/// Reads the weights file (mapped, not read into memory first) into float32 tensors.
/// Float16 weights are widened with the CPU's conversion instructions, on two threads.
fn read_weights(path: &Path, device: &Device) -> Result<HashMap<String, Tensor>, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    // SAFETY: the map is read-only and dropped before this function returns; a file
    // truncated underneath a starting process is outside what we guard against.
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| e.to_string())?;
    let st = safetensors::SafeTensors::deserialize(&map).map_err(|e| e.to_string())?;
    let views = st.tensors();
    let widen = |views: &[(String, safetensors::tensor::TensorView<'_>)]| {
        views
            .iter()
            .map(|(name, v)| {
                let data = v.data();
                let floats: Vec<f32> = match v.dtype() {
                    safetensors::Dtype::F16 => {
                        let bits: Vec<u16> = data
                            .chunks_exact(2)
                            .map(|c| u16::from_le_bytes([c[0], c[1]]))
                            .collect();
                        let mut out = vec![0f32; bits.len()];
                        bits.reinterpret_cast::<half::f16>()
                            .convert_to_f32_slice(&mut out);
                        out
                    }
                    safetensors::Dtype::F32 => data
                        .chunks_exact(4)
                        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                        .collect(),
                    other => return Err(format!("tensor {name}: unsupported type {other:?}")),
                };
                Tensor::from_vec(floats, v.shape(), device)
                    .map(|t| (name.clone(), t))
                    .map_err(|e| format!("tensor {name}: {e}"))
            })
            .collect::<Result<Vec<_>, String>>()
    };
    // The word-embedding table is half the model: split the work by size.
    let mut sorted = views;
    sorted.sort_by_key(|(_, v)| std::cmp::Reverse(v.data().len()));
    let (first, rest) = sorted.split_at(1.min(sorted.len()));
    let (a, b) = std::thread::scope(|s| {
        let h = s.spawn(|| widen(first));
        let b = widen(rest);
        (h.join(), b)
    });
    let a = a.map_err(|_| "conversion thread failed".to_string())??;
    Ok(a.into_iter().chain(b?).collect())
}

/// Fixes the encoder's thread count for the process: call it first thing in `main`, while
/// no other thread exists. candle looks its thread count up at every matrix product, and
/// unless `RAYON_NUM_THREADS` is set that lookup reads `/proc/cpuinfo` again each time:
/// a dozen file reads per question, about a tenth of its encoding time. A value already
/// set (in the environment or `.env`) is kept.
pub fn settle_thread_count() {
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        // The number of physical cores, as candle itself would have found.
        std::env::set_var(
            "RAYON_NUM_THREADS",
            num_cpus::get_physical().max(1).to_string(),
        );
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
