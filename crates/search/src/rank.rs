//! Ranking: turns the evidence retrieval gathered about each candidate ([`Features`]) into
//! one score with documented [`Weights`], and decides whether the question is answerable
//! at all with a learned relevance floor ([`Floor`]: a logistic model's calibrated
//! probability that a candidate answers the question). Pure functions over numbers, so
//! both are fitted offline (`cargo bench --bench fit`) without touching the index.

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
    /// Share of the question's content words that belong to subjects other than software
    /// architecture (accounts, prices, homework, one's own install: `words.toml`).
    pub off_topic: f32,
    /// How well the question describes a concept of the glossary that this entry is about
    /// (0 when it is about none the question describes).
    pub concept: f32,
    /// How far this entry's similarity stands below the best candidate's (0 for the
    /// nearest): meaning measured against the question's own best, not an absolute cosine.
    pub semantic_gap: f32,
    /// 1 when this entry is about the concept the question describes best.
    pub concept_lead: f32,
    /// 1 when the entry is about a company (any).
    pub about_company: f32,
    /// 1 when the question names (not only describes) a concept this entry is about.
    pub concept_named: f32,
    /// How much closer the question stands by meaning to a kind of request that is not
    /// about architecture than to any idea of the glossary (0.5: as close to both; 0
    /// without meaning).
    pub unrelated: f32,
    /// The same by words (0.5: as many words of a request as of any idea).
    pub unrelated_words: f32,
}

impl Features {
    /// Sets the features that compare a candidate with the question's other candidates.
    pub fn relate(cands: &mut [Candidate]) {
        let best =
            |f: fn(&Features) -> f32| cands.iter().map(|c| f(&c.features)).fold(0.0f32, f32::max);
        let (semantic, concept) = (best(|f| f.semantic), best(|f| f.concept));
        for c in cands {
            let f = &mut c.features;
            f.semantic_gap = semantic - f.semantic;
            f.concept_lead = (f.concept > 0.0 && f.concept >= concept) as u8 as f32;
            f.concept_named = (f.concept >= 1.0) as u8 as f32;
        }
    }
}

/// Declares [`Weights`] from one list of its fields: each `evidence` field weighs the
/// feature of the same name in [`Weights::score`]; every field is walked by
/// [`Weights::as_slice_mut`], in this order.
macro_rules! weights {
    ($(#[$sm:meta])* { $( $(#[$m:meta])* $name:ident: $kind:ident, )* }) => {
        $(#[$sm])*
        pub struct Weights {
            $( $(#[$m])* pub $name: f32, )*
        }

        impl Weights {
            /// The weighted sum of the evidence.
            pub fn score(&self, f: &Features) -> f32 {
                let w = self;
                0.0 $( + weights!(@term $kind w f $name) )*
            }

            /// The weights as named numbers, in a fixed order (the fitting tool walks them).
            pub fn as_slice_mut(&mut self) -> Vec<(&'static str, &mut f32)> {
                vec![ $( (stringify!($name), &mut self.$name), )* ]
            }
        }
    };
    (@term evidence $w:ident $f:ident $name:ident) => { $w.$name * $f.$name };
    (@term other $w:ident $f:ident $name:ident) => { 0.0 };
}

weights! {
    /// How much each kind of evidence is worth when ordering the answers.
    ///
    /// The defaults were fitted by coordinate search on the fit part of the project's own
    /// corpus (`tests/eval/corpus`, see `archie::eval::Part`) with `cargo bench --bench fit`,
    /// which prints the figures of the held-out part beside them.
    #[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
    {
        bm25: evidence,
        coverage: evidence,
        residual: evidence,
        company_match: evidence,
        /// Negative: an entry about another company than the one asked about.
        company_other: evidence,
        /// Negative: a general entry when a company was named.
        company_none: evidence,
        tech_share: evidence,
        stack_answer: evidence,
        stack_layers: evidence,
        uses_tech: evidence,
        uses_stack: evidence,
        whatis_tech: evidence,
        reading: evidence,
        prose: evidence,
        figure: evidence,
        qa_question: evidence,
        semantic: evidence,
        concept: evidence,
        /// The floor's probability that the candidate answers ([`Floor::probability`]).
        #[serde(default)]
        probability: other,
        #[serde(default)]
        concept_named: evidence,
        /// Results scoring below this share of the best score are dropped as noise.
        cutoff: other,
    }
}

impl Default for Weights {
    /// The hybrid mode's fitted weights ([`Fitted::shipped`]).
    fn default() -> Self {
        Fitted::shipped().hybrid.weights
    }
}

impl Weights {
    /// The weights fitted without semantic evidence (`ARCHIE_SEMANTIC=off`).
    pub fn lexical() -> Weights {
        Fitted::shipped().lexical.weights
    }

    /// Weights that count every kind of evidence once (the fitter's fallback start).
    pub fn even() -> Weights {
        Weights {
            bm25: 1.0,
            coverage: 1.0,
            residual: 1.0,
            company_match: 1.0,
            company_other: 0.0,
            company_none: 0.0,
            tech_share: 1.0,
            stack_answer: 1.0,
            stack_layers: 0.3,
            uses_tech: 1.0,
            uses_stack: 1.0,
            whatis_tech: 1.0,
            reading: 1.0,
            prose: 0.3,
            figure: 0.3,
            qa_question: 1.0,
            semantic: 1.0,
            concept: 1.0,
            probability: 0.0,
            concept_named: 0.5,
            cutoff: 0.25,
        }
    }

    /// [`Weights::score`] with the floor's probability `p` that the candidate answers.
    pub fn score_with(&self, f: &Features, p: f32) -> f32 {
        self.score(f) + self.probability * p
    }
}

/// The names of the floor model's inputs, in order ([`Floor::inputs`]).
pub const FLOOR_INPUTS: [&str; 33] = [
    "bm25",
    "coverage",
    "residual",
    "company_match",
    "company_other",
    "company_none",
    "tech_share",
    "stack_answer",
    "stack_layers",
    "uses_tech",
    "uses_stack",
    "whatis_tech",
    "reading",
    "prose",
    "figure",
    "qa_question",
    "semantic",
    "off_topic",
    "concept",
    "named",
    "entity",
    "strict",
    "meaning",
    "semantic_x_coverage",
    "off_topic_x_named",
    "semantic_sq",
    "semantic_gap",
    "concept_lead",
    "concept_lead_x_semantic",
    "absent_x_company",
    "concept_named",
    "unrelated",
    "unrelated_words",
];

/// The names of the decision model's inputs, in order ([`Floor::question_inputs`]).
pub const QUESTION_INPUTS: [&str; 16] = [
    "best_probability",
    "best_semantic",
    "best_concept",
    "best_coverage",
    "best_bm25",
    "off_topic",
    "entity",
    "strict",
    "unknown",
    "meaning",
    "korean",
    "best_probability_x_off_topic",
    "unfamiliar",
    "unfamiliar_x_entity",
    "unrelated",
    "unrelated_words",
];

/// The learned relevance floor, two logistic models fitted on the fit part of the corpus
/// (`cargo bench --bench fit`) and stored in `crates/search/src/fitted.json`, one pair per mode:
/// - per candidate, over its evidence and the question's ([`FLOOR_INPUTS`]): the
///   probability that it answers the question; below `keep` it is not shown;
/// - per question, over the best candidates' evidence and what the question is
///   ([`QUESTION_INPUTS`]): the probability that the knowledge answers it at all; below
///   `answer` the question is declined.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Floor {
    /// One coefficient per input of [`FLOOR_INPUTS`], on the inputs as they are (0..1).
    pub coef: Vec<f32>,
    pub intercept: f32,
    /// One coefficient per input of [`QUESTION_INPUTS`].
    pub question: Vec<f32>,
    pub question_intercept: f32,
    /// The decline threshold on the question's probability.
    pub answer: f32,
    /// Candidates below this probability are not shown.
    pub keep: f32,
    /// Candidates from this probability up are shown however far their score stands
    /// below the best (above 1: never).
    #[serde(default = "never")]
    pub sure: f32,
}

fn never() -> f32 {
    1.01
}

/// Every fitted number of one answering mode: the ranking weights and the floor.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Mode {
    pub weights: Weights,
    pub floor: Floor,
}

/// What this program was built with (`crates/search/src/fitted.json`, written by `cargo bench
/// --bench fit -- --write`): `hybrid` (with the encoder) and `lexical`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Fitted {
    pub hybrid: Mode,
    pub lexical: Mode,
}

impl Fitted {
    pub const SHIPPED: &'static str = include_str!("fitted.json");

    /// The fitted numbers. The unit test below keeps the shipped file valid; should it
    /// ever fail to parse, even weights and a neutral floor are used, and it is logged.
    pub fn shipped() -> Fitted {
        static F: std::sync::OnceLock<Fitted> = std::sync::OnceLock::new();
        F.get_or_init(|| {
            serde_json::from_str(Self::SHIPPED).unwrap_or_else(|e| {
                tracing::error!(error = %e, "crates/search/src/fitted.json is invalid");
                let mode = Mode {
                    weights: Weights::even(),
                    floor: Floor::neutral(),
                };
                Fitted {
                    hybrid: mode.clone(),
                    lexical: mode,
                }
            })
        })
        .clone()
    }
}

impl Floor {
    /// A floor that keeps a candidate as likely as not (the fitter's starting point).
    pub fn neutral() -> Floor {
        Floor {
            coef: vec![0.0; FLOOR_INPUTS.len()],
            intercept: 0.0,
            question: vec![0.0; QUESTION_INPUTS.len()],
            question_intercept: 0.0,
            answer: 0.5,
            keep: 0.0,
            sure: never(),
        }
    }

    /// The decision model's inputs for a question whose candidates got these
    /// probabilities.
    pub fn question_inputs(
        cands: &[Candidate],
        probabilities: &[f32],
        asked: QuestionTraits,
    ) -> [f32; QUESTION_INPUTS.len()] {
        let flag = |b: bool| b as u8 as f32;
        let best = |f: &dyn Fn(&Features) -> f32| {
            cands.iter().map(|c| f(&c.features)).fold(0.0f32, f32::max)
        };
        let best_p = probabilities.iter().copied().fold(0.0f32, f32::max);
        let off_topic = cands.first().map_or(0.0, |c| c.features.off_topic);
        [
            best_p,
            best(&|f| f.semantic),
            best(&|f| f.concept),
            best(&|f| f.coverage),
            best(&|f| f.bm25),
            off_topic,
            flag(asked.entity),
            flag(asked.strict),
            flag(asked.unknown),
            flag(asked.meaning),
            flag(asked.korean),
            best_p * off_topic,
            flag(asked.unfamiliar),
            flag(asked.unfamiliar && asked.entity),
            cands.first().map_or(0.0, |c| c.features.unrelated),
            cands.first().map_or(0.5, |c| c.features.unrelated_words),
        ]
    }

    /// The probability that the knowledge answers a question with these candidates.
    pub fn question_probability(&self, x: &[f32; QUESTION_INPUTS.len()]) -> f32 {
        let z: f32 = self.question_intercept
            + x.iter()
                .zip(&self.question)
                .map(|(x, c)| x * c)
                .sum::<f32>();
        1.0 / (1.0 + (-z).exp())
    }

    /// The model's inputs for one candidate of a question.
    pub fn inputs(f: &Features, asked: QuestionTraits, named: bool) -> [f32; FLOOR_INPUTS.len()] {
        let flag = |b: bool| b as u8 as f32;
        [
            f.bm25,
            f.coverage,
            f.residual,
            f.company_match,
            f.company_other,
            f.company_none,
            f.tech_share,
            f.stack_answer,
            f.stack_layers,
            f.uses_tech,
            f.uses_stack,
            f.whatis_tech,
            f.reading,
            f.prose,
            f.figure,
            f.qa_question,
            f.semantic,
            f.off_topic,
            f.concept,
            flag(named),
            flag(asked.entity),
            flag(asked.strict),
            flag(asked.meaning),
            f.semantic * f.coverage,
            f.off_topic * flag(named),
            f.semantic * f.semantic,
            f.semantic_gap,
            f.concept_lead,
            f.concept_lead * f.semantic,
            // A company's entry when the question names something the knowledge lacks
            // ("how does zoom scale video" is not answered by Facebook's video).
            flag(asked.strict || asked.unfamiliar) * f.about_company,
            f.concept_named,
            f.unrelated,
            f.unrelated_words,
        ]
    }

    /// The probability that this candidate answers the question.
    pub fn probability(&self, f: &Features, asked: QuestionTraits, named: bool) -> f32 {
        let x = Floor::inputs(f, asked, named);
        let z: f32 = self.intercept + x.iter().zip(&self.coef).map(|(x, c)| x * c).sum::<f32>();
        1.0 / (1.0 + (-z).exp())
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
pub struct QuestionTraits {
    /// It names a known company or technology.
    pub entity: bool,
    /// It names something the knowledge does not hold: words, not meaning, must answer.
    pub strict: bool,
    /// It was encoded (semantic retrieval on, English): similarities are evidence.
    pub meaning: bool,
    /// It holds words neither the knowledge nor English knows.
    pub unknown: bool,
    /// It writes a word the knowledge never uses where a name goes.
    pub unfamiliar: bool,
    /// It is written (partly) in Hangul.
    pub korean: bool,
}

/// The ranked candidates `(ord, score)` the floor keeps, best first; empty when the
/// question is not answerable from the knowledge (no candidate is likely enough).
pub fn rank(
    cands: &[Candidate],
    asked: QuestionTraits,
    w: &Weights,
    floor: &Floor,
) -> Vec<(u64, f32)> {
    let ps: Vec<f32> = cands
        .iter()
        .map(|c| floor.probability(&c.features, asked, c.named))
        .collect();
    if cands.is_empty()
        || floor.question_probability(&Floor::question_inputs(cands, &ps, asked)) < floor.answer
    {
        return Vec::new();
    }
    let mut scored: Vec<(&Candidate, f32, f32)> = cands
        .iter()
        .zip(&ps)
        .filter(|(_, &p)| p >= floor.keep)
        .map(|(c, &p)| (c, w.score_with(&c.features, p), p))
        .collect();
    scored.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.ord.cmp(&y.0.ord)));
    let top = scored.first().map(|x| x.1).unwrap_or(0.0);
    // Far below the best score is noise, unless the floor is sure it answers.
    scored
        .into_iter()
        .filter(|x| x.1 >= top * w.cutoff || x.2 >= floor.sure)
        .map(|(c, s, _)| (c.ord, s))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// A floor that trusts coverage and meaning and distrusts off-topic words.
    fn floor() -> Floor {
        let mut coef = vec![0.0; FLOOR_INPUTS.len()];
        let at = |n: &str| FLOOR_INPUTS.iter().position(|x| *x == n).unwrap();
        coef[at("coverage")] = 4.0;
        coef[at("semantic")] = 4.0;
        coef[at("off_topic")] = -8.0;
        let mut question = vec![0.0; QUESTION_INPUTS.len()];
        question[0] = 8.0;
        Floor {
            coef,
            intercept: -3.0,
            question,
            question_intercept: -4.0,
            answer: 0.5,
            keep: 0.2,
            sure: never(),
        }
    }

    #[test]
    fn the_shipped_fitted_numbers_parse_and_have_one_coefficient_per_input() {
        let f: Fitted = serde_json::from_str(Fitted::SHIPPED).expect("fitted.json parses");
        for fl in [&f.hybrid.floor, &f.lexical.floor] {
            assert_eq!(fl.coef.len(), FLOOR_INPUTS.len());
            assert_eq!(fl.question.len(), QUESTION_INPUTS.len());
            assert!((0.0..=1.0).contains(&fl.answer) && fl.keep <= fl.answer);
        }
    }

    #[test]
    fn a_question_whose_best_candidate_is_unlikely_is_declined() {
        let w = Weights::default();
        let weak = [cand(1, 0.2, 0.1, false), cand(2, 0.3, 0.0, false)];
        assert!(rank(&weak, QuestionTraits::default(), &w, &floor()).is_empty());
        let strong = [cand(1, 0.9, 0.6, false), cand(2, 0.3, 0.0, false)];
        assert_eq!(
            rank(&strong, QuestionTraits::default(), &w, &floor())[0].0,
            1
        );
    }

    #[test]
    fn off_topic_words_lower_the_probability() {
        let fl = floor();
        let mut c = cand(1, 0.9, 0.6, true);
        let on = fl.probability(&c.features, QuestionTraits::default(), true);
        c.features.off_topic = 0.5;
        let off = fl.probability(&c.features, QuestionTraits::default(), true);
        assert!(off < on && off < fl.answer, "{on} {off}");
    }

    #[test]
    fn better_evidence_ranks_first_and_noise_is_cut() {
        let w = Weights::default();
        let r = rank(
            &[cand(1, 0.6, 0.5, false), cand(2, 1.0, 0.5, false)],
            QuestionTraits::default(),
            &w,
            &floor(),
        );
        assert_eq!(r[0].0, 2);
        let noise = Weights { cutoff: 0.95, ..w };
        let r = rank(
            &[cand(1, 0.6, 0.5, false), cand(2, 1.0, 0.5, false)],
            QuestionTraits::default(),
            &noise,
            &floor(),
        );
        assert_eq!(r.len(), 1);
    }
}
