//! The form words of a question (`knowledge/words.toml`): stopwords, chat filler, the
//! words of reading and stack requests, layer hints, words of subjects that are not
//! software architecture, and Korean particles and function words. Embedded when the
//! program is built; a unit test keeps the file valid.

use super::Layer;
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

const SHIPPED: &str = include_str!("../../../knowledge/words.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WordsFile {
    stopwords: Vec<String>,
    filler: Vec<String>,
    reading: Vec<String>,
    reading_verbs: Vec<String>,
    reading_after: Vec<String>,
    reading_verb_after: Vec<String>,
    reading_noun_after: Vec<String>,
    reading_qualifiers: Vec<String>,
    stack: Vec<String>,
    quantity: Vec<String>,
    not_architecture: Vec<String>,
    everyday_owners: Vec<String>,
    not_architecture_requests: Vec<String>,
    #[serde(default)]
    asks_for_companies: Vec<String>,
    form_what_is_starts: Vec<String>,
    form_uses_question: Vec<String>,
    form_uses_verbs: Vec<String>,
    form_run_verbs: Vec<String>,
    form_uses_users: Vec<String>,
    form_uses_companies: Vec<String>,
    form_uses_starts: Vec<String>,
    form_specific: Vec<String>,
    form_listing: Vec<String>,
    follow_up_asking: Vec<String>,
    follow_up_another: Vec<String>,
    follow_up_personal: Vec<String>,
    follow_up_things: Vec<String>,
    follow_up_pointing: Vec<String>,
    follow_up_defining: Vec<String>,
    follow_up_questioning: Vec<String>,
    follow_up_turning: Vec<String>,
    follow_up_comparing: Vec<String>,
    follow_up_others: Vec<String>,
    korean_particles: Vec<String>,
    korean_filler: Vec<String>,
    korean_not_architecture: Vec<String>,
    korean_reading: Vec<String>,
    korean_stack: Vec<String>,
    layers: HashMap<String, Vec<String>>,
}

/// The lists of `words.toml`, as sets.
#[derive(Debug, Default)]
pub struct Words {
    pub stopwords: HashSet<String>,
    /// Chat filler, English and Korean.
    pub filler: HashSet<String>,
    /// Reading-request words, English and Korean.
    pub reading: HashSet<String>,
    pub reading_verbs: HashSet<String>,
    pub reading_after: HashSet<String>,
    /// After a reading word, making it a verb ("talk to").
    pub reading_verb_after: HashSet<String>,
    /// Before a reading word, keeping it a noun ("a talk to watch").
    pub reading_noun_after: HashSet<String>,
    pub reading_qualifiers: HashSet<String>,
    /// Stack-request words, English and Korean.
    pub stack: HashSet<String>,
    pub quantity: Vec<String>,
    pub not_architecture: HashSet<String>,
    /// Everyday owners ("our company's"): no company's name.
    pub everyday_owners: HashSet<String>,
    /// Descriptions of the kinds of request that ask nothing about software architecture,
    /// compared by meaning with a question.
    pub not_architecture_requests: Vec<String>,
    /// Words that ask which companies do something ("who", "companies"): an answer
    /// about a company beats a general one when none is named.
    pub asks_for_companies: HashSet<String>,
    /// The forms of a question (`form_*` in `knowledge/words.toml`).
    pub form: FormWords,
    /// How a follow-up points back (see `follow_up_*` in `knowledge/words.toml`).
    pub follow_up: FollowUpWords,
    /// Longest first.
    pub korean_particles: Vec<String>,
    /// Layer → its hint words, in `Layer::ALL` order.
    pub layers: Vec<(Layer, HashSet<String>)>,
}

/// The words of a question's forms: "what is X", "who uses X", "how/why".
#[derive(Debug, Clone, Default)]
pub struct FormWords {
    /// How a "what is" question begins.
    pub what_is_starts: Vec<String>,
    pub uses_question: HashSet<String>,
    /// Verbs of using ("use", "using").
    pub uses_verbs: HashSet<String>,
    /// Verbs of running ("runs").
    pub run_verbs: HashSet<String>,
    /// Those who use ("companies", "teams").
    pub uses_users: HashSet<String>,
    pub uses_companies: HashSet<String>,
    /// How a "who uses" question may begin ("users of ").
    pub uses_starts: Vec<String>,
    /// Asking about specifics ("how", "why").
    pub specific: HashSet<String>,
    /// Asking for the list of a stack ("stack", "tools").
    pub listing: HashSet<String>,
}

/// The words a follow-up points back with.
#[derive(Debug, Clone, Default)]
pub struct FollowUpWords {
    /// Asking "the same, about this" rather than naming a subject.
    pub asking: HashSet<String>,
    /// Asking the same of another name ("and", "about").
    pub another: HashSet<String>,
    /// Pronouns standing for the names spoken of.
    pub personal: HashSet<String>,
    /// Pronouns standing for a thing asked about.
    pub things: HashSet<String>,
    /// Pointing back at the subject.
    pub pointing: HashSet<String>,
    /// Asking what something is.
    pub defining: HashSet<String>,
    /// Making a message a question.
    pub questioning: HashSet<String>,
    /// Turning the same question to another name ("ok now mongodb").
    pub turning: HashSet<String>,
    /// Setting a name against the ones before ("over nosql?", "vs batch?").
    pub comparing: HashSet<String>,
    /// Asking beyond the names spoken of ("who else", "any other companies").
    pub others: HashSet<String>,
}

fn set(v: Vec<String>) -> HashSet<String> {
    v.into_iter().collect()
}

impl Words {
    fn parse(src: &str) -> Result<Words, String> {
        let f: WordsFile = toml::from_str(src).map_err(|e| e.to_string())?;
        let mut layers = Vec::new();
        for (key, ws) in f.layers {
            let layer = Layer::ALL
                .into_iter()
                .find(|l| l.key() == key)
                .ok_or_else(|| format!("unknown layer '{key}' in [layers]"))?;
            layers.push((layer, set(ws)));
        }
        layers.sort_by_key(|(l, _)| Layer::ALL.iter().position(|x| x == l));
        let mut korean_particles = f.korean_particles;
        korean_particles.sort_by_key(|p| std::cmp::Reverse(p.chars().count()));
        let mut filler = set(f.filler);
        filler.extend(f.korean_filler);
        let mut reading = set(f.reading);
        reading.extend(f.korean_reading);
        let mut stack = set(f.stack);
        stack.extend(f.korean_stack);
        let mut not_architecture = set(f.not_architecture);
        not_architecture.extend(f.korean_not_architecture);
        Ok(Words {
            stopwords: set(f.stopwords),
            filler,
            reading,
            reading_verbs: set(f.reading_verbs),
            reading_after: set(f.reading_after),
            reading_verb_after: set(f.reading_verb_after),
            reading_noun_after: set(f.reading_noun_after),
            reading_qualifiers: set(f.reading_qualifiers),
            stack,
            quantity: f.quantity,
            not_architecture,
            everyday_owners: set(f.everyday_owners),
            not_architecture_requests: f.not_architecture_requests,
            asks_for_companies: set(f.asks_for_companies),
            form: FormWords {
                what_is_starts: f.form_what_is_starts,
                uses_question: set(f.form_uses_question),
                uses_verbs: set(f.form_uses_verbs),
                run_verbs: set(f.form_run_verbs),
                uses_users: set(f.form_uses_users),
                uses_companies: set(f.form_uses_companies),
                uses_starts: f.form_uses_starts,
                specific: set(f.form_specific),
                listing: set(f.form_listing),
            },
            follow_up: FollowUpWords {
                asking: set(f.follow_up_asking),
                another: set(f.follow_up_another),
                personal: set(f.follow_up_personal),
                things: set(f.follow_up_things),
                pointing: set(f.follow_up_pointing),
                defining: set(f.follow_up_defining),
                questioning: set(f.follow_up_questioning),
                turning: set(f.follow_up_turning),
                comparing: set(f.follow_up_comparing),
                others: set(f.follow_up_others),
            },
            korean_particles,
            layers,
        })
    }

    /// The lists this program was built with.
    pub fn get() -> &'static Words {
        static WORDS: OnceLock<Words> = OnceLock::new();
        WORDS.get_or_init(|| {
            Words::parse(SHIPPED).unwrap_or_else(|e| {
                // The unit test below keeps the shipped file valid; should it ever fail,
                // questions are read with no form words rather than not at all.
                tracing::error!(error = %e, "knowledge/words.toml is invalid");
                Words::default()
            })
        })
    }

    pub fn is_stopword(&self, w: &str) -> bool {
        self.stopwords.contains(w)
    }

    /// A stopword or chat filler.
    pub fn is_empty_word(&self, w: &str) -> bool {
        self.stopwords.contains(w) || self.filler.contains(w)
    }

    /// The layers the words hint at, in `Layer::ALL` order.
    pub fn layer_hints(&self, words: &[String]) -> Vec<Layer> {
        self.layers
            .iter()
            .filter(|(_, ws)| words.iter().any(|w| ws.contains(w)))
            .map(|(l, _)| *l)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use archie_text::normalize;

    #[test]
    fn the_shipped_word_lists_parse_and_are_written_normalised() {
        let w = Words::parse(SHIPPED).expect("knowledge/words.toml parses");
        assert!(w.stopwords.contains("the") && w.filler.contains("lol"));
        assert_eq!(w.layers.len(), 9);
        let all = w
            .stopwords
            .iter()
            .chain(&w.filler)
            .chain(&w.reading)
            .chain(&w.stack)
            .chain(&w.not_architecture)
            .chain(&w.everyday_owners)
            .chain(&w.asks_for_companies)
            .chain(&w.form.uses_question)
            .chain(&w.form.uses_verbs)
            .chain(&w.form.run_verbs)
            .chain(&w.form.uses_users)
            .chain(&w.form.uses_companies)
            .chain(&w.form.specific)
            .chain(&w.form.listing)
            .chain(&w.follow_up.asking)
            .chain(&w.follow_up.personal)
            .chain(&w.follow_up.things)
            .chain(&w.follow_up.pointing)
            .chain(&w.follow_up.defining)
            .chain(&w.follow_up.questioning)
            .chain(&w.follow_up.turning)
            .chain(&w.follow_up.comparing)
            .chain(&w.follow_up.others)
            .chain(w.layers.iter().flat_map(|(_, s)| s));
        for word in all {
            assert_eq!(&normalize(word), word, "write '{word}' normalised");
            assert!(!word.contains(' '), "'{word}' must be one word");
        }
        // Longest particle first: 에서 is tried before 에.
        let i = |p: &str| w.korean_particles.iter().position(|x| x == p).unwrap();
        assert!(i("에서") < i("에"));
    }
}
