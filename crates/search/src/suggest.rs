//! When nothing relevant is found: "did you mean" names and topics, and telling the name
//! of something the knowledge lacks from an unfamiliar word.

use super::index::terms;
use super::query::Understanding;
use super::semantic;
use super::Engine;

impl Engine {
    /// "Did you mean" for a question that found nothing: names its unknown words are a
    /// likely typo of, and reading-list topics close in meaning; nothing when nothing is
    /// close (an off-topic question gets no made-up leads).
    pub(super) fn suggestions(&self, u: &Understanding, qvec: Option<&[f32]>) -> Vec<String> {
        let k = &self.knowledge;
        let mut out: Vec<String> = Vec::new();
        let mut a = self.analyzer.clone();
        for w in &u.content_words {
            let known = terms(&mut a, w).iter().all(|t| self.df.contains_key(t));
            if w.chars().count() < 4 || known || k.topics.is_filler(w) {
                continue;
            }
            let names = k
                .companies
                .suggest_min(w, 2, SUGGEST_SIMILARITY)
                .into_iter()
                .map(|c| &c.name)
                .chain(
                    k.techs
                        .suggest_min(w, 2, SUGGEST_SIMILARITY)
                        .into_iter()
                        .map(|t| &t.name),
                );
            for n in names {
                if !out.contains(n) {
                    out.push(n.clone());
                }
            }
        }
        if let (Some(q), Some(v)) = (qvec, &self.vectors) {
            let mut topics: Vec<(f32, &str)> = Vec::new();
            for (i, e) in k.entries.iter().enumerate() {
                if let archie_knowledge::Detail::Reading { topic: Some(t), .. } = &e.detail {
                    let c = v.entry(i).map_or(0.0, |ev| semantic::cosine(q, ev));
                    if c >= SUGGEST_TOPIC_COSINE {
                        topics.push((c, t));
                    }
                }
            }
            topics.sort_by(|x, y| y.0.total_cmp(&x.0));
            for (_, t) in topics {
                if out.len() < 5 && !out.iter().any(|o| o == t) {
                    out.push(t.to_string());
                }
            }
        }
        out.truncate(5);
        out
    }
}

/// How alike (Jaro-Winkler) an unknown word and a name must be to suggest the name.
const SUGGEST_SIMILARITY: f64 = 0.88;
/// How close in meaning a reading-list topic must be to a declined question to offer it.
const SUGGEST_TOPIC_COSINE: f32 = 0.5;

/// Whether `word` (lowercase) stands in `question` the way a name does: capitalised, or as
/// the subject or owner of what is asked ("does figma scale", "at figma",
/// "roblox's servers", "roblox uses", "roblox backend"). Words are read within one clause:
/// "subtasks, run them" is no subject of "run".
pub(super) fn written_as_a_name(question: &str, word: &str) -> bool {
    const BEFORE: &[&str] = &["does", "did", "do", "at", "from", "by"];
    const AFTER: &[&str] = &["use", "uses", "used", "using", "run", "runs", "ran"];
    let stack = &archie_knowledge::words::Words::get().stack;
    clauses(question).any(|tokens| {
        tokens.iter().enumerate().any(|(i, t)| {
            let (bare, owner) = match t.strip_suffix("'s").or_else(|| t.strip_suffix("’s")) {
                Some(b) => (b, true),
                None => (*t, false),
            };
            if !bare.eq_ignore_ascii_case(word) {
                return false;
            }
            let lower = |j: usize| tokens.get(j).map(|t| t.to_lowercase());
            // A lowercase word ending in -ing after "by" or "from" is a verb ("by replaying").
            let verb = bare.ends_with("ing");
            let next = lower(i + 1);
            owner
                || bare.chars().any(char::is_uppercase)
                || !verb
                    && i.checked_sub(1)
                        .and_then(lower)
                        .is_some_and(|p| BEFORE.contains(&p.as_str()))
                || next.as_deref().is_some_and(|n| AFTER.contains(&n))
                // "<name> backend", "<name> infrastructure": what a company's stack is asked as.
                || !verb && next.is_some_and(|n| stack.contains(&n))
        })
    })
}

/// Whether `word` (lowercase) is written in `question` as an owner ("notion's sharding"):
/// what owns a system is a company or a product.
pub(super) fn written_as_an_owner(question: &str, word: &str) -> bool {
    clauses(question).flatten().any(|t| {
        t.strip_suffix("'s")
            .or_else(|| t.strip_suffix("’s"))
            .is_some_and(|b| b.eq_ignore_ascii_case(word))
    })
}

/// Whether `word` (lowercase) is the first word of `question`, where a question that is
/// a topic rather than a sentence puts its subject ("roblox matchmaking servers").
pub(super) fn leads_the_question(question: &str, word: &str) -> bool {
    clauses(question)
        .next()
        .and_then(|c| c.first().copied())
        .is_some_and(|t| t.eq_ignore_ascii_case(word))
}

/// The words of each clause of a question (split at , ; : . ! ? and line breaks).
fn clauses(question: &str) -> impl Iterator<Item = Vec<&str>> {
    question
        .split([',', ';', ':', '.', '!', '?', '\n'])
        .map(|clause| {
            clause
                .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
        })
        .filter(|c| !c.is_empty())
}

#[cfg(test)]
mod tests {
    use super::{leads_the_question, written_as_a_name};

    #[test]
    fn a_name_is_told_from_an_unfamiliar_word_by_where_it_stands() {
        assert!(written_as_a_name("What database does Figma use?", "figma"));
        assert!(written_as_a_name("how does figma sync files", "figma"));
        assert!(written_as_a_name("what's roblox's backend", "roblox"));
        assert!(written_as_a_name("roblox uses what for servers", "roblox"));
        assert!(written_as_a_name("the stack at figma", "figma"));
        assert!(!written_as_a_name(
            "any notes on trimming caches and tail latency?",
            "trimming"
        ));
        assert!(!written_as_a_name(
            "any notes on trimming caches and tail latency?",
            "latency"
        ));
        assert!(written_as_a_name("roblox backend, what is it", "roblox"));
        // Only whole words count, and only within a clause.
        assert!(!written_as_a_name("Figmas say hi", "figma"));
        assert!(!written_as_a_name(
            "split it into subtasks, run them in parallel",
            "subtasks"
        ));
        // A verb before a stack word is no name ("keep caching").
        assert!(!written_as_a_name("stop caching everything", "caching"));
    }

    #[test]
    fn a_question_that_is_a_topic_leads_with_its_subject() {
        assert!(leads_the_question("roblox matchmaking servers", "roblox"));
        assert!(!leads_the_question("how does roblox scale", "roblox"));
    }
}
