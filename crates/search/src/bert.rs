//! The encoder network: a BERT stack (embeddings, then `layers` blocks of self-attention and
//! feed-forward, each closed by a residual sum and a layer norm), written on candle's
//! tensors and layers. Only what sentence embedding needs is here: absolute positions, one
//! token type (0), no pooler, no dropout (inference only). The query, key and value
//! projections of a block are fused into one matrix, so each block does one wide product
//! instead of three narrow ones.
//!
//! A general model zoo (candle-transformers) would do the same in its BERT module, at the
//! cost of compiling a hundred other architectures in every build.

use candle_core::{DType, Module, Result, Tensor};
use candle_nn::{Embedding, LayerNorm, Linear, VarBuilder};

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

/// A dense layer computed as `(W · xᵀ)ᵀ + b` rather than `x · Wᵀ + b`: with the weight
/// matrix on the left, in its stored row order, the matrix kernel reads it as it lies
/// instead of repacking all of it at every product. For the few rows of a question that
/// repacking was a third of the encoder's time. The vectors agree with those of `x · Wᵀ`
/// (cosine 1.00000 on every eval question); `cargo bench --bench search` reports latency.
struct Dense(Linear);

impl Dense {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let (batch, len, hidden) = x.dims3()?;
        let rows = x.reshape((batch * len, hidden))?;
        let out = self.0.weight().matmul(&rows.t()?)?.t()?;
        let out = match self.0.bias() {
            Some(b) => out.broadcast_add(b)?,
            None => out,
        };
        out.reshape((batch, len, ()))
    }
}

/// One transformer block.
struct Block {
    /// Query, key and value projections stacked: `3 * hidden` outputs.
    qkv: Dense,
    attn_out: Dense,
    attn_norm: LayerNorm,
    up: Dense,
    down: Dense,
    out_norm: LayerNorm,
}

pub struct Bert {
    words: Embedding,
    /// Position rows, `max_position_embeddings × hidden`.
    positions: Tensor,
    /// The row of token type 0, added to every token.
    type0: Tensor,
    emb_norm: LayerNorm,
    blocks: Vec<Block>,
    heads: usize,
}

fn norm(vb: &VarBuilder, size: usize, eps: f64) -> Result<LayerNorm> {
    candle_nn::layer_norm(size, eps, vb.pp("LayerNorm"))
}

impl Bert {
    /// Builds the network from Hugging Face BERT weight names (with or without a `bert.`
    /// prefix).
    pub fn load(vb: VarBuilder, shape: &Shape) -> Result<Bert> {
        if shape.hidden_act != "gelu" {
            candle_core::bail!(
                "unsupported activation {:?} (expected gelu)",
                shape.hidden_act
            );
        }
        if shape.num_attention_heads == 0
            || !shape.hidden_size.is_multiple_of(shape.num_attention_heads)
        {
            candle_core::bail!("hidden_size is not a multiple of num_attention_heads");
        }
        let vb = if vb.contains_tensor("bert.embeddings.word_embeddings.weight") {
            vb.pp("bert")
        } else {
            vb
        };
        let (h, eps) = (shape.hidden_size, shape.layer_norm_eps);
        let emb = vb.pp("embeddings");
        let words = candle_nn::embedding(shape.vocab_size, h, emb.pp("word_embeddings"))?;
        let positions = emb
            .pp("position_embeddings")
            .get((shape.max_position_embeddings, h), "weight")?;
        let type0 = emb
            .pp("token_type_embeddings")
            .get((shape.type_vocab_size, h), "weight")?
            .get(0)?;
        let emb_norm = norm(&emb, h, eps)?;
        let mut blocks = Vec::with_capacity(shape.num_hidden_layers);
        for i in 0..shape.num_hidden_layers {
            let layer = vb.pp(format!("encoder.layer.{i}"));
            let attn = layer.pp("attention");
            let own = attn.pp("self");
            let (mut ws, mut bs) = (Vec::new(), Vec::new());
            for part in ["query", "key", "value"] {
                ws.push(own.pp(part).get((h, h), "weight")?);
                bs.push(own.pp(part).get(h, "bias")?);
            }
            let qkv = Linear::new(Tensor::cat(&ws, 0)?, Some(Tensor::cat(&bs, 0)?));
            let out = attn.pp("output");
            let inner = shape.intermediate_size;
            blocks.push(Block {
                qkv: Dense(qkv),
                attn_out: Dense(candle_nn::linear(h, h, out.pp("dense"))?),
                attn_norm: norm(&out, h, eps)?,
                up: Dense(candle_nn::linear(
                    h,
                    inner,
                    layer.pp("intermediate").pp("dense"),
                )?),
                down: Dense(candle_nn::linear(inner, h, layer.pp("output").pp("dense"))?),
                out_norm: norm(&layer.pp("output"), h, eps)?,
            });
        }
        Ok(Bert {
            words,
            positions,
            type0,
            emb_norm,
            blocks,
            heads: shape.num_attention_heads,
        })
    }

    /// The last hidden states, `(batch, len, hidden)`, of token ids `(batch, len)` whose
    /// `mask` (same shape, 1 for a token, 0 for padding) says which positions are real.
    pub fn forward(&self, ids: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let (batch, len) = ids.dims2()?;
        let mut x = self
            .words
            .forward(ids)?
            .broadcast_add(&self.positions.narrow(0, 0, len)?)?
            .broadcast_add(&self.type0)?;
        x = self.emb_norm.forward(&x)?;
        // Padding gets a large negative score before the softmax: no token attends to it.
        let blocked = ((mask.to_dtype(DType::F32)? - 1.0)? * 1e9)?.reshape((batch, 1, 1, len))?;
        for block in &self.blocks {
            x = block.forward(&x, &blocked, self.heads)?;
        }
        Ok(x)
    }
}

impl Block {
    fn forward(&self, x: &Tensor, blocked: &Tensor, heads: usize) -> Result<Tensor> {
        let (batch, len, hidden) = x.dims3()?;
        let head = hidden / heads;
        // (batch, len, 3·hidden) → (3, batch, heads, len, head)
        let qkv = self
            .qkv
            .forward(x)?
            .reshape((batch, len, 3, heads, head))?
            .permute((2, 0, 3, 1, 4))?;
        let (q, k, v) = (
            qkv.get(0)?.contiguous()?,
            qkv.get(1)?.contiguous()?,
            qkv.get(2)?.contiguous()?,
        );
        let scores = (q.matmul(&k.t()?)? / (head as f64).sqrt())?.broadcast_add(blocked)?;
        let weights = candle_nn::ops::softmax_last_dim(&scores)?;
        let context = weights
            .matmul(&v)? // (batch, heads, len, head)
            .transpose(1, 2)?
            .reshape((batch, len, hidden))?;
        let x = self
            .attn_norm
            .forward(&(self.attn_out.forward(&context)? + x)?)?;
        let inner = self.up.forward(&x)?.gelu_erf()?;
        self.out_norm.forward(&(self.down.forward(&inner)? + x)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_with_another_activation_is_refused_with_its_name() {
        let shape: Shape = serde_json::from_str(
            r#"{"vocab_size":4,"hidden_size":4,"num_hidden_layers":0,"num_attention_heads":2,
                "intermediate_size":8,"max_position_embeddings":8,"hidden_act":"relu"}"#,
        )
        .unwrap();
        let vb = VarBuilder::zeros(DType::F32, &candle_core::Device::Cpu);
        let err = Bert::load(vb, &shape).err().expect("refused").to_string();
        assert!(err.contains("relu"), "{err}");
    }

    #[test]
    fn padding_does_not_change_the_states_of_real_tokens() {
        // A tiny random network: the states of a 3-token text must not depend on whether two
        // padding positions follow it.
        let dev = candle_core::Device::Cpu;
        let shape = Shape {
            vocab_size: 10,
            hidden_size: 8,
            num_hidden_layers: 2,
            num_attention_heads: 2,
            intermediate_size: 16,
            max_position_embeddings: 8,
            type_vocab_size: 2,
            layer_norm_eps: 1e-12,
            hidden_act: "gelu".into(),
        };
        let map = candle_nn::VarMap::new();
        let vb = VarBuilder::from_varmap(&map, DType::F32, &dev);
        Bert::load(vb.clone(), &shape).unwrap();
        for var in map.all_vars() {
            var.set(&Tensor::randn(0f32, 1., var.shape(), &dev).unwrap())
                .unwrap();
        }
        let bert = Bert::load(vb, &shape).unwrap();
        let short = Tensor::new(&[[1u32, 5, 2]], &dev).unwrap();
        let long = Tensor::new(&[[1u32, 5, 2, 0, 0]], &dev).unwrap();
        let a = bert
            .forward(&short, &Tensor::new(&[[1u32, 1, 1]], &dev).unwrap())
            .unwrap();
        let b = bert
            .forward(&long, &Tensor::new(&[[1u32, 1, 1, 0, 0]], &dev).unwrap())
            .unwrap()
            .narrow(1, 0, 3)
            .unwrap();
        let diff = (a - b)
            .unwrap()
            .abs()
            .unwrap()
            .max_all()
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        assert!(diff < 1e-5, "padding changed the states by {diff}");
    }
}
