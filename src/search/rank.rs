//! Ranking: turns the evidence retrieval gathered about each candidate ([`Features`]) into
//! one score with documented [`Weights`], and decides whether the question is answerable
//! at all (the relevance floor). Pure functions over numbers, so weights can be fitted
//! offline (`cargo bench --bench fit`) without touching the index.

use serde::{Deserialize, Serialize};

/// The evidence about one candidate entry. Every field is a number in about 0..1 (flags are
/// 0 or 1), so a weight says how much that kind of evidence is worth.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Features {
    /// Fielded BM25, divided by the best BM25 score of the question.
    pub bm25: f32,
    /// IDF-weighted share of the question's terms the entry holds.
    pub coverage: f32,
    /// The same share over what the question asks beyond the names it mentions (1 when it
    /// asks nothing more).
    pub residual: f32,
    /// The entry is about a company the question names.
    pub company_match: f32,
    /// The question names companies, and the entry is about another one.
    pub company_other: f32,
    /// The question names companies, and the entry (not a technology) is about none.
    pub company_none: f32,
    /// Share of the question's named technologies the entry mentions.
    pub tech_share: f32,
    /// "What does X use …": X's stack, weighted by how much of the rest it covers.
    pub stack_answer: f32,
    /// "What does X use for `<layer>`": X's stack has that layer.
    pub stack_layers: f32,
    /// "Who uses T": T's own entry.
    pub uses_tech: f32,
    /// "Who uses T": a stack that lists T.
    pub uses_stack: f32,
    /// "What is T": T's own entry.
    pub whatis_tech: f32,
    /// A request for something to read, and a reading-list entry.
    pub reading: f32,
    /// A how/why question, and an entry that explains (Q&A, article, note).
    pub prose: f32,
    /// A how-much question, and an entry that holds a figure and some of the question.
    pub figure: f32,
    /// Word overlap between the question and a stored Q&A question (0 below 0.6).
    pub qa_question: f32,
    /// Cosine similarity of the question with the entry, or with its best sentence for a
    /// passage (0 when semantic retrieval is off).
    pub semantic: f32,
}

/// How much each kind of evidence is worth, and where the floor is.
///
/// The defaults were fitted on `../shared/eval/dev.jsonl`, `dev2.jsonl` and
/// `tests/eval/questions.jsonl` by coordinate search with 5-fold cross-validation
/// (`cargo bench --bench fit`, which prints the held-out figures); a weight that made no
/// difference on the folds kept its hand-set value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Weights {
    pub bm25: f32,
    pub coverage: f32,
    pub residual: f32,
    pub company_match: f32,
    /// Negative: an entry about another company than the one asked about.
    pub company_other: f32,
    /// Negative: a general entry when a company was named.
    pub company_none: f32,
    pub tech_share: f32,
    pub stack_answer: f32,
    pub stack_layers: f32,
    pub uses_tech: f32,
    pub uses_stack: f32,
    pub whatis_tech: f32,
    pub reading: f32,
    pub prose: f32,
    pub figure: f32,
    pub qa_question: f32,
    pub semantic: f32,
    /// A candidate that names nothing the question names is relevant only from this
    /// coverage up …
    pub coverage_floor: f32,
    /// … or from this cosine similarity up, together with at least
    /// `semantic_coverage_floor` coverage (meaning alone is not enough: "what does Uber
    /// use" is close in meaning to every stack, and Uber is not in the knowledge).
    pub semantic_floor: f32,
    pub semantic_coverage_floor: f32,
    /// When the question has a vector, a candidate must be at least this close in meaning
    /// whatever its words: one shared word ("movie") is not an answer to a question that
    /// means something else entirely.
    pub semantic_min: f32,
    /// … or from this cosine similarity up with any coverage: so close in meaning that
    /// the words hardly matter ("keep every change as a log of events" and an article
    /// on event sourcing). Never for a question naming something unknown.
    pub semantic_alone: f32,
    /// Results scoring below this share of the best score are dropped as noise.
    pub cutoff: f32,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            bm25: 0.8,
            coverage: 0.375,
            residual: 0.8,
            company_match: 1.0,
            company_other: 0.0,
            company_none: -0.3,
            tech_share: 0.8,
            stack_answer: 1.5,
            stack_layers: 0.3,
            uses_tech: 2.5,
            uses_stack: 1.0,
            whatis_tech: 0.1,
            reading: 0.6,
            prose: 0.25,
            figure: 0.4,
            qa_question: 3.0,
            semantic: 1.875,
            coverage_floor: 0.5,
            semantic_floor: 0.5,
            semantic_coverage_floor: 0.15,
            semantic_alone: 0.65,
            semantic_min: 0.2,
            cutoff: 0.25,
        }
    }
}

impl Weights {
    /// The weights without semantic evidence (`ARCHIE_SEMANTIC=off`).
    pub fn lexical() -> Weights {
        Weights {
            semantic: 0.0,
            // Out of reach: cosines are at most 1.
            semantic_floor: 2.0,
            semantic_coverage_floor: 1.0,
            semantic_alone: 2.0,
            semantic_min: 0.0,
            ..Weights::default()
        }
    }

    pub fn score(&self, f: &Features) -> f32 {
        self.bm25 * f.bm25
            + self.coverage * f.coverage
            + self.residual * f.residual
            + self.company_match * f.company_match
            + self.company_other * f.company_other
            + self.company_none * f.company_none
            + self.tech_share * f.tech_share
            + self.stack_answer * f.stack_answer
            + self.stack_layers * f.stack_layers
            + self.uses_tech * f.uses_tech
            + self.uses_stack * f.uses_stack
            + self.whatis_tech * f.whatis_tech
            + self.reading * f.reading
            + self.prose * f.prose
            + self.figure * f.figure
            + self.qa_question * f.qa_question
            + self.semantic * f.semantic
    }

    /// Whether a candidate is evidence at all: it is about something the question names,
    /// or it covers enough of the question, in words or in meaning.
    pub fn relevant(&self, f: &Features, named: bool) -> bool {
        named
            || f.semantic >= self.semantic_min && f.coverage >= self.coverage_floor
            || (f.semantic >= self.semantic_floor && f.coverage >= self.semantic_coverage_floor)
            || f.semantic >= self.semantic_alone
    }

    /// These weights with the floor this question gets: a question naming something
    /// unknown is answered on words, not on meaning alone; without a question vector every
    /// similarity is 0, so there is no veto by meaning.
    pub fn floor_for(&self, asked: Asked) -> Weights {
        let unless_strict = |v: f32| if asked.strict { f32::INFINITY } else { v };
        Weights {
            semantic_floor: unless_strict(self.semantic_floor),
            semantic_alone: unless_strict(self.semantic_alone),
            semantic_min: if asked.meaning {
                self.semantic_min
            } else {
                0.0
            },
            ..*self
        }
    }

    /// The weights as named numbers, in a fixed order (the fitting tool walks them).
    pub fn as_slice_mut(&mut self) -> [(&'static str, &mut f32); 23] {
        [
            ("bm25", &mut self.bm25),
            ("coverage", &mut self.coverage),
            ("residual", &mut self.residual),
            ("company_match", &mut self.company_match),
            ("company_other", &mut self.company_other),
            ("company_none", &mut self.company_none),
            ("tech_share", &mut self.tech_share),
            ("stack_answer", &mut self.stack_answer),
            ("stack_layers", &mut self.stack_layers),
            ("uses_tech", &mut self.uses_tech),
            ("uses_stack", &mut self.uses_stack),
            ("whatis_tech", &mut self.whatis_tech),
            ("reading", &mut self.reading),
            ("prose", &mut self.prose),
            ("figure", &mut self.figure),
            ("qa_question", &mut self.qa_question),
            ("semantic", &mut self.semantic),
            ("coverage_floor", &mut self.coverage_floor),
            ("semantic_floor", &mut self.semantic_floor),
            ("semantic_coverage_floor", &mut self.semantic_coverage_floor),
            ("semantic_alone", &mut self.semantic_alone),
            ("semantic_min", &mut self.semantic_min),
            ("cutoff", &mut self.cutoff),
        ]
    }
}

/// One candidate as retrieval hands it to ranking.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub ord: u64,
    pub features: Features,
    /// About a company or technology the question names.
    pub named: bool,
}

/// What ranking needs to know about the question itself.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Asked {
    /// It names a known company or technology: then it is answerable whenever something
    /// is about it.
    pub entity: bool,
    /// It names something the knowledge does not hold: words, not meaning, must answer.
    pub strict: bool,
    /// It was encoded (semantic retrieval on, English): similarities are evidence.
    pub meaning: bool,
}

/// The ranked, relevant candidates `(ord, score)`, best first; empty when the question is
/// not answerable from the knowledge.
pub fn rank(cands: &[Candidate], asked: Asked, w: &Weights) -> Vec<(u64, f32)> {
    let entity = asked.entity;
    let floor = w.floor_for(asked);
    let w = &floor;
    let mut scored: Vec<(&Candidate, f32)> = cands
        .iter()
        .filter(|c| w.relevant(&c.features, c.named))
        .map(|c| (c, w.score(&c.features)))
        .collect();
    scored.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.ord.cmp(&y.0.ord)));
    // Without a named entity, the best candidate must stand on its own evidence.
    let answerable = entity
        || scored
            .first()
            .is_some_and(|(c, _)| w.relevant(&c.features, false));
    if !answerable {
        return Vec::new();
    }
    let top = scored.first().map(|x| x.1).unwrap_or(0.0);
    scored
        .into_iter()
        .take_while(|x| x.1 >= top * w.cutoff)
        .map(|(c, s)| (c.ord, s))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A question judged on words alone (no vector).
    fn asked(entity: bool, strict: bool) -> Asked {
        Asked {
            entity,
            strict,
            meaning: false,
        }
    }

    /// A question with a vector: similarities are evidence.
    fn meant(strict: bool) -> Asked {
        Asked {
            entity: false,
            strict,
            meaning: true,
        }
    }

    fn cand(ord: u64, coverage: f32, semantic: f32, named: bool) -> Candidate {
        Candidate {
            ord,
            features: Features {
                coverage,
                semantic,
                ..Features::default()
            },
            named,
        }
    }

    #[test]
    fn a_question_that_covers_nothing_well_is_declined() {
        let w = Weights::default();
        assert!(rank(
            &[cand(1, 0.2, 0.1, false), cand(2, 0.3, 0.0, false)],
            asked(false, false),
            &w
        )
        .is_empty());
    }

    #[test]
    fn a_named_entity_makes_its_entries_answerable() {
        let w = Weights::default();
        let r = rank(&[cand(1, 0.1, 0.0, true)], asked(true, false), &w);
        assert_eq!(r.len(), 1);
    }

    #[test]
    fn better_evidence_ranks_first_and_noise_is_cut() {
        let w = Weights::default();
        let r = rank(
            &[cand(1, 0.6, 0.0, false), cand(2, 1.0, 0.0, false)],
            asked(false, false),
            &w,
        );
        assert_eq!(r[0].0, 2);
        let noise = Weights { cutoff: 0.95, ..w };
        assert_eq!(
            rank(
                &[cand(1, 0.6, 0.0, false), cand(2, 1.0, 0.0, false)],
                asked(false, false),
                &noise
            )
            .len(),
            1
        );
    }

    #[test]
    fn meaning_alone_does_not_pass_the_floor_without_some_words_in_common() {
        let w = Weights {
            semantic_floor: 0.5,
            semantic_coverage_floor: 0.25,
            ..Weights::default()
        };
        let no_alone = Weights {
            semantic_alone: 2.0,
            ..w
        };
        assert!(rank(&[cand(1, 0.0, 0.9, false)], meant(false), &no_alone).is_empty());
        assert_eq!(rank(&[cand(1, 0.3, 0.6, false)], meant(false), &w).len(), 1);
    }

    #[test]
    fn a_question_naming_something_unknown_needs_the_words_not_just_the_meaning() {
        let w = Weights {
            semantic_floor: 0.5,
            semantic_coverage_floor: 0.25,
            ..Weights::default()
        };
        assert!(rank(&[cand(1, 0.3, 0.6, false)], meant(true), &w).is_empty());
        assert_eq!(rank(&[cand(1, 0.6, 0.6, false)], meant(true), &w).len(), 1);
    }

    #[test]
    fn a_very_close_meaning_answers_without_shared_words_unless_a_name_is_unknown() {
        let w = Weights::default();
        let close = cand(1, 0.1, w.semantic_alone + 0.05, false);
        assert_eq!(
            rank(std::slice::from_ref(&close), meant(false), &w).len(),
            1
        );
        assert!(rank(&[close], meant(true), &w).is_empty());
    }

    #[test]
    fn one_shared_word_with_an_unrelated_meaning_is_no_answer() {
        let w = Weights::default();
        let word_only = cand(1, 1.0, w.semantic_min - 0.1, false);
        assert!(rank(std::slice::from_ref(&word_only), meant(false), &w).is_empty());
        // Without a question vector (Korean, or semantic retrieval off) words decide.
        let no_vector = asked(false, false);
        assert_eq!(rank(&[word_only], no_vector, &w).len(), 1);
    }
}
