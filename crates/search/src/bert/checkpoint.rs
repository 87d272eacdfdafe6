//! A checkpoint's tensors, read from a safetensors file's bytes as the network takes them.

use candle_core::{bail, Result};
use std::collections::HashMap;

/// A checkpoint's tensors by name, read from the file's bytes when the network takes them
/// (so the f16 file is widened or quantized layer by layer, never copied whole to f32).
#[derive(Default)]
pub struct Checkpoint<'a>(pub(super) HashMap<String, Raw<'a>>);

/// One tensor: its shape and its values as stored.
pub struct Raw<'a> {
    pub(super) shape: Vec<usize>,
    values: Values<'a>,
}

/// A tensor's values: little-endian f16 or f32 bytes of the file, or f32 values already
/// in memory.
enum Values<'a> {
    F16(&'a [u8]),
    F32(&'a [u8]),
    /// Only the tests build networks from values in memory.
    #[cfg_attr(not(test), allow(dead_code))]
    Owned(Vec<f32>),
}

impl<'a> Checkpoint<'a> {
    /// The tensors of a safetensors file (f16 or f32).
    pub fn from_safetensors(st: &safetensors::SafeTensors<'a>) -> Result<Checkpoint<'a>> {
        let mut map = HashMap::new();
        for (name, view) in st.tensors() {
            let values = match view.dtype() {
                safetensors::Dtype::F16 => Values::F16(view.data()),
                safetensors::Dtype::F32 => Values::F32(view.data()),
                other => bail!("tensor {name}: unsupported type {other:?}"),
            };
            let shape = view.shape().to_vec();
            map.insert(name, Raw { shape, values });
        }
        Ok(Checkpoint(map))
    }

    /// Tensors of f32 values in memory (tests).
    #[cfg(test)]
    pub fn from_values(tensors: HashMap<String, (Vec<usize>, Vec<f32>)>) -> Checkpoint<'a> {
        let raw = |(shape, v)| Raw {
            shape,
            values: Values::Owned(v),
        };
        Checkpoint(tensors.into_iter().map(|(n, t)| (n, raw(t))).collect())
    }

    pub(super) fn has(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// Tensor `name`, which must have `shape`, as stored.
    pub(super) fn raw(&mut self, name: &str, shape: &[usize]) -> Result<Raw<'a>> {
        match self.0.remove(name) {
            Some(r) if r.shape == shape && r.len() == Some(shape.iter().product()) => Ok(r),
            Some(r) => bail!("tensor {name} has shape {:?}, expected {shape:?}", r.shape),
            None => bail!("tensor {name} is missing"),
        }
    }

    /// The f32 values of tensor `name`, which must have `shape`.
    pub(super) fn take(&mut self, name: &str, shape: &[usize]) -> Result<Vec<f32>> {
        Ok(self.raw(name, shape)?.into_f32())
    }
}

impl Raw<'_> {
    /// How many values the bytes hold (None: a byte count that is not whole values).
    fn len(&self) -> Option<usize> {
        match &self.values {
            Values::F16(b) => b.len().is_multiple_of(2).then_some(b.len() / 2),
            Values::F32(b) => b.len().is_multiple_of(4).then_some(b.len() / 4),
            Values::Owned(v) => Some(v.len()),
        }
    }

    /// The values widened to f32 (f16 with the CPU's conversion instructions).
    pub(super) fn into_f32(self) -> Vec<f32> {
        match self.values {
            Values::Owned(v) => v,
            _ => {
                let mut out = Vec::new();
                self.append_f32(&mut out);
                out
            }
        }
    }

    /// Appends the values, widened to f32, to `out`.
    pub(super) fn append_f32(&self, out: &mut Vec<f32>) {
        let start = out.len();
        match &self.values {
            Values::F16(bytes) => {
                out.resize(start + bytes.len() / 2, 0.0);
                f16_to_f32(bytes, &mut out[start..]);
            }
            Values::F32(bytes) => out.extend(
                bytes
                    .chunks_exact(4)
                    .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])),
            ),
            Values::Owned(v) => out.extend_from_slice(v),
        }
    }

    /// The values as a table whose rows are widened when read: f16 stays f16 (half the
    /// memory of the largest tensor, the word embeddings).
    pub(super) fn into_table(self, width: usize) -> Table {
        match self.values {
            Values::F16(bytes) => Table::F16 {
                bits: bytes.to_vec(),
                width,
            },
            _ => Table::F32 {
                values: self.into_f32(),
                width,
            },
        }
    }
}

/// `out.len()` little-endian f16 values of `bytes`, widened.
fn f16_to_f32(bytes: &[u8], out: &mut [f32]) {
    use half::slice::{HalfBitsSliceExt, HalfFloatSliceExt};
    match bytemuck::try_cast_slice::<u8, u16>(bytes) {
        // A safetensors file's tensors are aligned (the format pads its header), and on a
        // little-endian CPU the bytes are the values: convert in place.
        Ok(bits) if cfg!(target_endian = "little") => bits
            .reinterpret_cast::<half::f16>()
            .convert_to_f32_slice(out),
        _ => {
            let bits: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            bits.reinterpret_cast::<half::f16>()
                .convert_to_f32_slice(out)
        }
    }
}

/// Rows of `width` values, read one at a time (the embedding tables).
pub(super) enum Table {
    F16 { bits: Vec<u8>, width: usize },
    F32 { values: Vec<f32>, width: usize },
}

impl Table {
    /// Row `i` into `out` (`width` values); false when there is no such row.
    pub(super) fn row(&self, i: usize, out: &mut [f32]) -> bool {
        match self {
            Table::F16 { bits, width } => match bits.get(i * width * 2..(i + 1) * width * 2) {
                Some(b) => {
                    f16_to_f32(b, out);
                    true
                }
                None => false,
            },
            Table::F32 { values, width } => match values.get(i * width..(i + 1) * width) {
                Some(v) => {
                    out.copy_from_slice(v);
                    true
                }
                None => false,
            },
        }
    }
}
