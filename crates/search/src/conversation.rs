//! Follow-up questions: what the earlier questions of a conversation were understood to
//! ask (companies, technologies, subject), and the standalone question a follow-up asks
//! in that context. "and for caching?" after a question about Instagram's database asks
//! about Instagram's caching; "what about pinterest?" asks the same thing of Pinterest; a
//! question that names its company and its subject stands on its own.

use super::query::{Intent, Understanding};
use archie_knowledge::Knowledge;
use serde::{Deserialize, Serialize};

/// What a conversation is about so far. Never the earlier questions' text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Context {
    /// Company names, as the knowledge writes them.
    pub companies: Vec<String>,
    /// Technology names, as the knowledge writes them.
    pub techs: Vec<String>,
    /// The words of the subject: what was asked about the names.
    pub subject: Vec<String>,
    /// What kind of question it was (a stack, who uses, what is, reading, other).
    pub intent: Option<Intent>,
}

/// Words that ask "the same, about this" rather than naming a subject.
const ASKING: &[&str] = &[
    "and", "also", "about", "what", "how", "why", "that", "this", "those", "these", "it", "they",
    "them", "their", "there", "then", "instead", "same", "one", "ones", "too",
];

impl Context {
    /// The context a question sets: its names and its subject.
    pub fn of(k: &Knowledge, u: &Understanding) -> Context {
        Context {
            companies: u.companies.iter().map(|id| company_name(k, id)).collect(),
            techs: u.techs.clone(),
            subject: subject(u),
            intent: Some(u.intent),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.companies.is_empty() && self.techs.is_empty() && self.subject.is_empty()
    }

    /// The question `text` (understood as `u`) asks in this context, written to stand on
    /// its own, and the context after it.
    pub fn follow(&self, k: &Knowledge, text: &str, u: &Understanding) -> (String, Context) {
        let now = Context::of(k, u);
        let named = !now.companies.is_empty() || !now.techs.is_empty();
        // A question naming its subject, or asking who uses or what is a name it gives,
        // stands on its own.
        let asks_of_its_names = matches!(u.intent, Intent::Uses | Intent::WhatIs);
        if self.is_empty() || (named && (!now.subject.is_empty() || asks_of_its_names)) {
            return (text.to_string(), now);
        }
        let mut next = now.clone();
        let mut added: Vec<String> = Vec::new();
        if !named {
            // "and for caching?": the names carry over.
            next.companies = self.companies.clone();
            next.techs = self.techs.clone();
            added.extend(self.companies.iter().cloned());
            added.extend(self.techs.iter().cloned());
        }
        if now.subject.is_empty() {
            // "what about pinterest?", "why?", "any reading on that?": the subject does,
            // and the kind of question when the follow-up does not say.
            next.subject = self.subject.clone();
            added.extend(self.subject.iter().cloned());
            if u.intent == Intent::Reading && !text.to_lowercase().contains("read") {
                added.push("reading".into());
            }
            if named && u.intent == Intent::General {
                next.intent = self.intent;
                match self.intent {
                    Some(Intent::Uses) if !now.techs.is_empty() => added.push("who uses".into()),
                    Some(Intent::Stack) if !now.companies.is_empty() => added.push("stack".into()),
                    Some(Intent::WhatIs) => added.push("what is".into()),
                    _ => {}
                }
            }
        }
        if added.is_empty() {
            return (text.to_string(), next);
        }
        (format!("{} {}", text.trim(), added.join(" ")), next)
    }
}

/// The subject words of a question: its residual words less the words of asking.
fn subject(u: &Understanding) -> Vec<String> {
    u.residual_words
        .iter()
        .filter(|w| !ASKING.contains(&w.as_str()))
        .cloned()
        .collect()
}

fn company_name(k: &Knowledge, id: &str) -> String {
    k.companies
        .get(id)
        .map_or_else(|| id.to_string(), |c| c.name.clone())
}
