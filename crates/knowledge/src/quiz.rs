//! Multiple-choice questions generated from the knowledge a server sees: which company
//! uses a technology, what a company uses for one layer of its stack, which technology
//! is of a given kind. Each question has four choices and exactly one true one, by the
//! knowledge's own facts: distractors are chosen so that none of them is also true (a
//! company whose stack does not list the technology at all; a technology of the layer
//! asked that the company's stack does not list anywhere; a technology of a layer far
//! from the one asked, so "is Redis a data store?" never comes up). Every question
//! carries the fact that answers it and its source link.

use crate::typed_stack::short_label;
use crate::{Company, Detail, Entry, Kind, Knowledge, Layer, Tech};
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::RngExt;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Choices per question.
pub const CHOICES: usize = 4;
/// Attempts at drawing a question before giving up (a filter may leave too few facts).
const ATTEMPTS: usize = 64;

/// What a question asks, with what its oracle needs to judge any choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QuizKind {
    /// "Which company uses Gizzard?": choices are company names.
    WhichCompany { tech: String },
    /// "What does Instagram use for caching?": choices are technology names.
    CompanyLayer { company: String, layer: Layer },
    /// "Which of these is a message queue?": choices are technology names.
    KindOf { layer: Layer },
}

/// A generated question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuizQuestion {
    pub asked: QuizKind,
    pub prompt: String,
    /// Display names, in the order shown.
    pub choices: Vec<String>,
    /// The index of the true choice.
    pub answer: usize,
    /// The fact that answers it, in one sentence.
    pub fact: String,
    pub source: String,
}

/// What a quiz may be about.
#[derive(Debug, Clone, Copy, Default)]
pub enum About<'a> {
    #[default]
    Anything,
    Company(&'a Company),
    Tech(&'a Tech),
    Layer(Layer),
}

/// One company's stack as the server sees it: every technology listed, by layer, and
/// the first source of its stack entries.
struct Stack {
    company: String,
    techs: BTreeSet<String>,
    by_layer: BTreeMap<Layer, BTreeSet<String>>,
    source: String,
}

/// The facts questions are drawn from.
pub struct Facts {
    stacks: Vec<Stack>,
    /// Technologies by name: their layer and the source of their entry.
    techs: BTreeMap<String, (Layer, Option<String>)>,
}

impl Facts {
    /// The stacks and technologies among `entries` (a server's visible knowledge).
    pub fn gather<'e>(k: &Knowledge, entries: impl Iterator<Item = &'e Entry>) -> Facts {
        let mut stacks: BTreeMap<String, Stack> = BTreeMap::new();
        let mut sources: BTreeMap<String, String> = BTreeMap::new();
        for e in entries {
            match &e.detail {
                Detail::Stack {
                    company_id, layers, ..
                } => {
                    let Some(c) = k.companies.get(company_id) else {
                        continue;
                    };
                    let Some(source) = e.sources.first() else {
                        continue;
                    };
                    let s = stacks.entry(c.id.clone()).or_insert_with(|| Stack {
                        company: c.name.clone(),
                        techs: BTreeSet::new(),
                        by_layer: BTreeMap::new(),
                        source: source.clone(),
                    });
                    for g in layers {
                        for i in &g.items {
                            if k.techs.get(&i.tech).is_some() {
                                s.techs.insert(i.tech.clone());
                                s.by_layer
                                    .entry(g.layer)
                                    .or_default()
                                    .insert(i.tech.clone());
                            }
                        }
                    }
                }
                Detail::Tech { .. } if e.kind == Kind::Tech => {
                    if let Some(src) = e.sources.first() {
                        sources
                            .entry(e.title.clone())
                            .or_insert_with(|| src.clone());
                    }
                }
                _ => {}
            }
        }
        let techs = k
            .techs
            .items
            .iter()
            .map(|t| (t.name.clone(), (t.layer, sources.get(&t.name).cloned())))
            .collect();
        Facts {
            stacks: stacks
                .into_values()
                .filter(|s| !s.techs.is_empty())
                .collect(),
            techs,
        }
    }

    /// A question about `about`, drawn with `rng`; `None` when the facts cannot make one
    /// with four unambiguous choices.
    pub fn question(&self, about: About<'_>, rng: &mut StdRng) -> Option<QuizQuestion> {
        for _ in 0..ATTEMPTS {
            let kind = match about {
                About::Anything => rng.random_range(0..3),
                About::Company(_) => rng.random_range(0..2),
                About::Tech(_) => [0, 2][rng.random_range(0..2)],
                About::Layer(_) => rng.random_range(1..3),
            };
            let q = match kind {
                0 => self.which_company(about, rng),
                1 => self.company_layer(about, rng),
                _ => self.kind_of(about, rng),
            };
            if q.is_some() {
                return q;
            }
        }
        None
    }

    /// "Which company uses T?": one company whose stack lists T, three whose stacks don't.
    fn which_company(&self, about: About<'_>, rng: &mut StdRng) -> Option<QuizQuestion> {
        let (tech, users): (String, Vec<&Stack>) = match about {
            About::Company(c) => {
                let s = self.stacks.iter().find(|s| s.company == c.name)?;
                let t = s.techs.iter().collect::<Vec<_>>().choose(rng)?.to_string();
                (t, vec![s])
            }
            About::Tech(t) => (t.name.clone(), self.users(&t.name)),
            About::Anything => {
                let s = self.stacks.choose(rng)?;
                let t = s.techs.iter().collect::<Vec<_>>().choose(rng)?.to_string();
                let users = self.users(&t);
                (t, users)
            }
            About::Layer(_) => return None,
        };
        let right = users.choose(rng)?;
        let others: Vec<&Stack> = self
            .stacks
            .iter()
            .filter(|s| !s.techs.contains(&tech) && s.company != right.company)
            .collect();
        let wrong: Vec<String> = others
            .sample(rng, CHOICES - 1)
            .map(|s| s.company.clone())
            .collect();
        let layer = right
            .by_layer
            .iter()
            .find(|(_, ts)| ts.contains(&tech))
            .map(|(l, _)| short_label(*l))
            .unwrap_or("its stack");
        self.finish(
            QuizKind::WhichCompany { tech: tech.clone() },
            format!("Which company uses {tech}?"),
            right.company.clone(),
            wrong,
            format!("{}'s stack lists {tech} ({layer}).", right.company),
            right.source.clone(),
            rng,
        )
    }

    /// "What does C use for L?": one technology C's stack lists under L, three of layer L
    /// that C's stack does not list anywhere.
    fn company_layer(&self, about: About<'_>, rng: &mut StdRng) -> Option<QuizQuestion> {
        let candidates: Vec<(&Stack, Layer)> = self
            .stacks
            .iter()
            .filter(|s| match about {
                About::Company(c) => s.company == c.name,
                _ => true,
            })
            .flat_map(|s| s.by_layer.keys().map(move |l| (s, *l)))
            .filter(|(_, l)| *l != Layer::Other)
            .filter(|(_, l)| match about {
                About::Layer(want) => *l == want,
                _ => true,
            })
            .collect();
        let (s, layer) = *candidates.choose(rng)?;
        let listed: Vec<&String> = s.by_layer.get(&layer)?.iter().collect();
        let right = (*listed.choose(rng)?).clone();
        let wrong = self.techs_where(|name, l| l == layer && !s.techs.contains(name), rng);
        let label = short_label(layer);
        self.finish(
            QuizKind::CompanyLayer {
                company: s.company.clone(),
                layer,
            },
            format!("What does {} use for {}?", s.company, label.to_lowercase()),
            right.clone(),
            wrong,
            format!("{}'s stack lists {right} under {label}.", s.company),
            s.source.clone(),
            rng,
        )
    }

    /// "Which of these is a Q?": one technology of layer Q, three of layers far from Q.
    fn kind_of(&self, about: About<'_>, rng: &mut StdRng) -> Option<QuizQuestion> {
        let layer = match about {
            About::Layer(l) => l,
            About::Tech(t) => t.layer,
            _ => **Layer::ALL
                .iter()
                .filter(|l| noun(**l).is_some())
                .collect::<Vec<_>>()
                .choose(rng)?,
        };
        let what = noun(layer)?;
        let right: Vec<(&String, &String)> = self
            .techs
            .iter()
            .filter(|(name, (l, src))| {
                *l == layer
                    && src.is_some()
                    && match about {
                        About::Tech(t) => **name == t.name,
                        _ => true,
                    }
            })
            .map(|(name, (_, src))| (name, src.as_ref().expect("filtered on a source")))
            .collect();
        let (right, source) = *right.choose(rng)?;
        let far = far_from(layer);
        let wrong = self.techs_where(|_, l| far.contains(&l), rng);
        self.finish(
            QuizKind::KindOf { layer },
            format!("Which of these is {what}?"),
            right.clone(),
            wrong,
            format!(
                "{right} is {what}: Archie files it under {}.",
                short_label(layer)
            ),
            source.clone(),
            rng,
        )
    }

    /// Three technologies, drawn among those `keep` accepts (by name and layer).
    fn techs_where(&self, keep: impl Fn(&str, Layer) -> bool, rng: &mut StdRng) -> Vec<String> {
        let others: Vec<&String> = self
            .techs
            .iter()
            .filter(|(name, (l, _))| keep(name, *l))
            .map(|(name, _)| name)
            .collect();
        others
            .sample(rng, CHOICES - 1)
            .map(|t| (*t).clone())
            .collect()
    }

    /// Companies whose stack lists `tech`.
    fn users(&self, tech: &str) -> Vec<&Stack> {
        self.stacks
            .iter()
            .filter(|s| s.techs.contains(tech))
            .collect()
    }

    /// The question with its choices shuffled; `None` without three distinct distractors.
    #[allow(clippy::too_many_arguments)]
    fn finish(
        &self,
        asked: QuizKind,
        prompt: String,
        right: String,
        wrong: Vec<String>,
        fact: String,
        source: String,
        rng: &mut StdRng,
    ) -> Option<QuizQuestion> {
        let mut choices: Vec<String> = vec![right.clone()];
        for w in wrong {
            if !choices.iter().any(|c| c.eq_ignore_ascii_case(&w)) {
                choices.push(w);
            }
        }
        if choices.len() < CHOICES {
            return None;
        }
        choices.shuffle(rng);
        let answer = choices.iter().position(|c| *c == right)?;
        Some(QuizQuestion {
            asked,
            prompt,
            choices,
            answer,
            fact,
            source,
        })
    }

    /// Whether `choice` is true for `asked`, by the facts alone (the oracle the tests
    /// hold every generated question to).
    pub fn is_true(&self, asked: &QuizKind, choice: &str) -> bool {
        match asked {
            QuizKind::WhichCompany { tech } => self
                .stacks
                .iter()
                .any(|s| s.company == choice && s.techs.contains(tech)),
            // Listed by the company anywhere counts as true: a distractor it uses for
            // something else would be a fair complaint.
            QuizKind::CompanyLayer { company, .. } => self
                .stacks
                .iter()
                .any(|s| s.company == *company && s.techs.contains(choice)),
            // Of the layer asked, or of one close enough to be argued.
            QuizKind::KindOf { layer } => self
                .techs
                .get(choice)
                .is_some_and(|(l, _)| !far_from(*layer).contains(l)),
        }
    }
}

/// "a message queue": what a technology of `layer` is, for layers a question can ask.
fn noun(layer: Layer) -> Option<&'static str> {
    Some(match layer {
        Layer::Language => "a programming language or framework",
        Layer::Data => "a data store",
        Layer::Cache => "a cache",
        Layer::Queue => "a message queue",
        Layer::Search => "a search engine",
        Layer::Monitoring => "a monitoring tool",
        Layer::Deploy => "a deployment or configuration tool",
        Layer::Web | Layer::Hosting | Layer::Other => return None,
    })
}

/// Layers whose technologies are plainly not of `layer` (caches and queues are often
/// data stores too, web servers cache, hosting deploys: those are never distractors of
/// each other).
fn far_from(layer: Layer) -> &'static [Layer] {
    use Layer::*;
    match layer {
        Language => &[Data, Cache, Queue, Search, Monitoring],
        Data => &[Language, Monitoring, Deploy],
        Cache => &[Language, Monitoring, Deploy],
        Queue => &[Language, Monitoring, Deploy],
        Search => &[Language, Monitoring, Deploy],
        Monitoring => &[Language, Data, Cache, Queue, Search],
        Deploy => &[Language, Data, Cache, Queue, Search],
        Web | Hosting | Other => &[],
    }
}
