//! `archie eval`: scores a question set with the rules of `shared/eval/README.md`:
//! an alternative holds for a result when all its terms appear (case-insensitively) in the
//! result's title + excerpt + company; "none" questions must get no result.

use crate::SearchResult;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Deserialize)]
pub struct EvalQuestion {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub cat: String,
    pub q: String,
    pub expect: Expect,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Expect {
    None(String),
    Any(Vec<Vec<String>>),
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Scores {
    pub answerable: usize,
    pub hit1: usize,
    pub hit3: usize,
    pub mrr5: f64,
    pub none_ok: usize,
    pub none_total: usize,
    pub per_cat: BTreeMap<String, (usize, usize)>,
    pub misses: Vec<String>,
}

impl Scores {
    pub fn hit_at_1(&self) -> f64 {
        self.hit1 as f64 / self.answerable.max(1) as f64
    }
    pub fn hit_at_3(&self) -> f64 {
        self.hit3 as f64 / self.answerable.max(1) as f64
    }
    pub fn mrr(&self) -> f64 {
        self.mrr5 / self.answerable.max(1) as f64
    }
    pub fn summary(&self) -> String {
        format!(
            "hit@1 {:.3} hit@3 {:.3} mrr@5 {:.3} none-ok {}/{}",
            self.hit_at_1(),
            self.hit_at_3(),
            self.mrr(),
            self.none_ok,
            self.none_total
        )
    }
}

fn visible(r: &SearchResult) -> String {
    format!(
        "{} {} {}",
        r.title,
        r.excerpt,
        r.company.as_deref().unwrap_or("")
    )
    .to_lowercase()
}

/// 1-based rank of the first result satisfying an alternative.
pub fn rank_of(results: &[SearchResult], alts: &[Vec<String>]) -> Option<usize> {
    results
        .iter()
        .position(|r| {
            let v = visible(r);
            alts.iter()
                .any(|alt| alt.iter().all(|t| v.contains(&t.to_lowercase())))
        })
        .map(|i| i + 1)
}

pub fn parse(jsonl: &str) -> anyhow::Result<Vec<EvalQuestion>> {
    parse_lines(jsonl, |q: &EvalQuestion| match &q.expect {
        Expect::None(s) if s != "none" => Err("expect must be \"none\" or a list of alternatives"),
        _ => Ok(()),
    })
}

/// One `T` per non-empty line of `jsonl`, each passing `check`.
fn parse_lines<T: serde::de::DeserializeOwned>(
    jsonl: &str,
    check: impl Fn(&T) -> Result<(), &'static str>,
) -> anyhow::Result<Vec<T>> {
    let mut out = Vec::new();
    for (i, line) in jsonl.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let item: T =
            serde_json::from_str(line).map_err(|e| anyhow::anyhow!("line {}: {e}", i + 1))?;
        check(&item).map_err(|why| anyhow::anyhow!("line {}: {why}", i + 1))?;
        out.push(item);
    }
    Ok(out)
}

/// A conversation of the conversation set: its turns, the last one graded.
#[derive(Debug, Clone, Deserialize)]
pub struct Conversation {
    pub id: String,
    #[serde(default)]
    pub cat: String,
    pub turns: Vec<String>,
    pub expect: Expect,
}

/// Parses a JSONL conversation set (`tests/eval/conversations/`).
pub fn parse_conversations(jsonl: &str) -> anyhow::Result<Vec<Conversation>> {
    parse_lines(jsonl, |c: &Conversation| {
        if c.turns.is_empty() {
            Err("a conversation needs turns")
        } else {
            Ok(())
        }
    })
}

/// Scores any answerer (`/ask`, see `archie_core::quality`; a baseline in the benchmark)
/// with the same rules.
pub fn score_with(
    questions: &[EvalQuestion],
    mut answer: impl FnMut(&str) -> Vec<SearchResult>,
) -> Scores {
    let mut s = Scores::default();
    for q in questions {
        let results = answer(&q.q);
        let slot = s.per_cat.entry(q.cat.clone()).or_default();
        match &q.expect {
            Expect::None(_) => {
                s.none_total += 1;
                slot.1 += 1;
                if results.is_empty() {
                    s.none_ok += 1;
                    slot.0 += 1;
                } else {
                    let titles: Vec<&str> =
                        results.iter().take(3).map(|r| r.title.as_str()).collect();
                    s.misses.push(format!(
                        "MISS {} [{}] {:?}: expected no answer, got {:?}",
                        q.id, q.cat, q.q, titles
                    ));
                }
            }
            Expect::Any(alts) => {
                s.answerable += 1;
                slot.1 += 1;
                let r = rank_of(&results, alts);
                if r == Some(1) {
                    s.hit1 += 1;
                }
                if r.is_some_and(|r| r <= 3) {
                    s.hit3 += 1;
                    slot.0 += 1;
                } else {
                    let top: Vec<(String, String)> = results
                        .iter()
                        .take(3)
                        .map(|r| (r.title.clone(), archie_text::truncate_words(&r.excerpt, 80)))
                        .collect();
                    s.misses.push(format!(
                        "MISS {} [{}] {:?}: top = {:?}",
                        q.id, q.cat, q.q, top
                    ));
                }
                if let Some(r) = r.filter(|&r| r <= 5) {
                    s.mrr5 += 1.0 / r as f64;
                }
            }
        }
    }
    s
}

/// The two parts of the project's own corpus (`tests/eval/corpus/*.jsonl`): weights and
/// thresholds are fitted on `Fit` only; `Held` is for reporting what carries over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    Fit,
    Held,
}

impl Part {
    /// The fixed rule: a question is held out when the first byte of the SHA-256 of its id
    /// is divisible by 3 (about a third of the corpus), whoever wrote it and whenever.
    pub fn of(id: &str) -> Part {
        use sha2::Digest;
        let h = sha2::Sha256::digest(id.as_bytes());
        if h[0] % 3 == 0 {
            Part::Held
        } else {
            Part::Fit
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Part::Fit => "fit",
            Part::Held => "held-out",
        }
    }
}

/// The corpus's questions in a folder (every `*.jsonl`, sorted), each with its part.
pub fn corpus(dir: &std::path::Path) -> anyhow::Result<Vec<(Part, EvalQuestion)>> {
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f)?;
        for q in parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", f.display()))? {
            out.push((Part::of(&q.id), q));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod part_tests {
    use super::Part;

    #[test]
    fn the_split_is_fixed_and_holds_out_about_a_third() {
        assert_eq!(Part::of("p-001"), Part::of("p-001"));
        let held = (0..3000)
            .filter(|i| Part::of(&format!("x-{i}")) == Part::Held)
            .count();
        assert!((900..1100).contains(&held), "{held}");
    }
}
