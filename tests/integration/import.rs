//! `archie import` on the seed documents: into an empty folder, twice, as a dry run, and on
//! malformed input.

use crate::support::seed;
use archie::knowledge::import::{run, Format, ImportOptions, ImportReport};
use archie::knowledge::{load_dir, Detail, Kind, Knowledge};
use std::path::{Path, PathBuf};

fn import(dir: &Path, file: &Path, format: Format, dry_run: bool) -> ImportReport {
    run(&ImportOptions {
        file: file.to_path_buf(),
        format,
        knowledge: dir.to_path_buf(),
        dry_run,
    })
    .expect("import runs")
}

fn import_all_seeds(dir: &Path) -> Vec<ImportReport> {
    vec![
        import(dir, &seed("000_"), Format::AwesomeMd, false),
        import(dir, &seed("001_"), Format::QaText, false),
        import(dir, &seed("002_"), Format::AwesomeMd, false),
    ]
}

fn added(r: &ImportReport, kind: &str) -> usize {
    r.added
        .iter()
        .filter(|a| a.starts_with(&format!("{kind} ")))
        .count()
}

fn checked(dir: &Path) -> Knowledge {
    let (k, problems) = load_dir(dir);
    assert!(problems.is_empty(), "check found problems: {problems:#?}");
    k
}

#[test]
fn importing_the_seeds_into_an_empty_folder_passes_check_with_the_expected_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("knowledge");
    let [company_page, qa, reading]: [ImportReport; 3] = import_all_seeds(&dir).try_into().unwrap();

    assert_eq!(added(&company_page, "stack"), 23);
    assert_eq!(added(&company_page, "company"), 23);
    assert!(added(&company_page, "tech") >= 110);
    assert!(
        company_page.unparsed.is_empty(),
        "{:?}",
        company_page.unparsed
    );

    assert_eq!(added(&qa, "qa"), 9);
    assert_eq!(qa.skipped.len(), 1, "the duplicated Twitter pair");
    assert!(qa.skipped[0].contains("What architecture does Twitter use?"));

    assert_eq!(added(&reading, "reading"), 596);
    assert_eq!(reading.skipped.len(), 4, "four URLs are listed twice");
    assert!(reading.unparsed.is_empty(), "{:?}", reading.unparsed);

    let k = checked(&dir);
    assert_eq!(k.count(Kind::Stack), 23);
    assert_eq!(k.count(Kind::Qa), 9);
    assert_eq!(k.count(Kind::Reading), 596);
    assert!(dir.join("stacks/twitter.toml").is_file());
}

#[test]
fn imported_entries_keep_the_seed_spelling_and_resolve_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("knowledge");
    import_all_seeds(&dir);
    let k = checked(&dir);

    // `nodejs my-sql` (no comma) is two items; `aws(ec2, s3)` names the services.
    let fb = k.stack_of("Facebook").expect("Facebook stack");
    assert!(fb.technologies.contains(&"nodejs".to_string()));
    assert!(fb.technologies.contains(&"my-sql".to_string()));
    let quora = k.stack_of("Quora").expect("Quora stack");
    for t in ["aws", "ec2", "s3"] {
        assert!(quora.technologies.contains(&t.to_string()), "{t}");
    }
    // Smartstudy's Korean and product names are aliases.
    assert_eq!(k.companies.get("만화서비스").unwrap().name, "Smartstudy");
    assert_eq!(
        k.companies.get("Cartoon Service").unwrap().name,
        "Smartstudy"
    );
    // `(move out of)php` keeps its qualifier.
    let tumblr = k.stack_of("Tumblr").unwrap();
    let Detail::Stack { layers, .. } = &tumblr.detail else {
        panic!()
    };
    let php = layers
        .iter()
        .flat_map(|g| &g.items)
        .find(|i| i.raw == "php")
        .expect("php item");
    assert_eq!(php.qualifier.as_deref(), Some("move out of"));
    // The glossary's description and link are kept.
    let gearman = k.tech_entry("gearman").unwrap();
    assert!(gearman.text.contains("job queue system"));
    assert_eq!(gearman.sources, vec!["http://goo.gl/qxQb".to_string()]);

    // Reading links: section, topic, company.
    let uber = k
        .entries
        .iter()
        .find(|e| e.title == "Tech Stack (2 parts) at Uber")
        .expect("Uber link");
    assert_eq!(uber.company.as_deref(), Some("Uber"));
    let Detail::Reading { section, topic, .. } = &uber.detail else {
        panic!()
    };
    assert_eq!(section, "Architectures");
    assert!(topic.is_some());
    let dean = k
        .entries
        .iter()
        .find(|e| e.title.ends_with("- Jeff Dean, Google"))
        .unwrap();
    assert_eq!(dean.company.as_deref(), Some("Google"));
    // Nothing from the intro, Contents or License is imported.
    for e in k.entries.iter().filter(|e| e.kind == Kind::Reading) {
        assert!(!e.sources[0].contains("creativecommons.org"), "{}", e.title);
        assert!(!e.sources[0].contains("ctt.ec"), "{}", e.title);
    }
}

#[test]
fn importing_the_seeds_twice_skips_everything_as_duplicate() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("knowledge");
    import_all_seeds(&dir);
    let before = std::fs::read_to_string(dir.join("reading.toml")).unwrap();
    let again = import_all_seeds(&dir);
    for r in &again {
        assert!(r.added.is_empty(), "added on the second run: {:?}", r.added);
        assert!(r.unparsed.is_empty());
    }
    assert_eq!(
        again[0].skipped.len(),
        23 + 114,
        "23 stacks, 114 glossary items"
    );
    assert_eq!(again[1].skipped.len(), 10);
    assert_eq!(again[2].skipped.len(), 600);
    assert_eq!(
        std::fs::read_to_string(dir.join("reading.toml")).unwrap(),
        before
    );
    checked(&dir);
}

#[test]
fn a_dry_run_writes_nothing_but_reports_what_it_would_add() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("knowledge");
    let r = import(&dir, &seed("000_"), Format::AwesomeMd, true);
    assert_eq!(added(&r, "stack"), 23);
    assert!(r.dry_run);
    assert!(r.to_string().contains("dry run"));
    assert!(!dir.exists(), "a dry run created the folder");

    // On an existing folder, too.
    import(&dir, &seed("000_"), Format::AwesomeMd, false);
    let before = std::fs::read_to_string(dir.join("companies.toml")).unwrap();
    let r = import(&dir, &seed("002_"), Format::AwesomeMd, true);
    assert_eq!(added(&r, "reading"), 596);
    assert!(added(&r, "company") > 100);
    assert!(!dir.join("reading.toml").exists());
    assert_eq!(
        std::fs::read_to_string(dir.join("companies.toml")).unwrap(),
        before
    );
}

#[test]
fn a_malformed_line_is_reported_with_its_line_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("knowledge");
    let file = tmp.path().join("list.md");
    std::fs::write(
        &file,
        "# A list\n\n## Scalability\n\n* [Good link at Uber](https://eng.uber.com/a)\n  * [Broken link](https://example.com/b\n* [No scheme](ftp://example.com/c)\n",
    )
    .unwrap();
    let r = import(&dir, &file, Format::AwesomeMd, false);
    assert_eq!(added(&r, "reading"), 1);
    assert_eq!(r.unparsed.len(), 2, "{:?}", r.unparsed);
    let name = file.display().to_string();
    assert!(
        r.unparsed[0].starts_with(&format!("{name}:6:3: ")),
        "{}",
        r.unparsed[0]
    );
    assert!(r.unparsed[1].starts_with(&format!("{name}:7:1: ")));
    checked(&dir);

    // In a one-line list, the column is where the item starts.
    let flat = tmp.path().join("flat.md");
    std::fs::write(
        &flat,
        "## Talks * [Fine](https://a.example/x) * [Cut](https://b.example/y",
    )
    .unwrap();
    let r = import(&dir, &flat, Format::AwesomeMd, true);
    assert_eq!(r.unparsed.len(), 1);
    assert!(
        r.unparsed[0].starts_with(&format!("{}:1:40: ", flat.display())),
        "{}",
        r.unparsed[0]
    );
}

#[test]
fn a_question_without_an_answer_or_a_source_is_unparsable() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("knowledge");
    let file = tmp.path().join("qa.txt");
    std::fs::write(
        &file,
        "What is a cache?\n\nA place for copies.\nSource: https://example.com/cache\n\nWho knows this?\n\nNobody, and there is no source.\n",
    )
    .unwrap();
    let r = import(&dir, &file, Format::QaText, false);
    assert_eq!(added(&r, "qa"), 1);
    assert_eq!(r.unparsed.len(), 1);
    assert!(r.unparsed[0].contains(":6:1: "), "{}", r.unparsed[0]);
    let k = checked(&dir);
    let qa = k.entry("qa-what-is-a-cache").unwrap();
    assert_eq!(qa.text, "A place for copies.");
    assert_eq!(qa.sources, vec!["https://example.com/cache".to_string()]);
}

#[test]
fn the_import_command_exits_1_when_something_was_unparsable() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("bad.md");
    std::fs::write(&file, "## Talks\n* [Cut](https://b.example/y\n").unwrap();
    let out = crate::support::archie()
        .args(["import", file.to_str().unwrap(), "--format", "awesome-md"])
        .arg("--knowledge")
        .arg(tmp.path().join("k"))
        .output();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(":2:1: "), "{stdout}");
}

#[test]
fn an_existing_target_that_cannot_be_read_stops_the_import_before_anything_is_written() {
    // technologies.toml exists but cannot be read as a file (here: it is a folder), so
    // appending to it would overwrite what it holds.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("knowledge");
    std::fs::create_dir_all(dir.join("technologies.toml")).unwrap();
    let err = run(&ImportOptions {
        file: seed("000_"),
        format: Format::AwesomeMd,
        knowledge: dir.clone(),
        dry_run: false,
    })
    .expect_err("an unreadable target is an error");
    let msg = format!("{err:#}");
    assert!(msg.contains("technologies.toml"), "names the file: {msg}");
    assert!(msg.contains("nothing was written"), "{msg}");
    let mut left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["technologies.toml"], "no companies.toml, no stacks/");
}

#[test]
fn a_target_that_is_not_utf8_is_an_error_naming_it_and_stays_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("knowledge");
    std::fs::create_dir_all(&dir).unwrap();
    let bytes = b"[[qa]]\nid = \"q\xff\xfe\"\n".to_vec();
    std::fs::write(dir.join("qa.toml"), &bytes).unwrap();
    let err = run(&ImportOptions {
        file: seed("001_"),
        format: Format::QaText,
        knowledge: dir.clone(),
        dry_run: false,
    })
    .expect_err("a non-UTF-8 target is an error");
    let msg = format!("{err:#}");
    assert!(msg.contains("qa.toml"), "names the file: {msg}");
    assert_eq!(
        std::fs::read(dir.join("qa.toml")).unwrap(),
        bytes,
        "untouched"
    );
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "nothing added");
}

/// Every file under `dir` (sorted) with its text.
fn contents(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p.clone());
                out.push((p, String::new()));
            } else {
                out.push((p.clone(), std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_write_that_fails_half_way_leaves_the_folder_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("knowledge");
    let file = tmp.path().join("list.md");
    std::fs::write(
        &file,
        "## Scalability\n\n* [Scaling the monolith at Zappos](https://zappos.example/scale)\n",
    )
    .unwrap();
    import(&dir, &seed("000_"), Format::AwesomeMd, false);
    let dry = import(&dir, &file, Format::AwesomeMd, true);
    let written: Vec<String> = dry
        .files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        written,
        ["companies.toml", "reading.toml"],
        "a new company first, then the reading link"
    );
    // reading.toml's new text cannot be written, after companies.toml's was.
    std::fs::create_dir(dir.join("reading.toml.partial")).unwrap();
    let before = contents(&dir);
    let err = run(&ImportOptions {
        file,
        format: Format::AwesomeMd,
        knowledge: dir.clone(),
        dry_run: false,
    })
    .expect_err("the write fails");
    assert!(format!("{err:#}").contains("reading.toml"), "{err:#}");
    assert_eq!(contents(&dir), before, "every file is as it was");
    std::fs::remove_dir(dir.join("reading.toml.partial")).unwrap();
    checked(&dir);
}
