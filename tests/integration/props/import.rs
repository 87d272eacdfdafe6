//! `archie import` on random and damaged seed text: every unreadable line reported as
//! `file:line:column`, and the folder unchanged or one that passes `archie check`.

use super::*;

// ---- archie import ----------------------------------------------------------------------

/// The seeds' lines. The reading list (002) is one flattened 80 KB line: it is cut before
/// each heading and item, so a window holds a few links (the `Join` damage flattens again).
static SEEDS: LazyLock<[Vec<String>; 3]> = LazyLock::new(|| {
    ["000_", "001_", "002_"].map(|p| {
        std::fs::read_to_string(seed(p))
            .expect("a seed")
            .replace(" ## ", "\n## ")
            .replace(" * [", "\n* [")
            .lines()
            .map(String::from)
            .collect()
    })
});

/// Damage done to a list of lines.
#[derive(Debug, Clone)]
enum LineDamage {
    Delete,
    Duplicate,
    Truncate(Index),
    Insert(String),
    Replace(Index, char),
    Join,
}

fn line_damage() -> impl Strategy<Value = LineDamage> {
    prop_oneof![
        Just(LineDamage::Delete),
        Just(LineDamage::Duplicate),
        any::<Index>().prop_map(LineDamage::Truncate),
        "[\\[\\]()*#:,<>`|\\\\ -]{1,6}|\\PC{1,8}|[0-9]{20,40}".prop_map(LineDamage::Insert),
        (any::<Index>(), any::<char>()).prop_map(|(i, c)| LineDamage::Replace(i, c)),
        Just(LineDamage::Join),
    ]
}

fn damage_lines(lines: &mut Vec<String>, at: &Index, d: &LineDamage) {
    if lines.is_empty() {
        return;
    }
    let i = at.index(lines.len());
    let chars: Vec<char> = lines[i].chars().collect();
    match d {
        LineDamage::Delete => {
            lines.remove(i);
        }
        LineDamage::Duplicate => lines.insert(i, lines[i].clone()),
        LineDamage::Truncate(k) => {
            lines[i] = chars[..k.index(chars.len() + 1)].iter().collect();
        }
        LineDamage::Insert(s) => {
            let k = at.index(chars.len() + 1);
            lines[i] = chars[..k]
                .iter()
                .chain(s.chars().collect::<Vec<_>>().iter())
                .chain(chars[k..].iter())
                .collect();
        }
        LineDamage::Replace(k, c) if !chars.is_empty() => {
            let mut chars = chars;
            let k = k.index(chars.len());
            chars[k] = *c;
            lines[i] = chars.into_iter().collect();
        }
        LineDamage::Replace(..) => {}
        LineDamage::Join if i + 1 < lines.len() => {
            let next = lines.remove(i + 1);
            lines[i].push(' ');
            lines[i].push_str(&next);
        }
        LineDamage::Join => {}
    }
}

/// Import input: a window of a seed (0: company page, 1: Q&A text, 2: reading list),
/// damaged line by line, or random text.
fn import_input(seed_index: usize) -> impl Strategy<Value = String> {
    let window = (
        any::<Index>(),
        1usize..60,
        proptest::collection::vec((any::<Index>(), line_damage()), 0..8),
    )
        .prop_map(move |(start, len, damages)| {
            let all = &SEEDS[seed_index];
            let s = start.index(all.len());
            let mut lines: Vec<String> = all[s..(s + len).min(all.len())].to_vec();
            for (at, d) in &damages {
                damage_lines(&mut lines, at, d);
            }
            lines.join("\n")
        });
    prop_oneof![
        4 => window,
        1 => "[\\[\\]()*#:,\\n a-zA-Z0-9/.@-]{0,400}",
        1 => any::<String>(),
    ]
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.insert(p.strip_prefix(root).unwrap().join(""), Vec::new());
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_path_buf();
                out.insert(rel, std::fs::read(&p).unwrap_or_default());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        let target = to.join(e.file_name());
        if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap();
        }
    }
}

/// Imports `input` into a copy of the small fixture knowledge folder and checks the
/// properties every import has.
fn import_holds(input: &str, format: Format, dry_run: bool) -> Result<(), TestCaseError> {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("knowledge");
    copy_dir(&fixture_dir(), &dir);
    let file = tmp.path().join("input.txt");
    std::fs::write(&file, input).unwrap();
    let before = snapshot(&dir);
    let result = run(&ImportOptions {
        file: file.clone(),
        format,
        knowledge: dir.clone(),
        dry_run,
    });
    let after = snapshot(&dir);
    match result {
        Err(e) => {
            prop_assert!(
                before == after,
                "a failed import ({e:#}) changed the folder"
            );
        }
        Ok(report) => {
            let name = file.display().to_string();
            let lines = input.lines().count().max(1);
            for u in &report.unparsed {
                let rest = u.strip_prefix(&format!("{name}:"));
                prop_assert!(rest.is_some(), "no file in {:?}", u);
                let mut parts = rest.unwrap_or_default().splitn(3, ':');
                let line: usize = parts.next().and_then(|l| l.parse().ok()).unwrap_or(0);
                let col: usize = parts.next().and_then(|c| c.parse().ok()).unwrap_or(0);
                prop_assert!(
                    (1..=lines + 1).contains(&line) && col >= 1,
                    "no line:column in {:?}",
                    u
                );
            }
            if dry_run {
                prop_assert!(before == after, "a dry run changed the folder");
            } else {
                let (_, problems) = load_dir(&dir);
                prop_assert!(
                    problems.is_empty(),
                    "the import left problems: {problems:?}"
                );
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(150))]

    #[test]
    fn importing_a_damaged_company_page_or_reading_list_reports_lines_and_never_half_writes(
        seed in prop_oneof![Just(0usize), Just(2)].prop_flat_map(import_input),
        dry_run in proptest::bool::weighted(0.2),
    ) {
        import_holds(&seed, Format::AwesomeMd, dry_run)?;
    }

    #[test]
    fn importing_a_damaged_qa_text_reports_lines_and_never_half_writes(
        input in import_input(1),
        dry_run in proptest::bool::weighted(0.2),
    ) {
        import_holds(&input, Format::QaText, dry_run)?;
    }
}
