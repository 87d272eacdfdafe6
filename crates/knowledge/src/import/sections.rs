//! The `awesome-md` section state machine: each `##` heading opens a company section, a
//! glossary group (after `REFERENCES`) or a reading-list section, and each line goes to the
//! section it sits in. The drafts are turned into entries once the whole file is read.

use super::glossary::{parse_glossary, GlossaryItem};
use super::markdown::{extra_links, logical_lines, md_link};
use super::reading::{company_in_title, ReadingDraft};
use super::report::position;
use super::sink::Importer;
use super::stack::StackDraft;
use super::tables::LinkOut;
use crate::is_http_url;
use archie_text::normalize;

enum Section {
    /// Before the first `##` heading, or a section that holds no knowledge.
    Skip,
    Company(Box<StackDraft>),
    Glossary(String),
    Reading {
        name: String,
        topic: Option<String>,
    },
}

const SKIPPED_SECTIONS: [&str; 5] = [
    "contents",
    "special thanks",
    "license",
    "contributing",
    "table of contents",
];

/// What the sections of a file hold so far, turned into entries once the file is read.
#[derive(Default)]
struct Drafts {
    glossary: Vec<GlossaryItem>,
    /// The glossary item a wrapped description line continues, if any.
    last_glossary: Option<usize>,
    stacks: Vec<StackDraft>,
    readings: Vec<ReadingDraft>,
}

impl Importer {
    pub(super) fn awesome_md(&mut self, file: &str, input: &str) {
        let lines = logical_lines(input);
        let mut section = Section::Skip;
        let mut in_references = false;
        let mut drafts = Drafts::default();
        let mut prev_blank = true;
        for ll in &lines {
            let t = ll.text.trim();
            let pos = position(
                file,
                input,
                ll.at + (ll.text.len() - ll.text.trim_start().len()),
            );
            if t.is_empty() {
                prev_blank = true;
                drafts.last_glossary = None;
                continue;
            }
            let was_blank = std::mem::replace(&mut prev_blank, false);
            if t.eq_ignore_ascii_case("references") {
                in_references = true;
                self.close(&mut section, &mut drafts.stacks);
                section = Section::Skip;
                continue;
            }
            if let Some(h) = t.strip_prefix("## ").or_else(|| t.strip_prefix("### ")) {
                self.close(&mut section, &mut drafts.stacks);
                drafts.last_glossary = None;
                section = self.heading(h.trim(), in_references, &pos);
                continue;
            }
            if t.starts_with('#') || t == "*" || t.chars().all(|c| c == '=' || c == '-') {
                continue;
            }
            let item = t.strip_prefix("* ").or_else(|| t.strip_prefix("- "));
            match &mut section {
                Section::Skip => {}
                Section::Company(d) => self.company_line(d, item, t, pos),
                Section::Glossary(group) => {
                    // A wrapped description continues the item above it.
                    let continues = ll.physical && !was_blank;
                    self.glossary_line(&mut drafts, group, item, t, pos, continues)
                }
                Section::Reading { name, topic } => {
                    if let Some(rest) = item {
                        self.reading_line(&mut drafts, name, topic, rest.trim(), pos)
                    }
                }
            }
        }
        self.close(&mut section, &mut drafts.stacks);
        // Glossary first, so the stacks' technologies resolve to its names.
        for g in drafts.glossary {
            self.add_glossary(g);
        }
        for d in drafts.stacks {
            self.add_stack(d);
        }
        self.add_readings(drafts.readings);
    }

    /// A line of a company section: an article link, a `label: list` sub-bullet or a
    /// technology line.
    fn company_line(&mut self, d: &mut StackDraft, item: Option<&str>, t: &str, pos: String) {
        match item {
            Some(rest) if rest.trim().starts_with('[') => match md_link(rest.trim()) {
                Some((title, url, after)) => {
                    if is_http_url(&url) {
                        d.links.push(LinkOut {
                            title: title.clone(),
                            url,
                        });
                    } else {
                        self.report
                            .unparsed
                            .push(format!("{pos}: link '{title}' has no http(s) URL"));
                    }
                    for (lang, u) in extra_links(after) {
                        d.links.push(LinkOut {
                            title: format!("{title} ({lang})"),
                            url: u,
                        });
                    }
                }
                None => self
                    .report
                    .unparsed
                    .push(format!("{pos}: expected '[title](url)', found '{t}'")),
            },
            Some(rest) if rest.trim().is_empty() => {}
            Some(rest) => match rest.split_once(':') {
                Some((label, list)) => {
                    d.sub_lists
                        .push((pos, label.trim().into(), list.trim().into()))
                }
                None => d.tech_lines.push((pos, rest.trim().to_string())),
            },
            None => d.tech_lines.push((pos, t.to_string())),
        }
    }

    /// A line of a glossary group: an item, or the continuation of the one above.
    fn glossary_line(
        &mut self,
        drafts: &mut Drafts,
        group: &str,
        item: Option<&str>,
        t: &str,
        pos: String,
        continues: bool,
    ) {
        match item {
            Some(rest) => match parse_glossary(rest.trim(), group) {
                Ok(mut g) => {
                    g.pos = pos.clone();
                    drafts.glossary.push(g);
                    drafts.last_glossary = Some(drafts.glossary.len() - 1);
                }
                Err(e) => self.report.unparsed.push(format!("{pos}: {e}")),
            },
            None => {
                if let (Some(i), true) = (drafts.last_glossary, continues) {
                    let g = &mut drafts.glossary[i];
                    let d = g.description.get_or_insert_with(String::new);
                    d.push(' ');
                    d.push_str(t);
                }
            }
        }
    }

    /// An item of a reading-list section. A link that names no company is a subject
    /// heading: it becomes the topic of the links after it.
    fn reading_line(
        &mut self,
        drafts: &mut Drafts,
        section: &str,
        topic: &mut Option<String>,
        rest: &str,
        pos: String,
    ) {
        match md_link(rest) {
            Some((title, url, _)) if is_http_url(&url) => {
                let company = company_in_title(&title);
                let this_topic = match &company {
                    Some(_) => topic.clone(),
                    None => {
                        *topic = Some(title.clone());
                        Some(title.clone())
                    }
                };
                drafts.readings.push(ReadingDraft {
                    pos,
                    title,
                    url,
                    section: section.to_string(),
                    topic: this_topic,
                    company,
                });
            }
            Some((title, url, _)) => self.report.unparsed.push(format!(
                "{pos}: link '{title}' has no http(s) URL ('{url}')"
            )),
            None if rest.starts_with('[') => self.report.unparsed.push(format!(
                "{pos}: expected '[title](url)', found '{}'",
                archie_text::truncate_words(rest, 60)
            )),
            None => {}
        }
    }

    fn close(&mut self, section: &mut Section, stacks: &mut Vec<StackDraft>) {
        if let Section::Company(d) = std::mem::replace(section, Section::Skip) {
            stacks.push(*d);
        }
    }

    fn heading(&mut self, h: &str, in_references: bool, pos: &str) -> Section {
        if h.starts_with('[') {
            let Some((title, url, after)) = md_link(h) else {
                self.report
                    .unparsed
                    .push(format!("{pos}: expected '## [Company](url)', found '{h}'"));
                return Section::Skip;
            };
            let (company, aliases) = company_heading(&title);
            let mut links = Vec::new();
            for (lang, u) in extra_links(after) {
                links.push(LinkOut {
                    title: format!("{company} ({lang})"),
                    url: u,
                });
            }
            return Section::Company(Box::new(StackDraft {
                company,
                aliases,
                url: is_http_url(&url).then_some(url),
                at: pos.to_string(),
                tech_lines: Vec::new(),
                sub_lists: Vec::new(),
                remark: Vec::new(),
                links,
            }));
        }
        let name = h.trim_end_matches(':').trim();
        if SKIPPED_SECTIONS.contains(&name.to_lowercase().as_str()) {
            return Section::Skip;
        }
        if in_references {
            let first = normalize(name)
                .split(' ')
                .next()
                .unwrap_or_default()
                .to_string();
            let group = match first.as_str() {
                "infra" | "infrastructure" | "platforms" => "infra".to_string(),
                "database" | "databases" | "data" | "storage" => "data".to_string(),
                "deploy" | "deployment" | "monitoring" => "deploy".to_string(),
                other => other.to_string(),
            };
            return Section::Glossary(group);
        }
        Section::Reading {
            name: name.to_string(),
            topic: None,
        }
    }
}

/// `Gae9(개9)` → ("Gae9", ["개9"]); `Cartoon Service(만화서비스) - Smartstudy` →
/// ("Smartstudy", ["Cartoon Service", "만화서비스"]).
pub(super) fn company_heading(title: &str) -> (String, Vec<String>) {
    let (product, company) = match title.rsplit_once(" - ") {
        Some((p, c)) => (Some(p.trim()), c.trim()),
        None => (None, title.trim()),
    };
    let mut aliases = Vec::new();
    let mut split = |s: &str| -> String {
        match s.find('(') {
            Some(i) if i > 0 && s.ends_with(')') => {
                aliases.push(s[i + 1..s.len() - 1].trim().to_string());
                s[..i].trim().to_string()
            }
            _ => s.to_string(),
        }
    };
    let name = split(company);
    if let Some(p) = product {
        let p = split(p);
        aliases.insert(0, p);
    }
    aliases.retain(|a| !a.is_empty());
    (name, aliases)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn company_headings_keep_other_names_as_aliases() {
        let (n, a) = company_heading("Cartoon Service(만화서비스) - Smartstudy");
        assert_eq!(n, "Smartstudy");
        assert_eq!(
            a,
            vec!["Cartoon Service".to_string(), "만화서비스".to_string()]
        );
        let (n, a) = company_heading("TheBorn Coupon(더본쿠폰)");
        assert_eq!(n, "TheBorn Coupon");
        assert_eq!(a, vec!["더본쿠폰".to_string()]);
    }
}
