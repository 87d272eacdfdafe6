//! Typo correction: single-word names a misspelt word may stand for.

use super::names::Recognised;
use archie_knowledge::Knowledge;

/// The closest name key to a typed word, with its edit distance.
type NearestKey = Option<(usize, String)>;

/// Single-word names that a typo may stand for, by first letter and length. Like most
/// spelling correctors it assumes the first letter is right ("twiter", "instagarm"), so a
/// typed word is compared with a handful of names instead of all of them.
#[derive(Debug, Default)]
pub struct TypoIndex {
    buckets: std::collections::HashMap<(char, usize), Vec<(String, bool)>>,
}

impl TypoIndex {
    pub fn new(k: &Knowledge) -> TypoIndex {
        let mut t = TypoIndex::default();
        let companies = k
            .companies
            .keys()
            .filter(|(_, c)| c.detect)
            .map(|(key, _)| (key, true));
        let techs = k
            .techs
            .keys()
            .filter(|(_, t)| t.detect)
            .map(|(key, _)| (key, false));
        for (key, is_company) in companies.chain(techs) {
            let len = key.chars().count();
            if let (Some(first), true) = (key.chars().next(), len >= 4) {
                t.buckets
                    .entry((first, len))
                    .or_default()
                    .push((key.to_string(), is_company));
            }
        }
        t
    }

    /// The closest company key and technology key within `budget` edits: (distance, key).
    pub(super) fn closest(&self, w: &str, budget: usize) -> (NearestKey, NearestKey) {
        let (mut c, mut t): (NearestKey, NearestKey) = (None, None);
        let Some(first) = w.chars().next() else {
            return (c, t);
        };
        let wlen = w.chars().count();
        for len in wlen.saturating_sub(budget)..=wlen + budget {
            for (key, is_company) in self.buckets.get(&(first, len)).into_iter().flatten() {
                let d = strsim::osa_distance(w, key);
                let slot = if *is_company { &mut c } else { &mut t };
                if d <= budget && slot.as_ref().is_none_or(|b| d < b.0) {
                    *slot = Some((d, key.clone()));
                }
            }
        }
        (c, t)
    }
}

/// Edit distance allowed for a typed word of this length to count as a typo of a name.
pub(super) fn typo_budget(len: usize) -> usize {
    match len {
        0..=4 => 0,
        5..=7 => 1,
        _ => 2,
    }
}

/// Replaces unknown words close to a single-word name by that name (companies win ties),
/// recording each correction.
pub(super) fn correct_typos(
    r: &mut Recognised,
    k: &Knowledge,
    typos: &TypoIndex,
    words: &[String],
    is_stopword: &dyn Fn(&str) -> bool,
    known_word: &dyn Fn(&str) -> bool,
) {
    for (i, w) in words.iter().enumerate() {
        if r.used[i] || is_stopword(w) || known_word(w) || w.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let budget = typo_budget(w.chars().count());
        if budget == 0 {
            continue;
        }
        let (c, t) = typos.closest(w, budget);
        match (c, t) {
            (Some(c), t) if t.as_ref().is_none_or(|t| c.0 <= t.0) => {
                if let Some(co) = k.companies.get(&c.1) {
                    r.corrections.push((w.clone(), co.name.clone()));
                    if !r.companies.contains(&co.id) {
                        r.companies.push(co.id.clone());
                    }
                    r.used[i] = true;
                }
            }
            (_, Some(t)) => {
                if let Some(te) = k.techs.get(&t.1) {
                    r.corrections.push((w.clone(), te.name.clone()));
                    if !r.techs.contains(&te.name) {
                        r.techs.push(te.name.clone());
                    }
                    r.used[i] = true;
                }
            }
            _ => {}
        }
    }
}
