use super::*;

/// A tiny network's shape.
fn tiny(act: &str) -> Shape {
    Shape {
        vocab_size: 10,
        hidden_size: 8,
        num_hidden_layers: 2,
        num_attention_heads: 2,
        intermediate_size: 16,
        max_position_embeddings: 8,
        type_vocab_size: 2,
        layer_norm_eps: 1e-12,
        hidden_act: act.into(),
    }
}

/// Every tensor of `shape`'s network, filled with values from a fixed pseudo-random
/// sequence in -1..1.
fn random_weights(shape: &Shape) -> Checkpoint<'static> {
    let (h, i) = (shape.hidden_size, shape.intermediate_size);
    let mut names: Vec<(String, Vec<usize>)> = vec![
        (
            "embeddings.word_embeddings.weight".into(),
            vec![shape.vocab_size, h],
        ),
        (
            "embeddings.position_embeddings.weight".into(),
            vec![shape.max_position_embeddings, h],
        ),
        (
            "embeddings.token_type_embeddings.weight".into(),
            vec![shape.type_vocab_size, h],
        ),
        ("embeddings.LayerNorm.weight".into(), vec![h]),
        ("embeddings.LayerNorm.bias".into(), vec![h]),
    ];
    for l in 0..shape.num_hidden_layers {
        let p = format!("encoder.layer.{l}");
        for part in ["query", "key", "value"] {
            names.push((format!("{p}.attention.self.{part}.weight"), vec![h, h]));
            names.push((format!("{p}.attention.self.{part}.bias"), vec![h]));
        }
        for (name, dims) in [
            ("attention.output.dense.weight", vec![h, h]),
            ("attention.output.dense.bias", vec![h]),
            ("attention.output.LayerNorm.weight", vec![h]),
            ("attention.output.LayerNorm.bias", vec![h]),
            ("intermediate.dense.weight", vec![i, h]),
            ("intermediate.dense.bias", vec![i]),
            ("output.dense.weight", vec![h, i]),
            ("output.dense.bias", vec![h]),
            ("output.LayerNorm.weight", vec![h]),
            ("output.LayerNorm.bias", vec![h]),
        ] {
            names.push((format!("{p}.{name}"), dims));
        }
    }
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    };
    Checkpoint::from_values(
        names
            .into_iter()
            .map(|(n, dims)| {
                let values = (0..dims.iter().product::<usize>())
                    .map(|_| next())
                    .collect();
                (n, (dims, values))
            })
            .collect(),
    )
}

#[test]
fn a_config_with_another_activation_is_refused_with_its_name() {
    let shape = tiny("relu");
    let err = Bert::load(random_weights(&shape), &shape, Precision::F32)
        .err()
        .expect("refused")
        .to_string();
    assert!(err.contains("relu"), "{err}");
}

#[test]
fn a_missing_or_misshapen_tensor_is_named() {
    let shape = tiny("gelu");
    let mut w = random_weights(&shape);
    w.0.remove("encoder.layer.1.output.dense.bias");
    let err = Bert::load(w, &shape, Precision::F32)
        .err()
        .expect("refused")
        .to_string();
    assert!(err.contains("encoder.layer.1.output.dense.bias"), "{err}");
    let mut w = random_weights(&shape);
    w.0.get_mut("embeddings.LayerNorm.weight").unwrap().shape = vec![4, 2];
    let err = Bert::load(w, &shape, Precision::F32)
        .err()
        .expect("refused")
        .to_string();
    assert!(err.contains("embeddings.LayerNorm.weight"), "{err}");
}

/// F32 and each int8 kernel this CPU has.
fn precisions() -> Vec<Precision> {
    let mut all = vec![Precision::F32];
    all.extend(
        Kernel::ALL
            .into_iter()
            .filter(|k| k.available())
            .map(Precision::Int8),
    );
    all
}

#[test]
fn padding_does_not_change_the_states_of_real_tokens() {
    // The states of a 3-token text must not depend on whether two padding positions
    // follow it, nor on another text in the same batch.
    let shape = tiny("gelu");
    for precision in precisions() {
        let bert = Bert::load(random_weights(&shape), &shape, precision).unwrap();
        let short = bert.forward(&[1, 5, 2], &[1, 1, 1], 1).unwrap();
        let long = bert
            .forward(
                &[1, 5, 2, 0, 0, 3, 3, 4, 9, 7],
                &[1, 1, 1, 0, 0, 1, 1, 1, 1, 1],
                2,
            )
            .unwrap();
        let diff = short
            .iter()
            .zip(&long[..short.len()])
            .fold(0f32, |m, (a, b)| m.max((a - b).abs()));
        assert!(
            diff < 1e-5,
            "{precision:?}: padding changed the states by {diff}"
        );
    }
}

#[test]
fn int8_states_stay_close_to_f32_states() {
    let shape = tiny("gelu");
    let f32_states = Bert::load(random_weights(&shape), &shape, Precision::F32)
        .unwrap()
        .forward(&[1, 5, 2, 7, 3], &[1; 5], 1)
        .unwrap();
    for precision in precisions().into_iter().skip(1) {
        let states = Bert::load(random_weights(&shape), &shape, precision)
            .unwrap()
            .forward(&[1, 5, 2, 7, 3], &[1; 5], 1)
            .unwrap();
        for (a, b) in f32_states.chunks(8).zip(states.chunks(8)) {
            let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
            let na: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
            let nb: f32 = b.iter().map(|x| x * x).sum::<f32>().sqrt();
            assert!(
                dot / (na * nb) > 0.99,
                "{precision:?}: cosine {}",
                dot / (na * nb)
            );
        }
    }
}
