//! How the engine reads words as people type them: a plural in "-ys" ("companys"), an
//! English word missing one letter of a double ("actualy"), a layer written in Korean
//! ("캐싱").

use super::super::index::terms;
use super::Engine;

impl Engine {
    /// The English word for the layer a Hangul word names: of that layer's hint words,
    /// the one most entries hold.
    pub(super) fn english_layer_word(&self, w: &str) -> Option<String> {
        if !w.chars().any(crate::hangul::is_hangul) {
            return None;
        }
        let (_, hints) = archie_knowledge::words::Words::get()
            .layers
            .iter()
            .find(|(_, ws)| ws.contains(w))?;
        let mut a = self.analyzer.clone();
        let mut df = |e: &str| -> u32 {
            terms(&mut a, e)
                .iter()
                .map(|t| self.df.get(t).copied().unwrap_or(0))
                .min()
                .unwrap_or(0)
        };
        hints
            .iter()
            .filter(|e| e.is_ascii())
            .map(|e| (df(e), e))
            .max_by(|x, y| x.0.cmp(&y.0).then(y.1.cmp(x.1)))
            .map(|(_, e)| e.clone())
    }
}

/// `q` with each plural of a word in "y" written with a bare "s" ("companys", "citys")
/// spelt as English spells it ("companies"), when only that spelling is known.
pub(super) fn regular_plurals(q: &str, known: &dyn Fn(&str) -> bool) -> String {
    let respelt = |w: &str| -> Option<String> {
        let stem = w.strip_suffix("ys")?;
        let before = stem.chars().last()?;
        let vowel = "aeiou".contains(before.to_ascii_lowercase());
        let english = format!("{stem}ies");
        (!vowel && before.is_ascii_alphabetic() && !known(&w.to_lowercase()))
            .then_some(english)
            .filter(|e| known(&e.to_lowercase()))
    };
    q.split(' ')
        .map(|w| {
            let core = w.trim_end_matches(|c: char| !c.is_alphanumeric());
            match respelt(core) {
                Some(e) => format!("{e}{}", &w[core.len()..]),
                None => w.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `w` with one of its letters doubled, at each place: what "actualy" misspells.
pub(super) fn undoubled(w: &str) -> impl Iterator<Item = String> + '_ {
    w.char_indices()
        .filter(|(_, c)| c.is_ascii_alphabetic())
        .map(move |(i, c)| format!("{}{c}{}", &w[..i], &w[i..]))
}
