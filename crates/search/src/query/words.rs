//! The words of a question that say something about its form rather than its subject:
//! stopwords, reading and stack words, layer hints. The lists are data, in
//! `knowledge/words.toml` ([`Words`]); this file only reads them.

use archie_knowledge::words::Words;
use archie_knowledge::Layer;

pub fn is_stopword(w: &str) -> bool {
    Words::get().is_stopword(w)
}

pub(super) fn layer_hints(words: &[String]) -> Vec<Layer> {
    Words::get().layer_hints(words)
}

/// Per word, whether it asks for something to read: a reading word anywhere, or a verb of
/// reading ("read", "learn") in a request's place (followed by "on", "about", "up" … or
/// ending the question). "read" before a noun is the subject: a read replica.
pub(super) fn reading_request(words: &[String]) -> Vec<bool> {
    let w = Words::get();
    (0..words.len())
        .map(|i| {
            let word = words[i].as_str();
            if w.reading.contains(word) {
                // "their services talk to each other", "post with a webhook": a verb, unless
                // an article or a qualifier makes it a noun ("a talk to watch").
                let verb = words
                    .get(i + 1)
                    .is_some_and(|n| w.reading_verb_after.contains(n.as_str()));
                let noun = i
                    .checked_sub(1)
                    .and_then(|p| words.get(p))
                    .is_some_and(|p| w.reading_noun_after.contains(p.as_str()));
                return !verb || noun;
            }
            if !w.reading_verbs.contains(word) {
                return false;
            }
            match words.get(i + 1) {
                None => true,
                Some(next) => w.reading_after.contains(next.as_str()),
            }
        })
        .collect()
}

/// Whether any of the words asks for a company's technologies.
pub(super) fn has_stack_word(words: &[String]) -> bool {
    let w = Words::get();
    words.iter().any(|x| w.stack.contains(x))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn read_is_a_request_only_in_a_requests_place() {
        assert_eq!(
            reading_request(&ws("what should i read on sharding")),
            [false, false, false, true, false, false]
        );
        assert!(reading_request(&ws("something to read")).ends_with(&[true]));
        assert!(!reading_request(&ws("how do read replicas help"))
            .into_iter()
            .any(|x| x));
        let model = reading_request(&ws("keep the read model apart any reading on that"));
        assert!(!model[2] && model[6]);
        assert!(
            !reading_request(&ws("how do their services talk to each other"))
                .into_iter()
                .any(|x| x)
        );
        assert!(reading_request(&ws("a good talk to watch on sharding"))[2]);
    }
}
