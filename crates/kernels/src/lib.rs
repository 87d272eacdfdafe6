//! The sentence encoder's CPU kernels: an int8 dense layer ([`int8`]) whose products run
//! on AVX-512 VNNI, AVX2 or portable code chosen at run time, and the row operations
//! around it ([`rows`]: layer norm, GELU, softmax) on plain `f32` slices.
//!
//! A crate of its own so that it is compiled optimised in every profile: the tests run
//! the encoder, and these loops are most of its time.
//!
//! # Layout
//!
//! - `int8/avx2.rs` — The AVX2 kernel: `vpmaddubsw` multiplies input bytes by 7-bit weights in pairs, and `vpmaddwd` by ones widens the pair sums to 32 bits.
//! - `int8/mod.rs` — An int8 dense layer, `y = x·Wᵀ + b`, whose products run in a SIMD kernel chosen at run time.
//! - `int8/pack.rs` — Quantization and packing: the int8 weights, the u8 activation rows, and the step from integer sums back to f32, shared by every kernel.
//! - `int8/portable.rs` — The portable kernel: the same integer sums as the SIMD kernels, in plain Rust for any target.
//! - `int8/tests.rs` — unit tests of the module beside it.
//! - `int8/vnni.rs` — The AVX-512 VNNI kernel: one `vpdpbusd` multiplies 4 input bytes of a row by a packed tile and adds them into 16 output sums.
//! - `rows.rs` — Row operations of a transformer block on `f32` slices: layer norm, GELU, masked softmax.

pub mod int8;
pub mod rows;
