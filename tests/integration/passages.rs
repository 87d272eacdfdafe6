//! No question crashes `archie ask --json`, whatever its text: questions cut from the
//! knowledge base's own passages (where the multi-byte characters of real articles are:
//! U+00A0, curly quotes, bullets), and random Unicode fed to query understanding. The same
//! random Unicode, worded as passages, goes through `sentences`, `excerpt` and `answering`.
//!
//! The property tests run 12 to 2,000 cases by default (`support::config`); set
//! `PROPTEST_CASES` (for example `PROPTEST_CASES=5000 cargo test --test integration
//! passages`) for a longer run.

use archie::app::App;
use archie::commands::{execute, Caller, Command};
use archie::knowledge::{Kind, Knowledge};
use archie::search::excerpt::{
    answering, excerpt, sentences, Excerpt, Segment, MAX_SENTENCE_CHARS,
};
use archie::search::index::{analyzer, terms};
use proptest::prelude::*;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

pub(crate) fn app() -> &'static App {
    static APP: OnceLock<App> = OnceLock::new();
    APP.get_or_init(|| {
        let dir = crate::support::shipped_dir();
        let k = Knowledge::load(&dir).expect("shipped knowledge loads");
        App::in_memory(k).expect("engine builds")
    })
}

/// What `archie ask --json QUESTION` prints, computed in process: the same command, the
/// same default limit, the same JSON.
fn ask_json(question: &str) -> serde_json::Value {
    let reply = execute(
        app(),
        &Caller::default(),
        &Command::Ask {
            question: question.to_string(),
            page: 0,
            per_page: 5,
        },
    );
    archie::terminal::reply_json(&reply)
}

/// The article, Q&A and note passages of the shipped knowledge: (entry id, text).
fn passages() -> Vec<(String, String)> {
    app()
        .engine
        .knowledge()
        .entries
        .iter()
        .filter(|e| matches!(e.kind, Kind::Article | Kind::Qa | Kind::Note))
        .map(|e| (e.id.clone(), e.text.clone()))
        .collect()
}

/// Questions cut from `text`: sliding windows of several sizes (cut anywhere, even inside
/// a word), a window around every non-ASCII character, and every sentence.
fn windows(text: &str) -> BTreeSet<String> {
    let bounds: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect();
    let n = bounds.len() - 1;
    let cut = |from: usize, to: usize| text[bounds[from]..bounds[to.min(n)]].to_string();
    let mut out = BTreeSet::new();
    for (size, step) in [(12, 29), (40, 53), (150, 97), (600, 301)] {
        let mut from = 0;
        while from < n {
            out.insert(cut(from, from + size));
            from += step;
        }
    }
    for (k, c) in text.chars().enumerate() {
        if !c.is_ascii() {
            out.insert(cut(k.saturating_sub(30), k + 30));
            // The character alone and at either end of a question.
            out.insert(cut(k, k + 1));
            out.insert(cut(k.saturating_sub(10), k + 1));
            out.insert(cut(k, k + 10));
        }
    }
    for r in sentences(text) {
        out.insert(text[r].to_string());
    }
    out
}

/// Asks `q` in process; a panic or an output that is not `{"query": .., "results": [..]}`
/// with each excerpt within the engine's limit (or, for a blank question, the refusal
/// `{"error": ..}`) is described in the returned error.
fn check(q: &str) -> Result<(), String> {
    let v = catch_unwind(AssertUnwindSafe(|| ask_json(q))).map_err(|p| {
        let msg = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        format!("{q:?}: panicked: {msg}")
    })?;
    // What the binary prints is this value, pretty-printed: it must parse back.
    let printed = serde_json::to_string_pretty(&v).map_err(|e| format!("{q:?}: {e}"))?;
    let v: serde_json::Value = serde_json::from_str(&printed).map_err(|e| format!("{q:?}: {e}"))?;
    if q.trim().is_empty() {
        // A blank question is refused (exit 1) with a message, still as JSON.
        return match v.get("error").and_then(|e| e.as_str()) {
            Some(e) if e.contains("Ask a question") => Ok(()),
            _ => Err(format!("{q:?}: no refusal in {v}")),
        };
    }
    let results = v
        .get("results")
        .and_then(|r| r.as_array())
        .ok_or_else(|| format!("{q:?}: no results array in {v}"))?;
    for r in results {
        let excerpt = r["excerpt"].as_str().unwrap_or_default();
        if excerpt.chars().count() > 702 {
            return Err(format!(
                "{q:?}: excerpt of {} chars",
                excerpt.chars().count()
            ));
        }
    }
    Ok(())
}

#[test]
fn no_question_cut_from_a_passage_crashes_ask_json() {
    let started = std::time::Instant::now();
    let passages = passages();
    assert!(
        passages.iter().any(|(_, t)| t.contains('\u{a0}')),
        "the knowledge base still holds a passage with U+00A0"
    );
    let mut questions: BTreeSet<String> = BTreeSet::new();
    for (_, text) in &passages {
        questions.extend(windows(text));
    }
    let mut failures = Vec::new();
    for q in &questions {
        if let Err(e) = check(q) {
            failures.push(e);
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} questions failed, for example:\n{}",
        failures.len(),
        questions.len(),
        failures[..failures.len().min(5)].join("\n")
    );
    eprintln!(
        "{} questions from {} passages in {:.1?}",
        questions.len(),
        passages.len(),
        started.elapsed()
    );
}

/// Sentences of passages holding U+00A0 (the ones that crashed `archie ask`), each with
/// the id of its passage.
fn nbsp_sentences(n: usize) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (id, text) in passages() {
        if let Some(r) = sentences(&text)
            .into_iter()
            .find(|r| text[r.clone()].contains('\u{a0}'))
        {
            out.push((id, text[r].to_string()));
        }
        if out.len() == n {
            break;
        }
    }
    out
}

#[test]
fn the_binary_answers_quoted_sentences_with_non_breaking_spaces_in_json() {
    let cases = nbsp_sentences(3);
    assert_eq!(cases.len(), 3, "passages with U+00A0 to quote");
    // One data directory for every run: the first builds the index, the others reuse it.
    let data = tempfile::tempdir().expect("temporary directory");
    for (id, sentence) in &cases {
        let out = crate::support::archie()
            .data(data.path())
            .args(["ask", "--json", sentence])
            .output();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{sentence:?}: {stderr}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{sentence:?}: not JSON ({e}): {stderr}"));
        let results = v["results"].as_array().expect("a results array");
        assert!(
            results.iter().any(|r| r["id"] == id.as_str()),
            "a sentence quoted from {id} finds it: {v}"
        );
    }
}

/// Text that breaks naive string handling: every kind of space, invisible joiners and
/// bidi controls, combining marks, emoji sequences, Hangul, punctuation, the given words,
/// and any character at all. Questions and passages differ only in their words and
/// punctuation.
fn unicode_piece(
    words: &'static [&'static str],
    punct: &'static [char],
) -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(words).prop_map(String::from),
        prop::sample::select(SPACES).prop_map(String::from),
        prop::sample::select(INVISIBLE).prop_map(String::from),
        prop::sample::select(EMOJI).prop_map(String::from),
        prop::sample::select(punct).prop_map(String::from),
        prop::char::range('\u{ac00}', '\u{d7a3}').prop_map(String::from),
        (
            "[a-z]{1,6}",
            prop::collection::vec(prop::char::range('\u{300}', '\u{36f}'), 0..4)
        )
            .prop_map(|(w, marks)| w + &marks.into_iter().collect::<String>()),
        any::<char>().prop_map(String::from),
    ]
}

const SPACES: &[char] = &[
    ' ', '\t', '\n', '\r', '\u{a0}', '\u{1680}', '\u{2000}', '\u{2001}', '\u{2002}', '\u{2003}',
    '\u{2004}', '\u{2005}', '\u{2006}', '\u{2007}', '\u{2008}', '\u{2009}', '\u{200a}', '\u{2028}',
    '\u{2029}', '\u{202f}', '\u{205f}', '\u{3000}', '\u{85}',
];
const INVISIBLE: &[char] = &[
    '\u{200b}', '\u{200c}', '\u{200d}', '\u{2060}', '\u{feff}', '\u{202a}', '\u{202b}', '\u{202c}',
    '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
];
const EMOJI: &[&str] = &["👨‍👩‍👧‍👦", "👍🏽", "🧑🏿‍💻", "🏳️‍🌈", "🇰🇷", "😀", "👩🏻‍🔬"];

/// Words of questions: names, question words, numbers, a link, Korean, and the query
/// syntax of search engines.
const QUESTION_WORDS: &[&str] = &[
    "instagram",
    "Twitter",
    "redis",
    "postgres",
    "memchached",
    "what",
    "does",
    "use",
    "who",
    "uses",
    "how",
    "many",
    "data",
    "per",
    "day",
    "1.5",
    "e.g.",
    "etc.",
    "http://goo.gl/mkfQN",
    "레진코믹스",
    "AND",
    "OR",
    "NOT",
    "(",
    ")",
    ":",
    "^",
    "~",
    "*",
    "\"",
];

const QUESTION_PUNCT: &[char] = &['.', '!', '?', ',', ';', '”', '…', '-'];

/// Words of passages: figures, abbreviations and links that must not end a sentence.
const PASSAGE_WORDS: &[&str] = &[
    "data",
    "per",
    "day",
    "photos",
    "redis",
    "12",
    "1.5",
    "e.g.",
    "etc.",
    "vs.",
    "It",
    "http://goo.gl/mkfQN?a=1.2",
    "레진코믹스는",
    "naïve",
    "Café",
];
const PASSAGE_PUNCT: &[char] = &['.', '!', '?', ',', ';', ':', '”', '’', ')', '…', '。'];

pub(crate) fn nasty_text(pieces: std::ops::Range<usize>) -> impl Strategy<Value = String> {
    prop::collection::vec(unicode_piece(QUESTION_WORDS, QUESTION_PUNCT), pieces)
        .prop_map(|v| v.concat())
}

fn passage_piece() -> impl Strategy<Value = String> {
    unicode_piece(PASSAGE_WORDS, PASSAGE_PUNCT)
}

fn passage_text(pieces: std::ops::Range<usize>) -> impl Strategy<Value = String> {
    prop::collection::vec(passage_piece(), pieces).prop_map(|v| v.concat())
}

proptest! {
    // Query understanding alone is cheap: thousands of texts.
    #![proptest_config(crate::support::config(2_000))]

    #[test]
    fn any_text_is_understood_without_a_panic(q in nasty_text(0..60)) {
        let u = app().engine.understand(&q);
        prop_assert!(serde_json::to_value(&u).is_ok());
    }
}

proptest! {
    #![proptest_config(crate::support::config(48))]

    #[test]
    fn any_question_is_understood_and_answered_without_a_panic(q in nasty_text(0..60)) {
        let e = &app().engine;
        let u = e.understand(&q);
        prop_assert!(serde_json::to_value(&u).is_ok());
        let a = e.ask(&q, 5);
        prop_assert!(a.is_ok(), "search failed: {:?}", a.err());
        let a = a.unwrap();
        prop_assert!(a.results.len() <= 5);
        for r in &a.results {
            prop_assert!(r.excerpt.chars().count() <= 700, "{}", r.excerpt);
            // Every answer carries its source link.
            prop_assert!(!r.sources.is_empty() && r.sources.iter().all(|s| s.starts_with("http")));
        }
        prop_assert!(check(&q).is_ok(), "{:?}", check(&q));
    }

    #[test]
    fn a_very_long_question_is_answered_without_a_panic(
        q in nasty_text(40..80).prop_map(|t| t.repeat(10_000 / t.chars().count().max(1) + 1))
    ) {
        prop_assert!(q.chars().count() >= 10_000);
        let e = &app().engine;
        // Only the first words are read: what follows them changes nothing.
        if q.split_whitespace().count() >= archie::search::MAX_QUESTION_WORDS {
            let more = format!("{q} what does Twitter use for backend");
            prop_assert_eq!(
                serde_json::to_value(e.understand(&q)).ok(),
                serde_json::to_value(e.understand(&more)).ok()
            );
        }
        prop_assert!(check(&q).is_ok(), "{:?}", check(&q));
    }
}

// ---- Excerpts and sentences over random passages -----------------------------------

fn query() -> impl Strategy<Value = HashMap<String, f32>> {
    prop::collection::vec((passage_piece(), -1.0f32..5.0), 0..6).prop_map(|v| {
        let mut a = analyzer();
        let mut m = HashMap::new();
        for (w, x) in v {
            for t in terms(&mut a, &w) {
                m.insert(t, x);
            }
        }
        m
    })
}

/// The excerpt's text between its `…` marks, which must be a piece of the text.
fn core(e: &Excerpt) -> String {
    let mut segs: &[Segment] = &e.segments;
    if segs.first().is_some_and(|s| s.text == "…" && !s.hit) {
        segs = &segs[1..];
    }
    if segs.last().is_some_and(|s| s.text == "…" && !s.hit) {
        segs = &segs[..segs.len() - 1];
    }
    segs.iter().map(|s| s.text.as_str()).collect()
}

fn check_sentences(t: &str) -> Result<(), TestCaseError> {
    let spans = sentences(t);
    prop_assert_eq!(&spans, &sentences(t), "stable");
    let mut last = 0;
    for r in &spans {
        prop_assert!(r.start < r.end && r.start >= last, "{:?} after {}", r, last);
        prop_assert!(t.is_char_boundary(r.start) && t.is_char_boundary(r.end));
        let s = &t[r.clone()];
        prop_assert_eq!(s, s.trim());
        prop_assert!(s.chars().count() <= MAX_SENTENCE_CHARS);
        prop_assert!(
            t[last..r.start].trim().is_empty(),
            "text lost: {:?}",
            &t[last..r.start]
        );
        last = r.end;
    }
    prop_assert!(t[last..].trim().is_empty());
    Ok(())
}

proptest! {
    #![proptest_config(crate::support::config(2_000))]

    #[test]
    fn sentence_spans_are_ordered_on_char_boundaries_and_lose_no_text(t in passage_text(0..120)) {
        check_sentences(&t)?;
    }

    #[test]
    fn excerpts_stay_within_the_limit_and_show_the_text(
        t in passage_text(0..150),
        q in query(),
        max in 3usize..400,
    ) {
        let set: HashSet<String> = q.keys().cloned().collect();
        let e = excerpt(&mut analyzer(), &t, &set, max);
        prop_assert!(e.plain().chars().count() <= max, "{:?}", e.plain());
        prop_assert!(t.contains(&core(&e)));
    }

    #[test]
    fn answering_excerpts_stay_within_the_limit_and_show_the_text(
        t in passage_text(0..150),
        q in query(),
        max in 0usize..400,
        sim in prop::collection::vec(-0.2f32..1.0, 0..40),
        figure in any::<bool>(),
    ) {
        let n = sentences(&t).len();
        // Scores of the right length when there are enough, else of a wrong one.
        let semantic = (sim.len() >= n).then(|| &sim[..n]).or(Some(&sim[..]));
        for s in [None, semantic] {
            let e = answering(&mut analyzer(), &t, &q, s, figure, max);
            prop_assert!(e.plain().chars().count() <= max + 2, "{:?}", e.plain());
            prop_assert!(t.contains(&core(&e)));
            prop_assert!(e.segments.iter().all(|s| !s.text.is_empty()));
        }
    }
}

proptest! {
    #![proptest_config(crate::support::config(12))]

    #[test]
    fn very_long_texts_are_handled(
        t in passage_text(30..60).prop_map(|t| t.repeat(12_000 / t.chars().count().max(1) + 1)),
        q in query(),
    ) {
        prop_assert!(t.chars().count() >= 12_000);
        check_sentences(&t)?;
        let set: HashSet<String> = q.keys().cloned().collect();
        prop_assert!(excerpt(&mut analyzer(), &t, &set, 320).plain().chars().count() <= 320);
        let e = answering(&mut analyzer(), &t, &q, None, true, 320);
        prop_assert!(e.plain().chars().count() <= 322);
        prop_assert!(t.contains(&core(&e)));
    }
}
