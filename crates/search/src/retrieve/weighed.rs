//! A question's terms weighed against an entry's: the shares of coverage and residual.

use std::collections::{HashMap, HashSet};

/// The analysed terms of one entry: vocabulary ids for base entries, strings for a
/// guild's own entries (their words need not be in the base vocabulary).
pub(crate) enum Terms<'a> {
    Base(&'a [u32]),
    Own(&'a HashSet<String>),
}

impl Terms<'_> {
    fn has(&self, term: &str, id: Option<u32>) -> bool {
        match self {
            Terms::Base(ids) => id.is_some_and(|id| ids.binary_search(&id).is_ok()),
            Terms::Own(set) => set.contains(term),
        }
    }
}

/// A question's analysed terms with their vocabulary ids and IDF weights.
pub(crate) struct WeighedTerms {
    pub(super) terms: Vec<(String, Option<u32>, f32)>,
    /// For a term that is a name written in Hangul ("트위터"), the terms of the name the
    /// entries are written with ("twitter"): an entry holding either holds the term.
    pub(super) written: Vec<Vec<(String, Option<u32>)>>,
    pub(super) total: f32,
}

impl WeighedTerms {
    /// The IDF-weighted share of these terms an entry holds (`empty` when there are none).
    /// Terms in `named` (the words of a concept's name the question uses, for an entry
    /// about that concept) count as held: "read model" names CQRS, whose reading is titled
    /// "CQRS" alone.
    pub(super) fn share(&self, et: &Terms, empty: f32, named: &HashSet<&str>) -> f32 {
        if self.total <= 0.0 {
            return empty;
        }
        self.terms
            .iter()
            .zip(&self.written)
            .filter(|((t, id, _), written)| {
                et.has(t, *id)
                    || named.contains(t.as_str())
                    || (!written.is_empty() && written.iter().all(|(t, id)| et.has(t, *id)))
            })
            .map(|x| x.0 .2)
            .sum::<f32>()
            / self.total
    }

    /// The share of these terms a set holds, each term's weight scaled by `scale`, and how
    /// many distinct terms it holds.
    pub(crate) fn scaled_share_of(
        &self,
        set: &HashSet<String>,
        scale: impl Fn(&str) -> f32,
    ) -> (f32, usize) {
        let (mut hit, mut total, mut held) = (0.0f32, 0.0f32, 0usize);
        for (t, _, w) in &self.terms {
            let x = w * scale(t);
            total += x;
            if set.contains(t) {
                hit += x;
                held += 1;
            }
        }
        if total <= 0.0 {
            return (0.0, 0);
        }
        (hit / total, held)
    }

    /// How many terms there are.
    pub(crate) fn len(&self) -> usize {
        self.terms.len()
    }

    /// Term → weight, for marking and choosing excerpt sentences.
    pub fn weights(&self) -> HashMap<String, f32> {
        self.terms.iter().map(|(t, _, w)| (t.clone(), *w)).collect()
    }
}
