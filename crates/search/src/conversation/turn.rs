//! How the engine reads a question as a turn of a conversation: the concepts it names or,
//! starting one, describes; its one bare word of its own; and the standalone question it
//! asks after the context before it.

use super::{Context, Turn, DESCRIBED};

impl crate::Engine {
    /// The question `text` asks after a conversation whose context is `before`, written
    /// to stand on its own, and the context after it (by the rules of this module).
    pub fn follow(&self, before: &Context, text: &str) -> (String, Context) {
        self.follow_described(before, text, None)
    }

    /// [`Engine::follow`](crate::Engine::follow), given the concepts `text` describes when
    /// they are known already (from its answer's [`SearchAnswer::concepts`](crate::SearchAnswer)),
    /// so that they are not retrieved a second time.
    pub fn follow_described(
        &self,
        before: &Context,
        text: &str,
        described: Option<&[(String, f32)]>,
    ) -> (String, Context) {
        let u = self.understand(text);
        // A kind of reading ("books", "talks") is how to read about a subject, not one.
        let reading = &archie_knowledge::words::Words::get().reading;
        let named: Vec<(usize, bool)> = self
            .concepts
            .named(&u.normalized)
            .into_iter()
            .filter(|(c, _)| {
                !self.knowledge.topics.concepts[*c]
                    .names
                    .iter()
                    .any(|n| reading.contains(n.as_str()))
            })
            .collect();
        // "and zoom?", "what about zoom": a follow-up that asks the same of one word, a
        // word the knowledge never uses, stands where a name goes, whatever its case.
        let follow = &archie_knowledge::words::Words::get().follow_up;
        let said: Vec<String> = text
            .to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect();
        let bare_name = match said.split_last() {
            Some((w, rest))
                if rest.iter().all(|x| follow.asking.contains(x))
                    && rest.iter().any(|x| follow.another.contains(x))
                    && w.chars().count() >= 3
                    && w.chars().all(|c| c.is_ascii_alphabetic())
                    && !self.knowledge_uses(&mut self.analyzer.clone(), w) =>
            {
                Some(w.clone())
            }
            _ => None,
        };
        let mut concepts: Vec<String> = named
            .iter()
            .filter_map(|(c, _)| self.knowledge.topics.concepts[*c].names.first().cloned())
            .collect();
        // A first question that describes an idea without naming it ("calls that trip open
        // after too many failures") sets that idea as the conversation's topic, when the
        // description is close.
        if before.is_empty() && concepts.is_empty() && u.companies.is_empty() && u.techs.is_empty()
        {
            let retrieved;
            let described = match described {
                Some(d) => d,
                None => {
                    retrieved = self.retrieve(text, &[], None).map(|r| r.concepts);
                    retrieved.as_deref().unwrap_or_default()
                }
            };
            concepts.extend(
                described
                    .iter()
                    .take(1)
                    .filter(|(_, strength)| *strength >= DESCRIBED)
                    .map(|(name, _)| name.clone()),
            );
        }
        let turn = Turn {
            text,
            understanding: &u,
            bare_name,
            concepts,
            specific_concept: named.iter().any(|x| x.1),
            narrows: !named.is_empty()
                && named.iter().all(|c| self.concepts.is_field(c.0))
                && before
                    .concepts
                    .iter()
                    .flat_map(|n| self.concepts.named(n))
                    .any(|c| !self.concepts.is_field(c.0)),
        };
        before.follow(&self.knowledge, &turn)
    }
}
