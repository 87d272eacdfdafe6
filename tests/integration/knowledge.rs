//! The shipped `knowledge/` folder: coverage of the seeds, name resolution, export, and
//! `archie check` on the folder and on broken ones.

use crate::support::shipped_dir;
use archie::knowledge::{Detail, Entry, Kind, Knowledge};
use std::path::Path;

fn shipped() -> Knowledge {
    Knowledge::load(&shipped_dir()).expect("the shipped knowledge folder is valid")
}

fn archie(args: &[&str]) -> std::process::Output {
    crate::support::archie().args(args).output()
}

const SEED_000_COMPANIES: [&str; 23] = [
    "Twitter",
    "Facebook",
    "Tumblr",
    "Quora",
    "Pinterest",
    "Instagram",
    "Pulse",
    "Netflix",
    "Spoqa",
    "StyleShare",
    "Gae9",
    "TheBorn Coupon",
    "Lezhin Comics",
    "Smartstudy",
    "99designs",
    "TripAdvisor",
    "Trello",
    "GOV.UK",
    "StackExchange",
    "YouPorn",
    "LinkedIn",
    "SoundCloud",
    "Tagged",
];

fn stack_items(e: &Entry) -> Vec<(&str, &str)> {
    let Detail::Stack { layers, .. } = &e.detail else {
        panic!("{} is not a stack", e.id)
    };
    layers
        .iter()
        .flat_map(|g| g.items.iter().map(|i| (i.raw.as_str(), i.tech.as_str())))
        .collect()
}

#[test]
fn every_seed_company_has_a_stack_and_idonethis_too() {
    let k = shipped();
    for name in SEED_000_COMPANIES.iter().chain(&["iDoneThis"]) {
        let stack = k
            .stack_of(name)
            .unwrap_or_else(|| panic!("no stack for {name}"));
        assert_eq!(stack.company.as_deref(), Some(*name));
    }
    assert!(k.entry("stack-instagram-highscalability").is_some());
    assert_eq!(k.count(Kind::Stack), 25);
    // The three link-only sections still carry their source.
    let linkedin = k.stack_of("LinkedIn").unwrap();
    assert_eq!(linkedin.sources, vec!["http://goo.gl/cDHMX".to_string()]);
}

#[test]
fn the_folder_covers_every_seed_in_the_expected_numbers() {
    let k = shipped();
    assert!(k.count(Kind::Tech) >= 110, "{}", k.count(Kind::Tech));
    assert_eq!(k.count(Kind::Qa), 9);
    assert!(k.count(Kind::Reading) >= 580, "{}", k.count(Kind::Reading));
    assert_eq!(k.count(Kind::Note), 4);
    let passages = |company: &str| {
        k.entries
            .iter()
            .filter(|e| e.kind == Kind::Article && e.company.as_deref() == Some(company))
            .count()
    };
    assert_eq!(passages("Instagram"), 10);
    assert_eq!(passages("Facebook"), 8);
    let keep_it_simple = k.entry("note-keep-it-simple").expect("main lesson");
    assert!(keep_it_simple.text.contains("simple"));
    assert!(k.entry("note-google-latency-tolerant-systems").is_some());
}

#[test]
fn twitters_stack_resolves_its_spellings_to_canonical_technologies() {
    let k = shipped();
    let twitter = k.stack_of("Twitter").unwrap();
    for t in ["Cassandra", "MySQL", "memcached", "Ruby on Rails"] {
        assert!(twitter.technologies.contains(&t.to_string()), "{t}");
    }
    let items = stack_items(twitter);
    assert!(items.contains(&("my-sql", "MySQL")));
    assert!(items.contains(&("memchached", "memcached")));
}

#[test]
fn misspelled_technologies_in_stacks_resolve_to_the_right_entry() {
    let k = shipped();
    assert!(stack_items(k.stack_of("Netflix").unwrap()).contains(&("casandra", "Cassandra")));
    assert!(stack_items(k.stack_of("Facebook").unwrap()).contains(&("memcahced", "memcached")));
    assert!(
        stack_items(k.stack_of("TripAdvisor").unwrap()).contains(&("postgres-sql", "PostgreSQL"))
    );
    assert!(stack_items(k.stack_of("Tumblr").unwrap()).contains(&("ha-proxy", "HAProxy")));
    for name in ["postgre-sql", "postgres-sql", "postgres", "PostgreSQL"] {
        assert_eq!(k.techs.get(name).unwrap().name, "PostgreSQL", "{name}");
    }
    for (alias, canonical) in [
        ("my-sql", "MySQL"),
        ("ror", "Ruby on Rails"),
        ("nodejs", "Node.js"),
        ("node.js", "Node.js"),
        ("ec2", "Amazon EC2"),
        ("s3", "Amazon S3"),
        ("elb", "Elastic Load Balancing"),
        ("memcache", "memcached"),
        ("graphie", "Graphite"),
    ] {
        assert_eq!(k.techs.get(alias).unwrap().name, canonical, "{alias}");
    }
}

#[test]
fn instagrams_stack_keeps_the_instance_sizes_of_the_seed_in_its_remark() {
    let k = shipped();
    // The seed-000 stack comes first; seed 003's High Scalability stack is the second one.
    assert_eq!(k.stack_of("Instagram").unwrap().id, "stack-instagram");
    let Detail::Stack { layers, remark, .. } = &k.entry("stack-instagram").unwrap().detail else {
        panic!()
    };
    let pg = layers
        .iter()
        .flat_map(|g| &g.items)
        .find(|i| i.raw == "postgre-sql")
        .expect("postgre-sql item");
    assert_eq!(pg.tech, "PostgreSQL");
    // The seed's sizes describe machines, not PostgreSQL: the curated form says so in the
    // stack's remark instead of attaching them to an item.
    assert_eq!(pg.qualifier, None);
    let remark = remark.as_deref().unwrap_or_default();
    assert!(remark.contains("Quadruple Extra-Large"), "{remark}");
}

#[test]
fn companies_resolve_by_alias_and_by_name_in_another_script() {
    let k = shipped();
    for (alias, canonical) in [
        ("Meta", "Facebook"),
        ("레진코믹스", "Lezhin Comics"),
        ("더본쿠폰", "TheBorn Coupon"),
        ("만화서비스", "Smartstudy"),
        ("Cartoon Service", "Smartstudy"),
        ("개9", "Gae9"),
        ("Stack Overflow", "StackExchange"),
        ("Stack Exchange", "StackExchange"),
        ("X", "Twitter"),
    ] {
        assert_eq!(k.companies.get(alias).unwrap().name, canonical, "{alias}");
    }
    for reading_company in ["Uber", "Spotify", "Evernote", "TransferWise", "Netflix"] {
        assert!(
            k.companies.get(reading_company).is_some(),
            "{reading_company}"
        );
    }
}

#[test]
fn reading_links_carry_their_company_section_and_topic() {
    let k = shipped();
    let uber = k
        .entries
        .iter()
        .find(|e| e.title == "Tech Stack (2 parts) at Uber")
        .expect("the Uber tech stack link");
    assert_eq!(uber.company.as_deref(), Some("Uber"));
    let Detail::Reading { section, .. } = &uber.detail else {
        panic!()
    };
    assert_eq!(section, "Architectures");
    let sections: std::collections::BTreeSet<&str> = k
        .entries
        .iter()
        .filter_map(|e| match &e.detail {
            Detail::Reading { section, .. } => Some(section.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(sections.len(), 10, "{sections:?}");
    assert!(!sections.contains("Contents") && !sections.contains("License"));
}

#[test]
fn the_qa_pairs_are_verbatim_and_attributed() {
    let k = shipped();
    let backend = k.entry("qa-what-does-twitter-use-for-backend").unwrap();
    assert!(backend.text.starts_with("Manhattan(the backend for Tweets"));
    assert_eq!(backend.company.as_deref(), Some("Twitter"));
    let twitter_arch: Vec<&Entry> = k
        .entries
        .iter()
        .filter(|e| e.title == "What architecture does Twitter use?")
        .collect();
    assert_eq!(twitter_arch.len(), 1, "the duplicated pair is kept once");
    assert!(twitter_arch[0].technologies.contains(&"MySQL".to_string()));
}

#[test]
fn nothing_from_the_unrelated_posts_is_in_the_knowledge() {
    let k = shipped();
    let banned = [
        "sysctl",
        "LICENSE_COMB",
        "autoconf",
        "Wallpaper",
        "We Rule",
        "oDesk",
        "Menampilkan",
        "dmesg",
    ];
    for e in &k.entries {
        for b in banned {
            assert!(
                !e.title.contains(b) && !e.text.contains(b),
                "{} mentions '{b}'",
                e.id
            );
        }
    }
}

#[test]
fn every_entry_names_an_http_source() {
    let k = shipped();
    for e in &k.entries {
        assert!(!e.sources.is_empty(), "{} has no source", e.id);
        for s in &e.sources {
            assert!(
                s.starts_with("http://") || s.starts_with("https://"),
                "{}: {s}",
                e.id
            );
        }
    }
}

#[test]
fn export_prints_every_entry_as_json_with_the_common_fields() {
    let dir = shipped_dir();
    let out = archie(&["export", "--json", "--knowledge", dir.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let entries = v.as_array().expect("an array");
    assert_eq!(entries.len(), shipped().entries.len());
    for e in entries {
        for field in ["id", "kind", "title", "text", "technologies", "sources"] {
            assert!(e.get(field).is_some(), "{field} missing in {e}");
        }
        let company = e.get("company").expect("company field");
        assert!(company.is_string() || company.is_null());
    }
    let k = shipped();
    let techs: Vec<&serde_json::Value> = entries.iter().filter(|e| e["kind"] == "tech").collect();
    assert_eq!(techs.len(), k.count(Kind::Tech));
    for e in techs {
        let tech = k.techs.get(e["title"].as_str().unwrap()).unwrap();
        let aliases: Vec<&str> = e
            .get("aliases")
            .map(|a| {
                a.as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_str().unwrap())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(aliases, tech.aliases, "{}", e["id"]);
    }
    let mysql = entries
        .iter()
        .find(|e| e["id"] == "tech-mysql")
        .expect("tech-mysql");
    assert!(mysql["aliases"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == "my-sql"));
}

// ---------------------------------------------------------------------------------------
// `archie check`.

#[test]
fn check_passes_on_the_shipped_folder() {
    let dir = shipped_dir();
    let out = archie(&["check", "--knowledge", dir.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains(": ok"), "{stdout}");
}

const COMPANIES: &str =
    "[[company]]\nid = \"acme\"\nname = \"Acme\"\nurl = \"https://acme.example/\"\n";
const TECHS: &str = "[[tech]]\nid = \"tech-mysql\"\nname = \"MySQL\"\nlayer = \"data\"\naliases = [\"my-sql\"]\nurl = \"https://www.mysql.com/\"\n";
const STACK: &str = "id = \"stack-acme\"\ncompany = \"Acme\"\nsources = [\"https://acme.example/stack\"]\n\n[layers]\ndata = [\"my-sql\"]\n";
const QA: &str = "[[qa]]\nid = \"qa-what-does-acme-use\"\nquestion = \"What does Acme use?\"\nanswer = \"MySQL.\"\ncompany = \"Acme\"\nsources = [\"https://acme.example/qa\"]\n";
const READING: &str = "[[reading]]\nid = \"reading-scaling-at-acme\"\ntitle = \"Scaling at Acme\"\nurl = \"https://acme.example/scaling\"\nsection = \"Scalability\"\ncompany = \"Acme\"\n";

/// A small valid folder with one file replaced by `broken`.
fn folder_with(file: &str, broken: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::create_dir(d.join("stacks")).unwrap();
    for (name, text) in [
        ("companies.toml", COMPANIES),
        ("technologies.toml", TECHS),
        ("stacks/acme.toml", STACK),
        ("qa.toml", QA),
        ("reading.toml", READING),
    ] {
        let text = if name == file { broken } else { text };
        std::fs::write(d.join(name), text).unwrap();
    }
    tmp
}

/// Runs `archie check` on the folder; asserts exit 1 and a `file:line: ` line that
/// contains `message`.
fn assert_check_reports(dir: &Path, file: &str, line: usize, message: &str) {
    let out = archie(&["check", "--knowledge", dir.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let prefix = format!("{}:{line}: ", dir.join(file).display());
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with(&prefix) && l.contains(message)),
        "expected '{prefix}…{message}…' in:\n{stdout}"
    );
}

#[test]
fn check_accepts_the_small_fixture_folder() {
    let tmp = folder_with("", "");
    let out = archie(&["check", "--knowledge", tmp.path().to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn check_reports_an_unparsable_file_at_its_line() {
    let broken = "[[tech]]\nid = \"tech-mysql\"\nname = \"MySQL\nlayer = \"data\"\n";
    let tmp = folder_with("technologies.toml", broken);
    assert_check_reports(tmp.path(), "technologies.toml", 3, "cannot parse TOML");
}

#[test]
fn check_reports_a_duplicate_id_where_it_is_repeated() {
    let broken = format!("{QA}\n[[qa]]\nid = \"qa-what-does-acme-use\"\nquestion = \"Again?\"\nanswer = \"Yes.\"\nsources = [\"https://acme.example/qa\"]\n");
    let tmp = folder_with("qa.toml", &broken);
    assert_check_reports(
        tmp.path(),
        "qa.toml",
        9,
        "duplicate id 'qa-what-does-acme-use'",
    );
}

#[test]
fn check_reports_an_empty_required_field() {
    let broken = READING.replace("title = \"Scaling at Acme\"", "title = \"  \"");
    let tmp = folder_with("reading.toml", &broken);
    assert_check_reports(
        tmp.path(),
        "reading.toml",
        3,
        "empty required field `title`",
    );
}

#[test]
fn check_reports_a_url_that_is_not_http() {
    let broken = READING.replace("https://acme.example/scaling", "ftp://acme.example/scaling");
    let tmp = folder_with("reading.toml", &broken);
    assert_check_reports(tmp.path(), "reading.toml", 4, "is not an http(s) URL");
}

#[test]
fn check_reports_a_technology_without_a_canonical_entry() {
    let broken = format!("{STACK}cache = [\"memcached\"]\n");
    let tmp = folder_with("stacks/acme.toml", &broken);
    assert_check_reports(
        tmp.path(),
        "stacks/acme.toml",
        7,
        "technology 'memcached' has no canonical entry",
    );
}

#[test]
fn check_reports_a_company_without_a_canonical_entry() {
    let broken = QA.replace("company = \"Acme\"", "company = \"Globex\"");
    let tmp = folder_with("qa.toml", &broken);
    assert_check_reports(
        tmp.path(),
        "qa.toml",
        5,
        "company 'Globex' has no canonical entry",
    );
}

#[test]
fn check_reports_an_alias_claimed_twice() {
    let broken = format!("{TECHS}\n[[tech]]\nid = \"tech-mariadb\"\nname = \"MariaDB\"\nlayer = \"data\"\naliases = [\"mysql\"]\nurl = \"https://mariadb.org/\"\n");
    let tmp = folder_with("technologies.toml", &broken);
    assert_check_reports(
        tmp.path(),
        "technologies.toml",
        12,
        "alias 'mysql' of technology 'MariaDB' is already claimed by 'MySQL'",
    );
}
