use super::*;
use crate::index::{analyzer, terms};
use std::collections::{HashMap, HashSet};

fn hits(words: &str) -> HashSet<String> {
    terms(&mut analyzer(), words).into_iter().collect()
}

#[test]
fn a_short_text_is_returned_whole_with_matches_marked() {
    let e = excerpt(
        &mut analyzer(),
        "We use Redis for caching.",
        &hits("cache"),
        100,
    );
    assert_eq!(e.marked(), "We use Redis for **caching**.");
}

#[test]
fn adjacent_matches_are_marked_as_one_run() {
    let e = excerpt(
        &mut analyzer(),
        "the probability of data loss grows",
        &hits("data loss"),
        100,
    );
    assert_eq!(e.marked(), "the probability of **data loss** grows");
}

#[test]
fn a_long_text_is_cut_around_the_matches_at_word_boundaries() {
    let filler = "lorem ipsum dolor sit amet ".repeat(40);
    let text = format!("{filler}We have about 200 workers consuming the task queue. {filler}");
    let e = excerpt(&mut analyzer(), &text, &hits("workers queue"), 120);
    let plain = e.plain();
    assert!(plain.contains("200 workers"), "{plain}");
    assert!(plain.chars().count() <= 122);
    assert!(plain.starts_with('…') && plain.ends_with('…'));
    for s in &e.segments {
        assert!(!s.text.starts_with(' ') || !s.hit);
    }
}

#[test]
fn multibyte_text_is_never_split_inside_a_character() {
    let text = "레진코믹스는 구글 앱 엔진을 씁니다. ".repeat(30) + "gae 는 충분하다";
    let e = excerpt(&mut analyzer(), &text, &hits("gae"), 50);
    assert!(e.plain().contains("gae"));
    assert!(e.plain().chars().count() <= 52);
}

#[test]
fn markdown_rendering_escapes_the_text_but_bolds_the_hits() {
    let e = excerpt(
        &mut analyzer(),
        "use *stars* and redis",
        &hits("redis"),
        100,
    );
    assert_eq!(e.markdown(), "use \\*stars\\* and **redis**");
}

#[test]
fn a_hit_after_non_breaking_spaces_is_cut_on_a_character_boundary() {
    // The window's start moves back to just past a whitespace character: with U+00A0
    // (2 bytes) or U+3000 (3 bytes) that must not be one byte past its start.
    for space in ['\u{a0}', '\u{3000}', '\u{202f}'] {
        let text = format!("word{space}").repeat(100) + "gae is enough";
        let e = excerpt(&mut analyzer(), &text, &hits("gae"), 50);
        assert!(e.plain().contains("gae"), "{}", e.plain());
        assert!(e.plain().chars().count() <= 50);
    }
}

fn weights(words: &[(&str, f32)]) -> HashMap<String, f32> {
    let mut a = analyzer();
    let mut m = HashMap::new();
    for (w, x) in words {
        for t in terms(&mut a, w) {
            m.insert(t, *x);
        }
    }
    m
}

/// Twenty-five sentences about a photo service, none of which says how much data
/// arrives per day but sentence 20 (index 19).
fn long_passage() -> (String, &'static str) {
    let answer = "Instagram stores about 12 terabytes of new photos every day, \
                  and the data per day still grows.";
    let mut s = Vec::new();
    for i in 0..25 {
        if i == 19 {
            s.push(answer.to_string());
        } else {
            s.push(format!(
                "Sentence {i} is about the service as a whole: the team kept the \
                 design simple, chose proven tools, and moved slowly with great care."
            ));
        }
    }
    s[2] = "The data lives in PostgreSQL, sharded by user across many machines.".into();
    s[7] = "Each day the engineers review the dashboards together.".into();
    s[20] = "That volume is why photos go straight to Amazon S3.".into();
    (s.join(" "), answer)
}

#[test]
fn the_answering_sentence_deep_in_a_long_passage_is_shown() {
    let (text, answer) = long_passage();
    assert!(text.chars().count() > 3_000, "{}", text.chars().count());
    let q = weights(&[("data", 1.0), ("per", 1.5), ("day", 1.2)]);
    let e = answering(&mut analyzer(), &text, &q, None, false, 320);
    let plain = e.plain();
    assert!(plain.contains(answer), "{plain}");
    assert!(plain.starts_with('…') && plain.ends_with('…'), "{plain}");
    assert!(plain.chars().count() <= 322, "{}", plain.chars().count());
    assert!(e.marked().contains("**data per day**"), "{}", e.marked());
    // The densest-window excerpt, by contrast, may show any window: the new one
    // shows the answer with the sentence that follows it as context.
    assert!(plain.contains("That volume is why"), "{plain}");
}

#[test]
fn a_question_wanting_a_figure_gets_the_sentence_with_the_number() {
    let filler = "The team reviews the design every week and keeps it simple. ".repeat(8);
    let text = format!(
        "Photos are stored in Amazon S3 buckets in several regions. {filler}\
         By now we have stored over 2 billion photos there. {filler}"
    );
    let q = weights(&[("photos", 2.0), ("stored", 1.0)]);
    let plain = answering(&mut analyzer(), &text, &q, None, false, 120).plain();
    assert!(
        plain.contains("S3 buckets") && !plain.contains("2 billion"),
        "{plain}"
    );
    let plain = answering(&mut analyzer(), &text, &q, None, true, 120).plain();
    assert!(plain.contains("2 billion photos"), "{plain}");
}

#[test]
fn semantic_scores_can_pick_a_sentence_sharing_no_word_with_the_question() {
    let (text, _) = long_passage();
    let n = sentences(&text).len();
    // "How do they keep pictures safe?": only "keep" occurs, in an unrelated sentence.
    let mut text = text;
    text.push_str(" We keep the servers in one region. Every upload is copied to three data centres before it is acknowledged.");
    let spans = sentences(&text);
    assert_eq!(spans.len(), n + 2);
    let q = weights(&[("keep", 0.5), ("pictures", 2.0), ("safe", 1.5)]);
    let mut sim = vec![0.2f32; spans.len()];
    sim[n + 1] = 0.8;
    let lexical = answering(&mut analyzer(), &text, &q, None, false, 100).plain();
    assert!(lexical.contains("We keep the servers"), "{lexical}");
    let hybrid = answering(&mut analyzer(), &text, &q, Some(&sim), false, 100).plain();
    assert!(hybrid.contains("copied to three data centres"), "{hybrid}");
    // Scores of the wrong length (a stale index) are ignored rather than misread.
    let stale = answering(&mut analyzer(), &text, &q, Some(&sim[1..]), false, 100).plain();
    assert_eq!(stale, lexical);
}

#[test]
fn a_sentence_that_refers_back_comes_with_the_one_before() {
    let filler = "Unrelated words fill this sentence up nicely. ".repeat(10);
    let text = format!(
        "{filler}Cassandra holds the activity feed. It handles 2 million writes \
         per second at peak. {filler}"
    );
    let q = weights(&[("writes", 1.0), ("second", 1.0)]);
    let plain = answering(&mut analyzer(), &text, &q, None, false, 110).plain();
    assert!(
        plain.contains("Cassandra holds the activity feed. It handles"),
        "{plain}"
    );
}

#[test]
fn an_answer_sentence_longer_than_the_limit_is_cut_around_its_hits() {
    let long = format!(
        "We tried {} and finally settled on Redis for the session cache because it was fast.",
        "many different approaches over the years ".repeat(12)
    );
    let text = format!("Intro sentence here. {long} Closing words.");
    let q = weights(&[("redis", 2.0), ("session", 1.0)]);
    let e = answering(&mut analyzer(), &text, &q, None, false, 80);
    let plain = e.plain();
    assert!(e.marked().contains("**Redis**"), "{}", e.marked());
    assert!(plain.starts_with('…') && plain.ends_with('…'), "{plain}");
    assert!(plain.chars().count() <= 82, "{plain}");
}

#[test]
fn a_text_that_fits_is_shown_whole() {
    let text = "We use Redis. It caches sessions.";
    let e = answering(
        &mut analyzer(),
        text,
        &weights(&[("cache", 1.0)]),
        None,
        false,
        100,
    );
    assert_eq!(e.marked(), "We use Redis. It **caches** sessions.");
}

#[test]
fn multibyte_text_never_panics_and_stays_within_the_limit() {
    let texts = [
        "레진코믹스는 구글 앱 엔진을 씁니다. 데이터는 하루에 12테라바이트입니다. ".repeat(20),
        "we used to run 2\u{a0}nginx\u{a0}machines.\u{a0}Then\u{3000}more. ".repeat(30),
        "🚀 launch 👨‍👩‍👧‍👦 family 👍🏽 data. ok! ".repeat(40),
        "cafe\u{301} re\u{301}sume\u{301} data\u{0308}\u{20dd} naïve. ".repeat(40),
        "\u{202e}data\u{202c} \u{2067}day\u{2069} per\u{200d}day\u{200c}. ".repeat(40),
    ];
    let q = weights(&[
        ("data", 1.0),
        ("day", 1.0),
        ("nginx", 1.0),
        ("레진코믹스는", 1.0),
    ]);
    let set: HashSet<String> = q.keys().cloned().collect();
    for text in &texts {
        for max in [1, 2, 3, 5, 17, 40, 99, 320] {
            for figure in [false, true] {
                let e = answering(&mut analyzer(), text, &q, None, figure, max);
                assert!(e.plain().chars().count() <= max + 2, "{max}: {}", e.plain());
            }
            let e = excerpt(&mut analyzer(), text, &set, max.max(3));
            assert!(
                e.plain().chars().count() <= max.max(3),
                "{max}: {}",
                e.plain()
            );
        }
        let sim: Vec<f32> = (0..sentences(text).len())
            .map(|i| (i % 7) as f32 / 10.0)
            .collect();
        let e = answering(&mut analyzer(), text, &q, Some(&sim), true, 60);
        assert!(e.plain().chars().count() <= 62);
    }
}

fn spans_text(text: &str) -> Vec<&str> {
    sentences(text).into_iter().map(|r| &text[r]).collect()
}

#[test]
fn sentences_do_not_split_decimals_abbreviations_or_urls() {
    assert_eq!(
        spans_text("Latency fell 1.5 times, e.g. for reads, i.e. most traffic. See http://goo.gl/mkfQN for more! Writes vs. reads etc. are the same? Yes."),
        vec![
            "Latency fell 1.5 times, e.g. for reads, i.e. most traffic.",
            "See http://goo.gl/mkfQN for more!",
            "Writes vs. reads etc. are the same?",
            "Yes."
        ]
    );
}

#[test]
fn sentences_end_at_line_breaks_and_keep_closing_quotes() {
    assert_eq!(
        spans_text("We always get asked, “what’s your stack?” We thought so.\n\n• Keep it simple\n• Don’t re-invent the wheel\n"),
        vec![
            "We always get asked, “what’s your stack?”",
            "We thought so.",
            "• Keep it simple",
            "• Don’t re-invent the wheel",
        ]
    );
    assert!(sentences("  \n \u{a0}\u{3000} ").is_empty());
}

#[test]
fn a_very_long_sentence_is_split_at_a_semicolon_or_comma() {
    let part = "the service stores every photo in three places";
    let text = format!(
        "{}; {}, {}.",
        part.repeat(4),
        part.repeat(3),
        part.repeat(3)
    );
    let spans = spans_text(&text);
    assert!(spans.len() >= 2, "{spans:?}");
    assert!(spans[0].ends_with(';'), "{spans:?}");
    for s in &spans {
        assert!(s.chars().count() <= MAX_SENTENCE_CHARS, "{s}");
    }
    let words = "x".repeat(700);
    let spans = sentences(&words);
    assert_eq!(spans.len(), 3);
    assert_eq!(spans.iter().map(|r| r.len()).sum::<usize>(), 700);
}
