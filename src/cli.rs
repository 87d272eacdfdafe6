//! The command line: clap definitions and one function per subcommand. Offline commands
//! need no token and no configuration.

use crate::config;
use crate::knowledge::{self, import};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "archie",
    version,
    about = "Answers software-architecture questions from a curated knowledge base"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Cmd,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Validate a knowledge folder; prints `file:line: problem` and exits 1 on any problem
    Check {
        #[arg(long)]
        knowledge: Option<PathBuf>,
    },
    /// Print every knowledge entry as one JSON array (backup and interchange format)
    Export {
        /// JSON output (the only format)
        #[arg(long, default_value_t = true)]
        json: bool,
        #[arg(long)]
        knowledge: Option<PathBuf>,
    },
    /// Import a Markdown link list or a Q&A text into the knowledge folder
    Import {
        file: PathBuf,
        #[arg(long, value_enum)]
        format: import::Format,
        /// Report what would change without writing anything
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        knowledge: Option<PathBuf>,
    },
}

/// Runs one subcommand; returns the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Cmd::Check { knowledge } => {
            let dir = config::knowledge_dir(knowledge);
            let (k, problems) = knowledge::load_dir(&dir);
            if problems.is_empty() {
                println!(
                    "{}: ok — {} entries ({} stacks, {} technologies, {} Q&A, {} reading, {} notes, {} article passages), {} companies",
                    dir.display(),
                    k.entries.len(),
                    k.count(knowledge::Kind::Stack),
                    k.count(knowledge::Kind::Tech),
                    k.count(knowledge::Kind::Qa),
                    k.count(knowledge::Kind::Reading),
                    k.count(knowledge::Kind::Note),
                    k.count(knowledge::Kind::Article),
                    k.companies.items.len()
                );
                Ok(0)
            } else {
                for p in &problems {
                    println!("{p}");
                }
                eprintln!("{} problem(s) found", problems.len());
                Ok(1)
            }
        }
        Cmd::Export { json: _, knowledge } => {
            let dir = config::knowledge_dir(knowledge);
            let k = knowledge::Knowledge::load(&dir)?;
            println!("{}", serde_json::to_string_pretty(&k.entries)?);
            Ok(0)
        }
        Cmd::Import {
            file,
            format,
            dry_run,
            knowledge,
        } => {
            let dir = config::knowledge_dir(knowledge);
            let report = import::run(&import::ImportOptions {
                file,
                format,
                knowledge: dir,
                dry_run,
            })?;
            println!("{report}");
            Ok(if report.unparsed.is_empty() { 0 } else { 1 })
        }
    }
}
