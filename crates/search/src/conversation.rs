//! Follow-up questions: what the earlier questions of a conversation were understood to
//! ask (companies, technologies, concepts, subject), and the standalone question a
//! follow-up asks in that context. "and for caching?" after a question about Instagram's
//! database asks about Instagram's caching; "what about pinterest?" asks the same thing of
//! Pinterest; a question that names its company and its subject stands on its own.
//!
//! The context is kept in slots, and a follow-up fills the slots it speaks to:
//! - **names**: the companies, and apart from them the technologies. A new company
//!   replaces the companies and keeps the technologies (unless the follow-up asks about a
//!   layer of its own); a new technology replaces the technologies and keeps the companies
//!   when the follow-up refers back ("kafka too?", "hbase posts from them?"). Names the
//!   knowledge does not hold are a slot too, so "and their queue?" after a question about
//!   a company Archie does not know is declined, not answered about queues in general.
//! - **topic**: the layers and the glossary's concepts a question names, and the words it
//!   asks about them. A follow-up with a topic of its own ("and for caching?") replaces
//!   it; one without ("why?", "any reading on that?", "who uses it at scale?") inherits it.
//!
//! Which words refer back is plain English: personal pronouns point at the names (at the
//! topic when there are none), demonstratives and "too", "also", "same" at the topic.

use super::query::{Intent, Understanding};
use archie_knowledge::Knowledge;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

mod turn;

/// At most this many items in one slot (a context travels in a button's id).
const SLOT: usize = 4;
/// At most this many subject words.
const SUBJECT_WORDS: usize = 6;
/// How close a question's description of a concept must be for the concept to become the
/// topic of the conversation it starts.
const DESCRIBED: f32 = 0.6;

/// What a conversation is about so far. Never the earlier questions' text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Context {
    /// Company names, as the knowledge writes them.
    pub companies: Vec<String>,
    /// Technology names, as the knowledge writes them.
    pub techs: Vec<String>,
    /// Names of things the knowledge does not hold ("figma"): a follow-up about them is
    /// still about them.
    #[serde(default)]
    pub unknown: Vec<String>,
    /// The glossary's concepts named, by their first name.
    #[serde(default)]
    pub concepts: Vec<String>,
    /// The words of the subject: what was asked about the names.
    pub subject: Vec<String>,
    /// Technologies a member only echoed back ("haproxy and nginx, cool"): known to the
    /// conversation, so naming them again is nothing new, but not what it asks about.
    #[serde(default)]
    pub heard: Vec<String>,
    /// What kind of question it was (a stack, who uses, what is, reading, other).
    pub intent: Option<Intent>,
}

/// A question as the engine read it, for the context: its understanding and the concepts
/// it names.
pub struct Turn<'a> {
    pub text: &'a str,
    pub understanding: &'a Understanding,
    /// The glossary's concepts the question names (their first names).
    pub concepts: Vec<String>,
    /// Whether one of them is a specific idea ("consistent hashing"), not a whole field
    /// ("caching").
    pub specific_concept: bool,
    /// Whether the concepts it names are whole fields ("principles", "scalability") while
    /// the conversation was about an idea within one: asked of that idea ("is there a
    /// principles doc" after chaos engineering), not in its place.
    pub narrows: bool,
    /// Its one word of its own, when the knowledge never uses that word ("and zoom?"):
    /// after a question about a company it stands for one the knowledge lacks.
    pub bare_name: Option<String>,
}

/// The words a follow-up points back with (`follow_up_*` in `knowledge/words.toml`).
fn words() -> &'static archie_knowledge::words::FollowUpWords {
    &archie_knowledge::words::Words::get().follow_up
}

impl Context {
    /// The context a question sets: its names, concepts and subject.
    pub fn of(k: &Knowledge, turn: &Turn) -> Context {
        let u = turn.understanding;
        let mut unknown: Vec<String> = Vec::new();
        for w in u.unknown_names.iter().chain(&u.unfamiliar_names) {
            if !unknown.contains(w) {
                unknown.push(w.clone());
            }
        }
        Context {
            companies: u.companies.iter().map(|id| company_name(k, id)).collect(),
            techs: u.techs.clone(),
            unknown,
            concepts: turn.concepts.clone(),
            subject: subject(k, u),
            heard: Vec::new(),
            intent: Some(u.intent),
        }
        .bounded()
    }

    pub fn is_empty(&self) -> bool {
        !self.named() && self.subject.is_empty() && self.concepts.is_empty()
    }

    /// Whether any name is in the context, known or not.
    fn named(&self) -> bool {
        !self.companies.is_empty() || !self.techs.is_empty() || !self.unknown.is_empty()
    }

    /// Each slot cut to its bound.
    fn bounded(mut self) -> Context {
        for slot in [
            &mut self.heard,
            &mut self.companies,
            &mut self.techs,
            &mut self.unknown,
            &mut self.concepts,
        ] {
            slot.truncate(SLOT);
        }
        self.subject.truncate(SUBJECT_WORDS);
        self
    }

    /// The question `turn` asks in this context, written to stand on its own, and the
    /// context after it.
    pub fn follow(&self, k: &Knowledge, turn: &Turn) -> (String, Context) {
        let u = turn.understanding;
        let mut now = Context::of(k, turn);
        if self.is_empty() {
            return (turn.text.to_string(), now);
        }
        let lower = turn.text.to_lowercase();
        let tokens: Vec<&str> = lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|x| !x.is_empty())
            .collect();
        let said = |list: &HashSet<String>| tokens.iter().any(|w| list.contains(*w));
        let w = words();
        // "who built their own": a pronoun before "own" is the builders, not the names.
        let own = tokens
            .windows(2)
            .any(|p| w.personal.contains(p[0]) && p[1] == "own");
        let personal = said(&w.personal) && !own;
        let pointing = said(&w.pointing);
        // "any writeup on mixing them" after "what dbs" of Pinterest's stack: the
        // pronoun points at what the answer named, the technologies of that layer.
        if (personal || pointing) && u.companies.is_empty() && u.techs.is_empty() {
            if let Some(filled) = self.with_answered(k) {
                return filled.follow(k, turn);
            }
        }
        let refers = personal || pointing;
        // "over nosql?", "vs batch?": set against what came before, which stays.
        let comparing = said(&w.comparing);
        let narrows = turn.narrows && u.layers.is_empty() && !said(&w.another);
        // "it" is a thing (what was asked about); "they" the company, unless there is none.
        let refers_to_topic = pointing || said(&w.things) || (personal && !self.named());
        let own_topic = !u.layers.is_empty() || !now.concepts.is_empty();
        // "and zoom?" after a company's caching: the same asked of a company the
        // knowledge lacks, whose name is then written as one, so it is read as one.
        let mut bare = false;
        if let Some(name) = &turn.bare_name {
            if !self.companies.is_empty()
                && now.companies.is_empty()
                && now.techs.is_empty()
                && !own_topic
                && said(&words().asking)
                && !self.unknown.contains(name)
            {
                now.unknown = vec![name.clone()];
                now.subject.retain(|x| x != name);
                bare = true;
            }
        }
        // Only a word read as a name counts as naming something new; a merely unfamiliar
        // word ("player") may be anything.
        // A name the conversation already holds ("php" after an answer about PHP) is no
        // new name.
        let new = |now: &[String], before: &[String]| now.iter().any(|n| !before.contains(n));
        let given_company =
            new(&now.companies, &self.companies) || new(&u.unknown_names, &self.unknown) || bare;
        let given_tech = new(
            &now.techs,
            &[self.techs.clone(), self.heard.clone()].concat(),
        );
        let given = given_company || given_tech;
        // "who uses kafka", "what is thrift": asked of the names given. A bare name
        // ("haproxy and nginx, cool") is read as "what is" too, but asks nothing new.
        let explicit =
            u.intent == Intent::Uses || (u.intent == Intent::WhatIs && said(&w.defining));
        // A question naming its names and its topic, or asking who uses or what is a name
        // it gives, or what an idea of its own is, stands on its own, unless it refers
        // back (to a layer of the names: "what os are those boxes on").
        // A request that is not about architecture ("do they have internships?", "write
        // my assignment") is read on its own, as it would be asked first: the context
        // must not make it look answerable.
        // Asking what an idea is: "what is …", "what's …", "explain …", "define …"; "what
        // sits in front for caching" asks something else.
        let defines = tokens.iter().enumerate().any(|(i, x)| {
            if *x == "what" {
                tokens
                    .get(i + 1)
                    .is_some_and(|n| ["is", "s", "are"].contains(n))
            } else {
                w.defining.contains(*x)
            }
        });
        let off_topic = u.residual_words.iter().any(|w| {
            archie_knowledge::words::Words::get()
                .not_architecture
                .contains(w.as_str())
        });
        if (given && (own_topic || explicit) && !refers)
            || (!given
                && turn.specific_concept
                && defines
                && !personal
                && (!pointing || u.layers.is_empty()))
            || off_topic
        {
            return (turn.text.to_string(), now);
        }
        // "haproxy and nginx, cool": technologies echoed back from an answer, asking
        // nothing, leave the conversation as it was.
        if given_tech
            && !given_company
            && !lower.contains('?')
            && !said(&w.questioning)
            && !said(&w.turning)
        {
            let mut next = self.clone();
            next.heard = merge(&self.heard, &now.techs);
            return (turn.text.to_string(), next.bounded());
        }
        let mut next = now.clone();
        next.heard = self.heard.clone();
        if !given {
            next.companies = self.companies.clone();
            next.unknown = self.unknown.clone();
            // Asking about a layer of a company ("what do they queue with"), the company's
            // technologies stay behind, unless the follow-up points at one ("its backup").
            // Nor do they when the follow-up asks who built their own.
            next.techs = if own
                || own_topic && !self.companies.is_empty() && !said(&w.things) && !comparing
            {
                Vec::new()
            } else {
                self.techs.clone()
            };
        } else if given_company && !given_tech {
            if !own_topic {
                next.techs = self.techs.clone();
            }
        } else if given_tech && !given_company && (refers || !explicit) {
            next.companies = self.companies.clone();
            next.unknown = self.unknown.clone();
            if comparing {
                next.techs = merge(&self.techs, &now.techs);
            }
        }
        let own_words = now.subject.iter().any(|x| !w.asking.contains(x));
        // Without a topic of its own a follow-up takes the subject; with one, it adds to
        // the subject it points at ("the chat part", then "what's it written in?").
        if refers_to_topic || comparing || narrows || (!own_topic && (!given || !own_words)) {
            next.subject = merge(&self.subject, &now.subject);
            next.concepts = merge(&self.concepts, &now.concepts);
        }
        if u.intent == Intent::General || (given && !explicit && !own_topic) {
            next.intent = self.intent.or(next.intent);
        }
        // "switch to that" after "django on gunicorn yeah": what the member echoed back
        // from the answer is what they point at.
        if pointing && !given && next.techs.is_empty() {
            next.techs = self.heard.clone();
        }
        // "the rest of their stack": the companies' whole stack, not the subject so far.
        let listing = &archie_knowledge::words::Words::get().form.listing;
        if !given && !own_topic && personal && !self.companies.is_empty() && said(listing) {
            next.techs.clear();
            next.subject.clear();
            next.concepts.clear();
            next.intent = Some(Intent::Stack);
        }
        // "who else runs it": the technologies' other users, not the companies named.
        let others = !given
            && !next.techs.is_empty()
            && said(&w.others)
            && (said(&archie_knowledge::words::Words::get().asks_for_companies)
                || u.intent == Intent::Uses);
        if others {
            next.companies.clear();
            next.subject.clear();
            next.concepts.clear();
            next.intent = Some(Intent::Uses);
        }
        let next = next.bounded();
        // What the follow-up leaves unsaid, added to it.
        let mut added: Vec<String> = Vec::new();
        let mut written = lower.clone();
        let mut add = |s: String| {
            let l = s.to_lowercase();
            if !written.contains(&l) {
                written.push(' ');
                written.push_str(&l);
                added.push(s);
            }
        };
        for s in next.companies.iter().chain(&next.techs) {
            add(s.clone());
        }
        // A name the knowledge lacks is written as a name, so that it is read as one.
        for s in &next.unknown {
            let name = capitalized(s);
            // Written in lower case in the follow-up ("and zoom?"), the name is already in
            // the text as `add` compares it; its possessive is not, and reads as a name
            // ("Zoom's caching").
            if bare && !turn.text.contains(&name) {
                add(format!("{name}'s"));
            } else {
                add(name);
            }
        }
        for s in next.concepts.iter().chain(&next.subject) {
            add(s.clone());
        }
        if u.intent == Intent::Reading && !lower.contains("read") {
            added.push("reading".into());
        }
        if others {
            added.push("who uses".into());
        }
        if given && !own_topic && !explicit && u.intent != Intent::Reading {
            match self.intent {
                Some(Intent::Uses) if given_tech => added.push("who uses".into()),
                Some(Intent::Stack) if given_company => added.push("stack".into()),
                Some(Intent::WhatIs) => added.push("what is".into()),
                _ => {}
            }
        }
        if added.is_empty() {
            return (turn.text.to_string(), next);
        }
        (format!("{} {}", turn.text.trim(), added.join(" ")), next)
    }

    /// This context with the technologies its answer named: asked about one company's
    /// layer ("what dbs"), the ones its stack lists there. `None` when it names
    /// technologies already, or asked no such thing.
    fn with_answered(&self, k: &Knowledge) -> Option<Context> {
        let ([company], []) = (self.companies.as_slice(), self.techs.as_slice()) else {
            return None;
        };
        let said: Vec<String> = self
            .concepts
            .iter()
            .flat_map(|c| c.split(' '))
            .map(str::to_string)
            .chain(self.subject.iter().cloned())
            .collect();
        let layers = archie_knowledge::words::Words::get().layer_hints(&said);
        let archie_knowledge::Detail::Stack { layers: groups, .. } = &k.stack_of(company)?.detail
        else {
            return None;
        };
        let techs: Vec<String> = groups
            .iter()
            .filter(|g| layers.contains(&g.layer))
            .flat_map(|g| &g.items)
            .filter_map(|it| k.techs.get(&it.tech).map(|t| t.name.clone()))
            .collect();
        if techs.is_empty() {
            return None;
        }
        let mut filled = self.clone();
        filled.techs = techs;
        Some(filled.bounded())
    }

    /// The context written compactly, for a button's id: `intent|companies|techs|unknown|
    /// concepts|subject`, items joined by `,`, with `%`, `|` and `,` escaped.
    pub fn encode(&self) -> String {
        let list = |v: &[String]| v.iter().map(|s| escape(s)).collect::<Vec<_>>().join(",");
        format!(
            "{}|{}|{}|{}|{}|{}|{}",
            self.intent.map_or("", intent_code),
            list(&self.companies),
            list(&self.techs),
            list(&self.unknown),
            list(&self.concepts),
            list(&self.subject),
            list(&self.heard)
        )
    }

    /// A context written by [`Context::encode`]; `None` for anything else.
    pub fn decode(s: &str) -> Option<Context> {
        let f: Vec<&str> = s.split('|').collect();
        let [intent, companies, techs, unknown, concepts, subject, heard] = f.as_slice() else {
            return None;
        };
        let list = |x: &str| -> Vec<String> {
            x.split(',')
                .filter(|i| !i.is_empty())
                .map(unescape)
                .collect()
        };
        let intent = match *intent {
            "" => None,
            c => Some(intent_of(c)?),
        };
        Some(
            Context {
                companies: list(companies),
                techs: list(techs),
                unknown: list(unknown),
                concepts: list(concepts),
                subject: list(subject),
                heard: list(heard),
                intent,
            }
            .bounded(),
        )
    }

    /// The context as a member reads it ("Instagram · database").
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        for s in self
            .companies
            .iter()
            .chain(&self.techs)
            .chain(&self.unknown)
            .chain(&self.concepts)
        {
            parts.push(s.clone());
        }
        if !self.subject.is_empty() {
            parts.push(self.subject.join(" "));
        }
        parts.join(" · ")
    }
}

/// `s` with its first letter in capitals.
fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn intent_code(i: Intent) -> &'static str {
    match i {
        Intent::Stack => "s",
        Intent::Uses => "u",
        Intent::WhatIs => "w",
        Intent::Reading => "r",
        Intent::General => "g",
    }
}

fn intent_of(c: &str) -> Option<Intent> {
    Some(match c {
        "s" => Intent::Stack,
        "u" => Intent::Uses,
        "w" => Intent::WhatIs,
        "r" => Intent::Reading,
        "g" => Intent::General,
        _ => return None,
    })
}

fn escape(s: &str) -> String {
    s.replace('%', "%25")
        .replace('|', "%7C")
        .replace(',', "%2C")
}

fn unescape(s: &str) -> String {
    s.replace("%2C", ",")
        .replace("%7C", "|")
        .replace("%25", "%")
}

/// `a`'s words, then `b`'s not in `a`.
fn merge(a: &[String], b: &[String]) -> Vec<String> {
    let mut out = a.to_vec();
    for x in b {
        if !out.contains(x) && !words().asking.contains(x) {
            out.push(x.clone());
        }
    }
    out
}

/// The subject words of a question: its residual words less the words of asking, chat
/// filler, and the names it does not know (those are a slot of their own).
fn subject(k: &Knowledge, u: &Understanding) -> Vec<String> {
    u.residual_words
        .iter()
        .filter(|w| {
            !words().asking.contains(*w)
                && !words().comparing.contains(*w)
                && !words().turning.contains(*w)
                && !k.topics.is_filler(w)
                && !u.unknown_names.contains(w)
                && !u.unfamiliar_names.contains(w)
        })
        .cloned()
        .collect()
}

fn company_name(k: &Knowledge, id: &str) -> String {
    k.companies
        .get(id)
        .map_or_else(|| id.to_string(), |c| c.name.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_context_survives_its_compact_form_with_awkward_names() {
        let c = Context {
            companies: vec!["Gov.uk".into(), "A|B, Inc %".into()],
            techs: vec!["Node.js".into()],
            unknown: vec!["figma".into()],
            concepts: vec!["consistent hashing".into()],
            subject: vec!["sharding".into(), "mysql".into()],
            heard: vec!["HAProxy".into()],
            intent: Some(Intent::Reading),
        };
        let s = c.encode();
        assert_eq!(Context::decode(&s), Some(c));
        assert_eq!(
            Context::decode(&Context::default().encode()),
            Some(Context::default())
        );
        for bad in ["", "x||||||", "s|a|b", "s|||||||extra"] {
            assert_eq!(Context::decode(bad), None, "{bad:?}");
        }
    }
}
