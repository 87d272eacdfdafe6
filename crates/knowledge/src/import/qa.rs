//! The `qa-text` format: a question line, a blank line, the answer paragraph, optionally
//! ending with `Source: URL` lines.

use super::report::position;
use super::sink::Importer;
use super::tables::QaOut;
use crate::is_http_url;
use archie_text::{normalize, slug};

impl Importer {
    pub(super) fn qa_text(&mut self, file: &str, input: &str) {
        let paras = paragraphs(input);
        let mut i = 0;
        while i < paras.len() {
            let (at, q) = &paras[i];
            let pos = position(file, input, *at);
            let is_question = !q.contains('\n') && q.ends_with('?');
            if !is_question {
                self.report.unparsed.push(format!(
                    "{pos}: expected a one-line question ending in '?', found '{}'",
                    archie_text::truncate_words(q, 60)
                ));
                i += 1;
                continue;
            }
            let Some((_, answer)) = paras
                .get(i + 1)
                .filter(|(_, a)| !a.ends_with('?') || a.contains('\n'))
            else {
                self.report
                    .unparsed
                    .push(format!("{pos}: question '{q}' has no answer paragraph"));
                i += 1;
                continue;
            };
            i += 2;
            self.add_qa(&pos, q, answer);
        }
    }

    /// One question with its answer paragraph (`Source:` lines still in it).
    fn add_qa(&mut self, pos: &str, q: &str, answer: &str) {
        let (answer, mut sources) = split_sources(answer);
        if !self.questions.insert(normalize(q)) {
            self.report
                .skipped
                .push(format!("qa '{q}': same question already known ({pos})"));
            return;
        }
        let company = self.named_company(q);
        if sources.is_empty() {
            if let Some(u) = company.as_ref().and_then(|c| self.company_urls.get(c)) {
                sources.push(u.clone());
            }
        }
        if let Some(bad) = sources.iter().find(|u| !is_http_url(u)) {
            self.report
                .unparsed
                .push(format!("{pos}: source '{bad}' is not an http(s) URL"));
            return;
        }
        if sources.is_empty() {
            self.report.unparsed.push(format!(
                "{pos}: question '{q}' has no source: add a 'Source: URL' line to its answer"
            ));
            return;
        }
        let id = self.unique_id(&format!("qa-{}", slug(q)));
        self.report.added.push(format!("qa {id}: {q}"));
        let qa = QaOut {
            id,
            question: q.to_string(),
            answer,
            company,
            sources,
        };
        self.append("qa.toml", "qa", &qa);
    }

    /// The one known company a text names as a word (first match wins).
    fn named_company(&self, text: &str) -> Option<String> {
        let words: Vec<String> = normalize(text).split(' ').map(str::to_string).collect();
        for n in 1..=3 {
            for w in words.windows(n) {
                let key = w.concat();
                if key.chars().count() < 3 {
                    continue;
                }
                if let Some(c) = self.companies.get(&key) {
                    return Some(c.clone());
                }
            }
        }
        None
    }
}

/// The paragraphs of a text (lines trimmed, joined by `\n`) with their byte offsets.
fn paragraphs(input: &str) -> Vec<(usize, String)> {
    let mut paras: Vec<(usize, String)> = Vec::new();
    let mut start: Option<usize> = None;
    let mut cur = String::new();
    let mut offset = 0;
    for line in input.split_inclusive('\n') {
        let t = line.trim();
        if t.is_empty() {
            if let Some(s) = start.take() {
                paras.push((s, std::mem::take(&mut cur)));
            }
        } else {
            if start.is_none() {
                start = Some(offset + (line.len() - line.trim_start().len()));
            }
            if !cur.is_empty() {
                cur.push('\n');
            }
            cur.push_str(t);
        }
        offset += line.len();
    }
    if let Some(s) = start {
        paras.push((s, cur));
    }
    paras
}

/// An answer paragraph without its `Source:`/`Sources:` lines, and the URLs they give.
fn split_sources(answer: &str) -> (String, Vec<String>) {
    let mut sources = Vec::new();
    let mut lines = Vec::new();
    for l in answer.lines() {
        match l
            .strip_prefix("Source:")
            .or_else(|| l.strip_prefix("Sources:"))
        {
            Some(u) => sources.extend(u.split_whitespace().map(str::to_string)),
            None => lines.push(l),
        }
    }
    (lines.join("\n"), sources)
}
