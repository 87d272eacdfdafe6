//! Reading-list links, and guessing the company a link's title is about.

use super::sink::Importer;
use super::tables::ReadingOut;
use archie_text::slug;

pub(super) struct ReadingDraft {
    pub(super) pos: String,
    pub(super) title: String,
    pub(super) url: String,
    pub(super) section: String,
    pub(super) topic: Option<String>,
    pub(super) company: Option<String>,
}

impl Importer {
    pub(super) fn add_readings(&mut self, readings: Vec<ReadingDraft>) {
        let mut names: Vec<String> = self.companies.values().cloned().collect();
        names.extend(readings.iter().filter_map(|r| r.company.clone()));
        names.sort();
        names.dedup();
        for mut r in readings {
            if r.company.is_none() {
                r.company = company_mentioned(&r.title, &names);
            }
            if !self.reading_urls.insert(r.url.clone()) {
                self.report.skipped.push(format!(
                    "reading '{}': same URL already listed ({})",
                    r.title, r.pos
                ));
                continue;
            }
            let company = r.company.map(|c| self.company(&c, &[], None));
            let id = self.unique_id(&format!("reading-{}", slug(&r.title)));
            self.report.added.push(format!("reading {id}: {}", r.title));
            let out = ReadingOut {
                id,
                title: r.title,
                url: r.url,
                section: r.section,
                topic: r.topic,
                company,
            };
            self.append("reading.toml", "reading", &out);
        }
    }
}

/// The company a reading-list title is about: `… at Uber`, `… (used at Netflix)`,
/// `… - Jeff Dean, Google`.
pub fn company_in_title(title: &str) -> Option<String> {
    let lower = title.to_lowercase();
    if let Some(i) = lower.rfind(" at ") {
        let cand = clean_company(&title[i + 4..]);
        if looks_like_company(&cand, 4) {
            return Some(cand);
        }
    }
    if let Some((_, who)) = title.rsplit_once(" - ") {
        if let Some((_, org)) = who.rsplit_once(", ") {
            let cand = clean_company(org);
            if looks_like_company(&cand, 2) && cand.split(' ').all(starts_upper) {
                return Some(cand);
            }
        }
    }
    None
}

fn starts_upper(w: &str) -> bool {
    w.chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
}

fn clean_company(s: &str) -> String {
    let mut s = s.trim();
    // Drop a trailing `(2018)`, `(from 27:22)` and an unbalanced `)`.
    loop {
        if let Some(i) = s.rfind(" (") {
            if s.ends_with(')') {
                s = s[..i].trim();
                continue;
            }
        }
        break;
    }
    if s.ends_with(')') && !s.contains('(') {
        s = s[..s.len() - 1].trim();
    }
    let s = s.trim_end_matches(['.', ',', ';', ':']);
    s.strip_suffix(" Engineering").unwrap_or(s).to_string()
}

fn looks_like_company(s: &str, max_words: usize) -> bool {
    const NOT: [&str; 4] = ["large", "once", "all", "various layers"];
    let lower = s.to_lowercase();
    !s.is_empty()
        && s.split(' ').count() <= max_words
        && (s.chars().next().is_some_and(|c| !c.is_lowercase())
            || s.chars().any(char::is_uppercase))
        && !NOT.contains(&lower.as_str())
        && lower != "scale"
        && !lower.ends_with(" scale")
        && !s.contains(" of ")
}

/// Company names that are also ordinary words: never guessed from a bare mention.
const WORDLIKE_COMPANIES: [&str; 10] = [
    "King", "Square", "Medium", "Box", "LINE", "Target", "Segment", "Indeed", "Line", "Wix",
];

/// The one known company a title mentions as a capitalised word (`Scaling Pinterest - …`,
/// `Erlang in WhatsApp`), when the title has no `at Company`.
fn company_mentioned(title: &str, names: &[String]) -> Option<String> {
    let mut found: Vec<&String> = Vec::new();
    for n in names {
        if n.chars().count() < 3 || WORDLIKE_COMPANIES.contains(&n.as_str()) {
            continue;
        }
        let mut from = 0;
        while let Some(i) = title[from..].find(n.as_str()) {
            let s = from + i;
            let e = s + n.len();
            let before = title[..s].chars().next_back();
            let after = title[e..].chars().next();
            let boundary =
                |c: Option<char>| c.is_none_or(|c| !(c.is_alphanumeric() || c == '-' || c == '.'));
            if boundary(before) && boundary(after) && !found.contains(&n) {
                found.push(n);
            }
            from = e;
        }
    }
    match found.as_slice() {
        [one] => Some((*one).clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn company_names_come_from_the_end_of_a_title() {
        assert_eq!(
            company_in_title("Tech Stack (2 parts) at Uber").as_deref(),
            Some("Uber")
        );
        assert_eq!(
            company_in_title("Designs, Lessons and Advice - Jeff Dean, Google").as_deref(),
            Some("Google")
        );
        assert_eq!(
            company_in_title("Uniform Consistent Hashing (used at Netflix)").as_deref(),
            Some("Netflix")
        );
        assert_eq!(
            company_in_title("Search Federation Architecture at LinkedIn (2018)").as_deref(),
            Some("LinkedIn")
        );
        assert_eq!(
            company_in_title("Monitoring with Time Series at Scale"),
            None
        );
        assert_eq!(
            company_in_title("How To Design A Good API - Joshua Bloch"),
            None
        );
    }
}
