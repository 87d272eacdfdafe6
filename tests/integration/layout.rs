//! The workspace's layout as its docs and manifests state it: each crate's `# Layout`
//! names every source file it holds and no other, each crate uses only the crates below
//! it, no source file grows past 600 lines, and no two public types share a name.

use crate::support::{repo_path, rust_files};
use std::collections::BTreeSet;
use std::path::Path;

/// Each crate of the workspace, its folder, and the crates it may use.
const LAYERS: &[(&str, &str, &[&str])] = &[
    ("archie-kernels", "crates/kernels", &[]),
    ("archie-text", "crates/text", &[]),
    ("archie-knowledge", "crates/knowledge", &["archie-text"]),
    (
        "archie-search",
        "crates/search",
        &["archie-kernels", "archie-knowledge", "archie-text"],
    ),
    (
        "archie-store",
        "crates/store",
        &["archie-knowledge", "archie-text"],
    ),
    (
        "archie-core",
        "crates/core",
        &[
            "archie-search",
            "archie-store",
            "archie-knowledge",
            "archie-text",
        ],
    ),
    (
        "archie-discord",
        "crates/discord",
        &[
            "archie-core",
            "archie-search",
            "archie-store",
            "archie-knowledge",
            "archie-text",
        ],
    ),
    (
        "archie",
        ".",
        &[
            "archie-discord",
            "archie-core",
            "archie-search",
            "archie-store",
            "archie-knowledge",
            "archie-text",
        ],
    ),
];

/// The `.rs` files under `root`, as paths relative to it.
fn relative_rust_files(root: &Path) -> BTreeSet<String> {
    rust_files(root)
        .iter()
        .map(|p| {
            p.strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect()
}

/// The files a crate's `lib.rs` names in its `# Layout` section.
fn named_in_layout(lib: &str) -> BTreeSet<String> {
    let docs: Vec<&str> = lib
        .lines()
        .take_while(|l| l.starts_with("//!"))
        .map(|l| l.trim_start_matches("//!").trim())
        .collect();
    let start = docs
        .iter()
        .position(|l| *l == "# Layout")
        .expect("a # Layout section in lib.rs");
    let mut named = BTreeSet::new();
    for l in docs[start + 1..]
        .iter()
        .take_while(|l| !l.starts_with("# "))
    {
        for (i, part) in l.split('`').enumerate() {
            if i % 2 == 1 && part.ends_with(".rs") {
                named.insert(part.to_string());
            }
        }
    }
    named
}

#[test]
fn every_crates_layout_names_each_of_its_files_and_no_other() {
    for (name, dir, _) in LAYERS {
        let src = repo_path(dir).join("src");
        let mut files = relative_rust_files(&src);
        files.remove("lib.rs");
        let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
        let named = named_in_layout(&lib);
        let missing: Vec<_> = files.difference(&named).collect();
        let stale: Vec<_> = named.difference(&files).collect();
        assert!(
            missing.is_empty() && stale.is_empty(),
            "{name}'s # Layout: not named {missing:?}; named but absent {stale:?}"
        );
    }
}

#[test]
fn each_crate_uses_only_the_crates_below_it() {
    for (name, dir, allowed) in LAYERS {
        let manifest = std::fs::read_to_string(repo_path(dir).join("Cargo.toml")).unwrap();
        let toml: toml::Table = manifest.parse().unwrap();
        for section in ["dependencies", "dev-dependencies", "build-dependencies"] {
            let Some(deps) = toml.get(section).and_then(|d| d.as_table()) else {
                continue;
            };
            for dep in deps.keys().filter(|d| d.starts_with("archie")) {
                assert!(
                    allowed.contains(&dep.as_str()),
                    "{name} uses {dep} in [{section}], which is not below it"
                );
            }
        }
    }
    // And every crate of the workspace is one of the layers.
    let mut crates = BTreeSet::new();
    for e in std::fs::read_dir(repo_path("crates")).unwrap().flatten() {
        crates.insert(format!("crates/{}", e.file_name().to_string_lossy()));
    }
    let layered: BTreeSet<String> = LAYERS
        .iter()
        .map(|(_, d, _)| d.to_string())
        .filter(|d| d != ".")
        .collect();
    assert_eq!(crates, layered, "a crate folder that is not a layer");
}

#[test]
fn no_source_file_is_over_600_lines() {
    let mut long = Vec::new();
    for dir in ["src", "crates", "tests", "benches"] {
        let root = repo_path(dir);
        for f in relative_rust_files(&root) {
            let n = std::fs::read_to_string(root.join(&f))
                .unwrap()
                .lines()
                .count();
            if n > 600 {
                long.push(format!("{dir}/{f}: {n} lines"));
            }
        }
    }
    assert!(long.is_empty(), "files over 600 lines: {long:?}");
}

/// The public types declared in the workspace's sources, by name, with where each is.
fn public_types() -> std::collections::BTreeMap<String, Vec<String>> {
    let mut found = std::collections::BTreeMap::<String, Vec<String>>::new();
    for dir in ["src", "crates"] {
        let root = repo_path(dir);
        for f in relative_rust_files(&root) {
            let text = std::fs::read_to_string(root.join(&f)).unwrap();
            let mut previous = "";
            for (n, line) in text.lines().enumerate() {
                let decl = line.trim_start();
                for keyword in ["pub struct ", "pub enum ", "pub type ", "pub trait "] {
                    let Some(rest) = decl.strip_prefix(keyword) else {
                        continue;
                    };
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    // A name shared on purpose says so in the comment above it.
                    if !previous.contains("Same name as") {
                        found
                            .entry(name)
                            .or_default()
                            .push(format!("{dir}/{f}:{}", n + 1));
                    }
                }
                previous = line;
            }
        }
    }
    found
}

#[test]
fn no_two_public_types_share_a_name() {
    let types = public_types();
    assert!(types.contains_key("Entry") && types.contains_key("Stash"));
    let shared: Vec<_> = types.iter().filter(|(_, at)| at.len() > 1).collect();
    assert!(
        shared.is_empty(),
        "public types of one name (rename one, or say why above it with \"Same name as\"): \
         {shared:?}"
    );
}
