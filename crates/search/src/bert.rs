//! The encoder network: a BERT stack (embeddings, then `layers` blocks of self-attention and
//! feed-forward, each closed by a residual sum and a layer norm). Only what sentence
//! embedding needs is here: absolute positions, one token type (0), no pooler, no dropout
//! (inference only). The query, key and value projections of a block are fused into one
//! matrix, so each block does one wide product instead of three narrow ones.
//!
//! The hidden states are plain rows of `f32` between the steps. The dense layers are
//! candle's matrix product in f32 or an int8 layer ([`archie_kernels::int8`]); the two
//! attention products (activation × activation) are candle's, in f32; layer norm, GELU and
//! softmax are [`archie_kernels::rows`], on the calling thread. candle's own versions of
//! those three hand each call to a thread pool, and the two context switches per call were
//! a third of a question's time.
//!
//! A general model zoo (candle-transformers) would do the same in its BERT module, at the
//! cost of compiling a hundred other architectures in every build.

use archie_kernels::int8::{Kernel, Linear8};
use archie_kernels::rows;
use candle_core::{bail, Device, Result, Tensor};

mod checkpoint;
pub use checkpoint::Checkpoint;
use checkpoint::{Raw, Table};

/// The fields of Hugging Face's `config.json` that shape the network.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Shape {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub max_position_embeddings: usize,
    #[serde(default = "default_types")]
    pub type_vocab_size: usize,
    #[serde(default = "default_eps")]
    pub layer_norm_eps: f64,
    /// Only the exact (erf) GELU of the original BERT is supported.
    #[serde(default = "default_act")]
    pub hidden_act: String,
}

fn default_types() -> usize {
    2
}

fn default_eps() -> f64 {
    1e-12
}

fn default_act() -> String {
    "gelu".into()
}

/// How the dense layers compute: in f32 on candle's matrix kernels, or in int8 on one of
/// [`archie_kernels::int8`]'s kernels. The attention products and the layer norms stay f32
/// either way: quantizing those costs far more accuracy than it saves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Precision {
    F32,
    Int8(Kernel),
}

/// A dense layer `x · Wᵀ + b`. In f32 it is computed as `(W · xᵀ)ᵀ`: with the weight
/// matrix on the left, in its stored row order, the matrix kernel reads it as it lies
/// instead of repacking all of it at every product (for the few rows of a question, that
/// repacking was a third of the encoder's time). In int8 the weights are quantized per
/// output and packed once, at load.
enum Dense {
    F32 { weight: Tensor, bias: Tensor },
    Int8(Linear8),
}

impl Dense {
    /// `weight` is `outputs × inputs`, row-major; `bias` has `outputs` values.
    /// In f32 the layer takes `weight`'s values; in int8 it packs them and leaves the
    /// vector to be filled again (one buffer serves every layer a loader thread builds).
    fn new(
        weight: &mut Vec<f32>,
        bias: Vec<f32>,
        outputs: usize,
        inputs: usize,
        precision: Precision,
    ) -> Result<Dense> {
        match precision {
            Precision::F32 => Ok(Dense::F32 {
                weight: Tensor::from_vec(std::mem::take(weight), (outputs, inputs), &Device::Cpu)?,
                bias: Tensor::from_vec(bias, outputs, &Device::Cpu)?,
            }),
            Precision::Int8(kernel) => Linear8::new(weight, Some(&bias), outputs, inputs, kernel)
                .map(Dense::Int8)
                .map_err(|e| candle_core::Error::Msg(e.to_string())),
        }
    }

    /// The `m` rows of `x` (each `inputs` wide) through the layer: `m` rows of `outputs`.
    fn forward(&self, x: &[f32], m: usize) -> Result<Vec<f32>> {
        match self {
            Dense::F32 { weight, bias } => {
                let inputs = weight.dims2()?.1;
                let rows = Tensor::from_slice(x, (m, inputs), &Device::Cpu)?;
                let out = weight.matmul(&rows.t()?)?.t()?.broadcast_add(bias)?;
                out.flatten_all()?.to_vec1::<f32>()
            }
            Dense::Int8(l) => Ok(l.forward(x, m)),
        }
    }
}

/// A layer norm's scale and shift.
struct Norm {
    gamma: Vec<f32>,
    beta: Vec<f32>,
    eps: f32,
}

impl Norm {
    fn load(w: &mut Checkpoint<'_>, prefix: &str, size: usize, eps: f64) -> Result<Norm> {
        Ok(Norm {
            gamma: w.take(&format!("{prefix}.LayerNorm.weight"), &[size])?,
            beta: w.take(&format!("{prefix}.LayerNorm.bias"), &[size])?,
            eps: eps as f32,
        })
    }

    fn apply(&self, rows: &mut [f32]) {
        rows::layer_norm(rows, &self.gamma, &self.beta, self.eps);
    }
}

/// A dense layer's tensors as stored, not yet built: the weights of one or more stacked
/// matrices (`outputs` rows in all) and their biases.
struct DenseParts<'a> {
    weights: Vec<Raw<'a>>,
    biases: Vec<Raw<'a>>,
    outputs: usize,
    inputs: usize,
}

impl DenseParts<'_> {
    /// Widens the weights into `scratch` (reused: fresh pages for every layer were a
    /// good part of a cold start) and builds the layer.
    fn build(self, precision: Precision, scratch: &mut Vec<f32>) -> Result<Dense> {
        let mut bias = Vec::new();
        for p in &self.biases {
            p.append_f32(&mut bias);
        }
        scratch.clear();
        for p in &self.weights {
            p.append_f32(scratch);
        }
        Dense::new(scratch, bias, self.outputs, self.inputs, precision)
    }
}

/// A block's tensors as stored, not yet built.
struct BlockParts<'a> {
    qkv: DenseParts<'a>,
    attn_out: DenseParts<'a>,
    attn_norm: Norm,
    up: DenseParts<'a>,
    down: DenseParts<'a>,
    out_norm: Norm,
}

impl BlockParts<'_> {
    fn build(self, precision: Precision, scratch: &mut Vec<f32>) -> Result<Block> {
        Ok(Block {
            qkv: self.qkv.build(precision, scratch)?,
            attn_out: self.attn_out.build(precision, scratch)?,
            attn_norm: self.attn_norm,
            up: self.up.build(precision, scratch)?,
            down: self.down.build(precision, scratch)?,
            out_norm: self.out_norm,
        })
    }
}

/// One transformer block.
struct Block {
    /// Query, key and value projections stacked: `3 * hidden` outputs.
    qkv: Dense,
    attn_out: Dense,
    attn_norm: Norm,
    up: Dense,
    down: Dense,
    out_norm: Norm,
}

pub struct Bert {
    /// `vocab_size` rows of `hidden`.
    words: Table,
    /// `max_position_embeddings` rows of `hidden`.
    positions: Vec<f32>,
    /// The row of token type 0, added to every token.
    type0: Vec<f32>,
    emb_norm: Norm,
    blocks: Vec<Block>,
    heads: usize,
    hidden: usize,
}

impl Bert {
    /// Builds the network from Hugging Face BERT weight names (with or without a `bert.`
    /// prefix), its dense layers computing in `precision`.
    pub fn load<'a>(mut w: Checkpoint<'a>, shape: &Shape, precision: Precision) -> Result<Bert> {
        if shape.hidden_act != "gelu" {
            bail!(
                "unsupported activation {:?} (expected gelu)",
                shape.hidden_act
            );
        }
        if shape.num_attention_heads == 0
            || !shape.hidden_size.is_multiple_of(shape.num_attention_heads)
        {
            bail!("hidden_size is not a multiple of num_attention_heads");
        }
        let root = if w.has("bert.embeddings.word_embeddings.weight") {
            "bert."
        } else {
            ""
        };
        let (h, eps) = (shape.hidden_size, shape.layer_norm_eps);
        let emb = format!("{root}embeddings");
        let words = w
            .raw(
                &format!("{emb}.word_embeddings.weight"),
                &[shape.vocab_size, h],
            )?
            .into_table(h);
        let positions = w.take(
            &format!("{emb}.position_embeddings.weight"),
            &[shape.max_position_embeddings, h],
        )?;
        let mut type0 = w.take(
            &format!("{emb}.token_type_embeddings.weight"),
            &[shape.type_vocab_size, h],
        )?;
        type0.truncate(h);
        if type0.len() != h {
            bail!("tensor {emb}.token_type_embeddings.weight has no row");
        }
        let emb_norm = Norm::load(&mut w, &emb, h, eps)?;
        let inner = shape.intermediate_size;
        // The tensors are taken out in order, then the blocks' dense layers are quantized
        // and packed on two threads (a third of the load time on one).
        let mut parts = Vec::with_capacity(shape.num_hidden_layers);
        for i in 0..shape.num_hidden_layers {
            let layer = format!("{root}encoder.layer.{i}");
            let (mut ws, mut bs) = (Vec::new(), Vec::new());
            for part in ["query", "key", "value"] {
                let own = format!("{layer}.attention.self.{part}");
                ws.push(w.raw(&format!("{own}.weight"), &[h, h])?);
                bs.push(w.raw(&format!("{own}.bias"), &[h])?);
            }
            let out = format!("{layer}.attention.output");
            let dense = |w: &mut Checkpoint<'a>, name: &str, inputs: usize, outputs: usize| {
                Ok::<_, candle_core::Error>(DenseParts {
                    weights: vec![w.raw(&format!("{name}.weight"), &[outputs, inputs])?],
                    biases: vec![w.raw(&format!("{name}.bias"), &[outputs])?],
                    outputs,
                    inputs,
                })
            };
            parts.push(BlockParts {
                qkv: DenseParts {
                    weights: ws,
                    biases: bs,
                    outputs: 3 * h,
                    inputs: h,
                },
                attn_out: dense(&mut w, &format!("{out}.dense"), h, h)?,
                attn_norm: Norm::load(&mut w, &out, h, eps)?,
                up: dense(&mut w, &format!("{layer}.intermediate.dense"), h, inner)?,
                down: dense(&mut w, &format!("{layer}.output.dense"), inner, h)?,
                out_norm: Norm::load(&mut w, &format!("{layer}.output"), h, eps)?,
            });
        }
        let later = parts.split_off(parts.len() / 2);
        let build = |parts: Vec<BlockParts<'a>>| -> Result<Vec<Block>> {
            let mut scratch = Vec::new();
            parts
                .into_iter()
                .map(|p| p.build(precision, &mut scratch))
                .collect()
        };
        let (first, second) = std::thread::scope(|s| {
            let second = s.spawn(|| build(later));
            (build(parts), second.join())
        });
        let mut blocks = first?;
        blocks.extend(
            second.map_err(|_| candle_core::Error::Msg("a loader thread panicked".into()))??,
        );
        Ok(Bert {
            words,
            positions,
            type0,
            emb_norm,
            blocks,
            heads: shape.num_attention_heads,
            hidden: h,
        })
    }

    /// The last hidden states of `batch` texts of token `ids` (`batch × len`, row-major)
    /// whose `mask` (same shape, 1 for a token, 0 for padding) says which positions are
    /// real: `batch × len` rows of `hidden` values.
    pub fn forward(&self, ids: &[u32], mask: &[u32], batch: usize) -> Result<Vec<f32>> {
        let h = self.hidden;
        if batch == 0 || ids.len() != mask.len() || !ids.len().is_multiple_of(batch) {
            bail!(
                "{} ids and {} mask values for {batch} texts",
                ids.len(),
                mask.len()
            );
        }
        let len = ids.len() / batch;
        if len * h > self.positions.len() {
            bail!(
                "{len} tokens: the model has {} positions",
                self.positions.len() / h
            );
        }
        let mut x = vec![0f32; ids.len() * h];
        for (t, (&id, row)) in ids.iter().zip(x.chunks_exact_mut(h)).enumerate() {
            if !self.words.row(id as usize, row) {
                bail!("token id {id} is outside the vocabulary");
            }
            let pos = &self.positions[(t % len) * h..(t % len + 1) * h];
            for ((v, b), c) in row.iter_mut().zip(pos).zip(&self.type0) {
                *v += b + c;
            }
        }
        self.emb_norm.apply(&mut x);
        let keep: Vec<f32> = mask.iter().map(|&m| f32::from(u8::from(m != 0))).collect();
        for block in &self.blocks {
            x = block.forward(&x, batch, len, &keep, self.heads)?;
        }
        Ok(x)
    }
}

impl Block {
    fn forward(
        &self,
        x: &[f32],
        batch: usize,
        len: usize,
        keep: &[f32],
        heads: usize,
    ) -> Result<Vec<f32>> {
        let m = batch * len;
        let qkv = self.qkv.forward(x, m)?;
        let context = attention(qkv, batch, len, heads, keep)?;
        let mut a = self.attn_out.forward(&context, m)?;
        add(&mut a, x);
        self.attn_norm.apply(&mut a);
        let mut inner = self.up.forward(&a, m)?;
        rows::gelu(&mut inner);
        let mut out = self.down.forward(&inner, m)?;
        add(&mut out, &a);
        self.out_norm.apply(&mut out);
        Ok(out)
    }
}

/// Self-attention over the fused projections `qkv` (`batch × len` rows of `3 · hidden`):
/// the context rows, `batch × len` of `hidden`. Padding (`keep` 0) gets no attention.
fn attention(
    qkv: Vec<f32>,
    batch: usize,
    len: usize,
    heads: usize,
    keep: &[f32],
) -> Result<Vec<f32>> {
    let hidden = qkv.len() / (batch * len * 3);
    let head = hidden / heads;
    // (batch, len, 3·hidden) → (3, batch, heads, len, head)
    let qkv = Tensor::from_vec(qkv, (batch, len, 3, heads, head), &Device::Cpu)?
        .permute((2, 0, 3, 1, 4))?;
    let (q, k, v) = (
        qkv.get(0)?.contiguous()?,
        qkv.get(1)?.contiguous()?,
        qkv.get(2)?.contiguous()?,
    );
    let mut scores = q.matmul(&k.t()?)?.flatten_all()?.to_vec1::<f32>()?;
    let scale = 1.0 / (head as f32).sqrt();
    for (r, row) in scores.chunks_exact_mut(len).enumerate() {
        let text = r / (heads * len);
        rows::softmax_masked(row, &keep[text * len..(text + 1) * len], scale);
    }
    let weights = Tensor::from_vec(scores, (batch, heads, len, len), &Device::Cpu)?;
    weights
        .matmul(&v)? // (batch, heads, len, head)
        .transpose(1, 2)?
        .flatten_all()?
        .to_vec1::<f32>()
}

/// `dst += src`, value by value (a residual sum).
fn add(dst: &mut [f32], src: &[f32]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d += s;
    }
}

#[cfg(test)]
mod tests;
