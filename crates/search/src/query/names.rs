//! Name recognition: the companies and technologies a question names, longest names
//! first, with ordinary-word names counted only when written as names.

use super::words::layer_hints;
use archie_knowledge::{Company, Knowledge};
use archie_text::compact_key;

/// What the names of a question account for.
#[derive(Debug, Default)]
pub(super) struct Recognised {
    /// Per word: whether a recognised name covers it.
    pub(super) used: Vec<bool>,
    /// Ids of the companies named, in order of appearance.
    pub(super) companies: Vec<String>,
    /// Canonical names of the technologies named.
    pub(super) techs: Vec<String>,
    /// Technologies whose name is also an ordinary word: (name, first word, word count).
    pub(super) weak_techs: Vec<(String, usize, usize)>,
    /// Words corrected to a name: (typed, name).
    pub(super) corrections: Vec<(String, String)>,
}

impl Recognised {
    fn take(&mut self, start: usize, n: usize) {
        self.used[start..start + n]
            .iter_mut()
            .for_each(|u| *u = true);
    }

    fn is_free(&self, start: usize, n: usize) -> bool {
        !self.used[start..start + n].iter().any(|&u| u)
    }
}

/// Spans of up to four words that are a name. Longest names first: "ruby on rails" before
/// "ruby", "google app engine" before "google".
pub(super) fn recognise_names(
    k: &Knowledge,
    question: &str,
    words: &[String],
    is_stopword: &dyn Fn(&str) -> bool,
) -> Recognised {
    let mut r = Recognised {
        used: vec![false; words.len()],
        ..Recognised::default()
    };
    for n in (1..=4usize).rev() {
        if n > words.len() {
            continue;
        }
        for start in 0..=(words.len() - n) {
            if !r.is_free(start, n) {
                continue;
            }
            let span = words[start..start + n].join(" ");
            if n == 1 && is_stopword(&span) {
                continue;
            }
            // The words are normalised already: their concatenation is the lookup key.
            let key = words[start..start + n].concat();
            if let Some(c) = company_named(k, question, &span, &key) {
                if !r.companies.contains(&c.id) {
                    r.companies.push(c.id.clone());
                }
                r.take(start, n);
            } else if let Some(t) = k.techs.get_key(&key) {
                if t.detect {
                    if !r.techs.contains(&t.name) {
                        r.techs.push(t.name.clone());
                    }
                    r.take(start, n);
                } else {
                    r.weak_techs.push((t.name.clone(), start, n));
                }
            }
        }
    }
    r
}

/// The company `key` names, if the question names it as a company.
fn company_named<'k>(
    k: &'k Knowledge,
    question: &str,
    span: &str,
    key: &str,
) -> Option<&'k Company> {
    let company = k.companies.get_key(key).filter(|c| {
        // Ordinary words ("box", "line") and one-letter names ("X") count only when
        // written the way the company writes them.
        let weak = !c.detect || key.chars().count() <= 2;
        !weak || written_as_named(question, span, c)
    });
    // A name that is both ("AWS": Amazon the company, AWS the technology) is the
    // technology unless it is the company's own name.
    company.filter(|c| {
        k.techs.get_key(key).is_none_or(|t| !t.detect) || compact_key(&c.name) == key || c.id == key
    })
}

/// A weak (ordinary-word) technology counts only when the question is plainly about it:
/// it is all the question says, or nearly all of a "what is"/"who uses" question
/// (`plain_form`), or it stands in a technical context.
pub(super) fn add_weak_techs(
    r: &mut Recognised,
    words: &[String],
    is_stopword: &dyn Fn(&str) -> bool,
    plain_form: bool,
) {
    for (name, start, n) in std::mem::take(&mut r.weak_techs) {
        if !r.is_free(start, n) {
            continue;
        }
        let rest = words
            .iter()
            .enumerate()
            .filter(|(i, w)| !(start..start + n).contains(i) && !is_stopword(w))
            .count();
        // In a technical context (another name, or a layer word such as "database"), the
        // name counts however it is written: "Does Quora run Play or Django?", "what are
        // kestrel and storm at twitter". Elsewhere an ordinary word stays a word.
        let named =
            !r.techs.is_empty() || !r.companies.is_empty() || !layer_hints(words).is_empty();
        if rest == 0 || (plain_form && rest <= 1) || named {
            if !r.techs.contains(&name) {
                r.techs.push(name);
            }
            r.take(start, n);
        }
    }
}

/// Whether the raw question writes one of the company's names with the company's own
/// capitalisation, as a whole word.
pub(super) fn written_as_named(question: &str, span: &str, c: &Company) -> bool {
    let key = compact_key(span);
    std::iter::once(&c.name)
        .chain(c.aliases.iter())
        .filter(|n| compact_key(n) == key)
        .any(|n| {
            question.match_indices(n.as_str()).any(|(i, m)| {
                let before = question[..i].chars().next_back();
                let after = question[i + m.len()..].chars().next();
                !before.is_some_and(char::is_alphanumeric)
                    && !after.is_some_and(char::is_alphanumeric)
            })
        })
}
