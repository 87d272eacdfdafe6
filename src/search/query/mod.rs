//! Query understanding: normalises the question, recognises companies and technologies
//! (canonical names, aliases, other scripts, small typos) and the intent behind it.

use crate::knowledge::{Knowledge, Layer};
use crate::text::{compact_key, normalize};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    /// "what does Twitter use", "Trello database", "instagram stack"
    Stack,
    /// "who uses Redis", "which companies use kafka"
    Uses,
    /// "what is Gearman", "thrift"
    WhatIs,
    /// "articles about caching", "microservices at Spotify"
    Reading,
    General,
}

#[derive(Debug, Clone, Serialize)]
pub struct Understanding {
    pub normalized: String,
    /// Ids of the companies named, in order of appearance.
    pub companies: Vec<String>,
    /// Canonical names of the technologies named.
    pub techs: Vec<String>,
    pub intent: Intent,
    pub layers: Vec<Layer>,
    /// Words that carry meaning (not stopwords), as typed after normalisation.
    pub content_words: Vec<String>,
    /// Words that were corrected to a known name: (typed, name).
    pub corrections: Vec<(String, String)>,
    /// Content words not explained by a recognised name: what an answer must also cover.
    pub residual_words: Vec<String>,
    /// A "how/why/where" question: it wants an explanation more than a list.
    pub explanatory: bool,
    /// A "how much/how many/how big" question: it wants a figure.
    pub quantity: bool,
    /// Words that look like names the knowledge does not hold (set by the engine, which
    /// knows the vocabularies); meaning alone must not answer such a question.
    pub unknown_names: Vec<String>,
}

/// Words that say nothing about the subject of a question.
pub const STOPWORDS: &[&str] = &[
    "a", "about", "an", "and", "any", "are", "as", "at", "be", "by", "can", "could", "did", "do",
    "does", "doing", "for", "from", "get", "give", "has", "have", "how", "i", "in", "into", "is",
    "it", "its", "let", "me", "much", "many", "my", "of", "on", "or", "our", "s", "should", "so",
    "some", "tell", "that", "the", "their", "them", "there", "these", "they", "this", "to", "up",
    "us", "was", "we", "were", "what", "whats", "when", "where", "which", "who", "whom", "why",
    "will", "with", "would", "you", "your", "please", "show", "list", "find", "know", "want",
    "need", "use", "uses", "used", "using",
];

const READING_WORDS: &[&str] = &[
    "article",
    "articles",
    "read",
    "reading",
    "readings",
    "paper",
    "papers",
    "talk",
    "talks",
    "book",
    "books",
    "blog",
    "blogs",
    "post",
    "posts",
    "resources",
    "links",
    "learn",
    "learning",
    "case",
    "study",
    "studies",
];

/// Words that only qualify a reading request ("any good writeups", "recommend a solid
/// talk"): dropped from its topic, like the reading words themselves.
const READING_QUALIFIERS: &[&str] = &[
    "good",
    "great",
    "best",
    "nice",
    "solid",
    "interesting",
    "useful",
    "recommend",
    "recommended",
    "recommendation",
    "recommendations",
    "suggest",
    "suggestions",
    "worth",
];

const STACK_WORDS: &[&str] = &[
    "stack",
    "stacks",
    "tech",
    "technology",
    "technologies",
    "built",
    "build",
    "run",
    "runs",
    "backend",
    "architecture",
    "infrastructure",
    "infra",
    "tools",
    "tool",
    "software",
    "database",
    "databases",
    "db",
    "storage",
    "cache",
    "caching",
    "queue",
    "queues",
    "monitoring",
    "deploy",
    "deployment",
    "deployments",
    "hosting",
    "host",
    "hosted",
    "server",
    "servers",
    "language",
    "languages",
    "framework",
    "frameworks",
    "load",
    "balancer",
    "balancing",
    "proxy",
    "search",
    "jobs",
    "messaging",
    "logging",
    "os",
    "cloud",
    "data",
    "datastore",
    "nosql",
    "sql",
    "open",
    "source",
    "power",
    "powers",
];

pub fn is_stopword(w: &str) -> bool {
    STOPWORDS.contains(&w)
}

fn layer_hints(words: &[String]) -> Vec<Layer> {
    let mut out = Vec::new();
    let has = |ws: &[&str]| words.iter().any(|w| ws.contains(&w.as_str()));
    let mut add = |l: Layer, cond: bool| {
        if cond && !out.contains(&l) {
            out.push(l)
        }
    };
    add(
        Layer::Data,
        has(&[
            "database",
            "databases",
            "db",
            "storage",
            "store",
            "datastore",
            "sql",
            "nosql",
            "persistence",
        ]),
    );
    add(Layer::Cache, has(&["cache", "caching", "cached"]));
    add(
        Layer::Queue,
        has(&[
            "queue",
            "queues",
            "jobs",
            "job",
            "messaging",
            "async",
            "workers",
            "tasks",
        ]),
    );
    add(Layer::Search, has(&["search", "indexing", "fulltext"]));
    add(
        Layer::Monitoring,
        has(&[
            "monitoring",
            "monitor",
            "metrics",
            "logging",
            "logs",
            "alerting",
            "alerts",
        ]),
    );
    add(
        Layer::Deploy,
        has(&[
            "deploy",
            "deployment",
            "deployments",
            "deploying",
            "ci",
            "automation",
            "provisioning",
        ]),
    );
    add(
        Layer::Hosting,
        has(&[
            "hosting",
            "host",
            "hosted",
            "cloud",
            "os",
            "infrastructure",
            "infra",
            "aws",
        ]),
    );
    add(
        Layer::Web,
        has(&[
            "balancer",
            "balancing",
            "proxy",
            "webserver",
            "http",
            "frontend",
        ]),
    );
    add(
        Layer::Language,
        has(&[
            "language",
            "languages",
            "framework",
            "frameworks",
            "backend",
            "written",
        ]),
    );
    out
}

/// The closest name key to a typed word, with its edit distance.
type Near = Option<(usize, String)>;

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
    fn closest(&self, w: &str, budget: usize) -> (Near, Near) {
        let (mut c, mut t): (Near, Near) = (None, None);
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
fn typo_budget(len: usize) -> usize {
    match len {
        0..=4 => 0,
        5..=7 => 1,
        _ => 2,
    }
}

/// Understands a question against the known companies and technologies.
/// `known_word` says whether a word (normalised) exists in the indexed vocabulary; only
/// unknown words are candidates for typo correction.
pub fn understand(
    k: &Knowledge,
    typos: &TypoIndex,
    question: &str,
    known_word: &dyn Fn(&str) -> bool,
) -> Understanding {
    let normalized = normalize(question);
    // Chat words read as the knowledge's words ("db" → "database"); filler is skipped like
    // a stopword.
    let words: Vec<String> = normalized
        .split(' ')
        .filter(|w| !w.is_empty())
        .flat_map(|w| match k.topics.meaning(w) {
            Some(m) => m.to_vec(),
            None => vec![w.to_string()],
        })
        .collect();
    let is_stopword = |w: &str| is_stopword(w) || k.topics.is_filler(w);
    let mut used = vec![false; words.len()];
    let mut companies: Vec<String> = Vec::new();
    let mut techs: Vec<String> = Vec::new();
    let mut weak_techs: Vec<(String, usize, usize)> = Vec::new();
    let mut corrections = Vec::new();

    // Longest names first: "ruby on rails" before "ruby", "google app engine" before "google".
    for n in (1..=4usize).rev() {
        if n > words.len() {
            continue;
        }
        for start in 0..=(words.len() - n) {
            if used[start..start + n].iter().any(|&u| u) {
                continue;
            }
            let span = words[start..start + n].join(" ");
            if n == 1 && is_stopword(&span) {
                continue;
            }
            // The words are normalised already: their concatenation is the lookup key.
            let key = words[start..start + n].concat();
            let company = k.companies.get_key(&key).filter(|c| {
                // Ordinary words ("box", "line") and one-letter names ("X") count only when
                // written the way the company writes them.
                let weak = !c.detect || key.chars().count() <= 2;
                !weak || written_as_named(question, &span, c)
            });
            // A name that is both ("AWS": Amazon the company, AWS the technology) is the
            // technology unless it is the company's own name.
            let company = company.filter(|c| {
                k.techs.get_key(&key).is_none_or(|t| !t.detect)
                    || compact_key(&c.name) == key
                    || c.id == key
            });
            if let Some(c) = company {
                if !companies.contains(&c.id) {
                    companies.push(c.id.clone());
                }
                used[start..start + n].iter_mut().for_each(|u| *u = true);
            } else if let Some(t) = k.techs.get_key(&key) {
                if t.detect {
                    if !techs.contains(&t.name) {
                        techs.push(t.name.clone());
                    }
                    used[start..start + n].iter_mut().for_each(|u| *u = true);
                } else {
                    weak_techs.push((t.name.clone(), start, n));
                }
            }
        }
    }

    // Typos: unknown words close to a single-word name.
    for (i, w) in words.iter().enumerate() {
        if used[i] || is_stopword(w) || known_word(w) || w.chars().all(|c| c.is_ascii_digit()) {
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
                    corrections.push((w.clone(), co.name.clone()));
                    if !companies.contains(&co.id) {
                        companies.push(co.id.clone());
                    }
                    used[i] = true;
                }
            }
            (_, Some(t)) => {
                if let Some(te) = k.techs.get(&t.1) {
                    corrections.push((w.clone(), te.name.clone()));
                    if !techs.contains(&te.name) {
                        techs.push(te.name.clone());
                    }
                    used[i] = true;
                }
            }
            _ => {}
        }
    }

    // Content words, with typos replaced by the name they were corrected to.
    let content_words: Vec<String> = words
        .iter()
        .filter(|w| !is_stopword(w))
        .map(|w| match corrections.iter().find(|(typed, _)| typed == w) {
            Some((_, name)) => normalize(name),
            None => w.clone(),
        })
        .collect();
    let has = |ws: &[&str]| words.iter().any(|w| ws.contains(&w.as_str()));
    let starts = |p: &str| normalized.starts_with(p);
    let whatis_form = starts("what is ")
        || starts("what s ")
        || starts("whats ")
        || starts("what are ")
        || starts("define ")
        || starts("explain ")
        || starts("tell me about ")
        || starts("describe ");
    let uses_form = (has(&["who", "which", "what"])
        && has(&["use", "uses", "using", "run", "runs", "runs"])
        && has(&["who", "companies", "company", "sites", "teams"]))
        || (has(&["companies", "company"]) && has(&["use", "uses", "using"]))
        || normalized.starts_with("users of ");

    // A weak (ordinary-word) technology counts only when the question is plainly about it.
    for (name, start, n) in weak_techs {
        if used[start..start + n].iter().any(|&u| u) {
            continue;
        }
        let rest = words
            .iter()
            .enumerate()
            .filter(|(i, w)| !(start..start + n).contains(i) && !is_stopword(w))
            .count();
        // In a technical context (another name, or a layer word such as "database"), the
        // product's own spelling is enough: "Does Quora run Play or Django?".
        let technical =
            !techs.is_empty() || !companies.is_empty() || !layer_hints(&words).is_empty();
        let span = words[start..start + n].join(" ");
        let named = technical
            && k.techs
                .get(&name)
                .is_some_and(|t| written_as_named_tech(question, &span, t));
        if rest == 0 || ((whatis_form || uses_form) && rest <= 1) || named {
            if !techs.contains(&name) {
                techs.push(name);
            }
            used[start..start + n].iter_mut().for_each(|u| *u = true);
        }
    }

    let leftover: Vec<&String> = words
        .iter()
        .enumerate()
        .filter(|(i, w)| !used[*i] && !is_stopword(w))
        .map(|(_, w)| w)
        .collect();
    // "how does X shard", "why does X keep ..." ask about specifics, not the stack list.
    let specific = has(&["how", "why", "where", "when"])
        && !has(&[
            "stack",
            "stacks",
            "tech",
            "technology",
            "technologies",
            "tools",
        ]);
    let intent = if !techs.is_empty() && companies.is_empty() && uses_form {
        Intent::Uses
    } else if !techs.is_empty() && companies.is_empty() && (whatis_form || leftover.is_empty()) {
        Intent::WhatIs
    } else if has(READING_WORDS)
        || (!companies.is_empty()
            && words.iter().any(|w| w == "at")
            && !leftover.is_empty()
            && !has(STACK_WORDS))
    {
        Intent::Reading
    } else if !companies.is_empty()
        && !specific
        && (has(STACK_WORDS) || leftover.is_empty() || has(&["use", "uses", "using"]))
    {
        Intent::Stack
    } else {
        Intent::General
    };
    let quantity = [
        "how many",
        "how much",
        "how big",
        "how large",
        "how fast",
        "how often",
        "how long",
        "what size",
        "number of",
        "per second",
        "per day",
        "a day",
        "a second",
    ]
    .iter()
    .any(|p| normalized.contains(p));
    let mut residual_words: Vec<String> = words
        .iter()
        .enumerate()
        .filter(|(i, w)| !used[*i] && !is_stopword(w))
        .map(|(_, w)| w.clone())
        .collect();
    let mut content_words = content_words;
    // In a reading request, "articles", "read" or "talks" say what kind of answer is
    // wanted, not what it is about: the topic is the rest ("writeups on sharding").
    if intent == Intent::Reading {
        let topic = |ws: &mut Vec<String>| {
            let rest: Vec<String> = ws
                .iter()
                .filter(|w| {
                    !READING_WORDS.contains(&w.as_str())
                        && !READING_QUALIFIERS.contains(&w.as_str())
                })
                .cloned()
                .collect();
            if !rest.is_empty() {
                *ws = rest;
            }
        };
        topic(&mut content_words);
        topic(&mut residual_words);
    }
    Understanding {
        residual_words,
        explanatory: specific,
        quantity,
        layers: layer_hints(&words),
        normalized,
        companies,
        techs,
        intent,
        content_words,
        corrections,
        unknown_names: Vec::new(),
    }
}

/// Whether the raw question writes one of the company's names with the company's own
/// capitalisation, as a whole word.
fn written_as_named(question: &str, span: &str, c: &crate::knowledge::Company) -> bool {
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

/// Whether the raw question writes a technology's name the product's own way (with a
/// capital, not as the sentence's first word), as a whole word.
fn written_as_named_tech(question: &str, span: &str, t: &crate::knowledge::Tech) -> bool {
    let key = compact_key(span);
    std::iter::once(&t.name)
        .chain(t.aliases.iter())
        .filter(|n| compact_key(n) == key && n.chars().any(char::is_uppercase))
        .any(|n| {
            question.match_indices(n.as_str()).any(|(i, m)| {
                let before = question[..i].chars().next_back();
                let after = question[i + m.len()..].chars().next();
                i > 0
                    && !before.is_some_and(char::is_alphanumeric)
                    && !after.is_some_and(char::is_alphanumeric)
            })
        })
}

/// Compact keys of words, for comparing a question with a stored question.
pub fn word_set(s: &str) -> Vec<String> {
    let mut v: Vec<String> = normalize(s)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(compact_key)
        .collect();
    v.sort();
    v.dedup();
    v
}
