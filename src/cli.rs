//! The command line: clap definitions and one function per subcommand. Offline commands
//! need no token and no configuration.

use crate::app::App;
use crate::commands::{execute, Caller, Command};
use crate::config::Settings;
use crate::discord::shards;
use crate::knowledge::{self, import};
use crate::reply::Status;
use crate::terminal::print_reply;
use clap::{CommandFactory, Parser, Subcommand};
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
    /// List every knowledge entry (id, kind, title); with --json, every entry in full as
    /// one JSON array (backup and interchange format)
    Export {
        /// Every entry in full as one JSON array
        #[arg(long)]
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
    /// Answer a question from the knowledge base (offline)
    Ask {
        /// The question; it may start with a dash (`archie ask "-x"`), except for the
        /// flags below and -h (write `archie ask -- "-h"` for those)
        #[arg(allow_hyphen_values = true)]
        question: String,
        /// How many results to show
        #[arg(long, default_value_t = 5)]
        limit: usize,
        /// An earlier question of the conversation (repeat it, oldest first): the question
        /// is read as a follow-up in their context ("and for caching?")
        #[arg(long, value_name = "QUESTION")]
        after: Vec<String>,
        /// Also print to stderr how the question was understood (intent, names, typos) and
        /// the best candidates with their evidence and score
        #[arg(long)]
        explain: bool,
        #[command(flatten)]
        common: Common,
    },
    /// A conversation: questions one per line on standard input, each read as a
    /// follow-up of the ones before it ("and for caching?"); `/new` starts over
    Chat {
        #[command(flatten)]
        common: Common,
    },
    /// A company's technology stack by layer, with links and reading list
    Stack {
        company: String,
        /// Also write the stack's diagram (PNG) to this file
        #[arg(long, value_name = "FILE")]
        png: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Which companies use a technology
    Uses {
        technology: String,
        #[command(flatten)]
        common: Common,
    },
    /// What a technology is
    Whatis {
        technology: String,
        #[command(flatten)]
        common: Common,
    },
    /// Shared and distinct technologies of two companies, by layer
    Compare {
        first: String,
        second: String,
        /// Also write the comparison's diagram (PNG) to this file
        #[arg(long, value_name = "FILE")]
        png: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Reading-list links on a topic
    Read {
        topic: String,
        #[arg(long, default_value_t = 10)]
        limit: usize,
        #[command(flatten)]
        common: Common,
    },
    /// Score a question set (JSONL) and print hit@1, hit@3, mrr@5 and none-ok
    Eval {
        /// A question set (JSONL), or a folder of them (the corpus: tests/eval/corpus)
        file: PathBuf,
        /// Print every question answered wrongly
        #[arg(long)]
        show_misses: bool,
        /// Score only one part of the corpus: fit or held-out
        #[arg(long, value_parser = ["fit", "held-out"])]
        part: Option<String>,
        #[arg(long)]
        knowledge: Option<PathBuf>,
    },
    /// Run the Discord bot: the gateway (DISCORD_TOKEN), or with --http the signed
    /// interactions endpoint (DISCORD_PUBLIC_KEY)
    Serve {
        /// Serve the HTTP interactions endpoint on this address (e.g. 0.0.0.0:8080)
        #[arg(long, value_name = "ADDR")]
        http: Option<String>,
        /// Register the slash commands on start (also ARCHIE_REGISTER_COMMANDS=1)
        #[arg(long)]
        register: bool,
        /// Run only Discord's shards FIRST to LAST (e.g. 0-3) of --shard-count in this
        /// process, so several processes share the bot (gateway only)
        #[arg(long, value_name = "FIRST-LAST", value_parser = shards::parse_span)]
        shards: Option<shards::Span>,
        /// The bot's total number of gateway shards, the same in every process; alone it
        /// runs all of them here (default: one shard)
        #[arg(long, value_name = "N", value_parser = shards::parse_count)]
        shard_count: Option<u32>,
        #[arg(long)]
        knowledge: Option<PathBuf>,
    },
    /// Upload the slash-command definitions to Discord (globally, or to one server)
    Register {
        /// Register in this server only (default: ARCHIE_DEV_GUILD, else globally)
        #[arg(long)]
        guild: Option<u64>,
    },
    /// Print the slash-command definitions
    Commands {
        /// The JSON Discord receives
        #[arg(long)]
        json: bool,
    },
    /// Print an interaction response (the JSON Archie sends Discord) as an HTML card in
    /// Discord's dark theme, for people to look at
    Preview { file: PathBuf },
    /// Moderator operations on one server's entries: add, edit, remove, show, history, revert, export, import
    Kb(crate::kb_cli::KbArgs),
}

impl Cli {
    /// Parses the command line, then checks what clap cannot express alone (how flags
    /// combine); a mistake exits as clap's own do: its `error:` line, usage, exit 2.
    pub fn parse_checked() -> Cli {
        let cli = Cli::parse();
        if let Err(e) = cli.check() {
            e.exit();
        }
        cli
    }

    /// The checks across flags, as clap errors of the subcommand concerned.
    pub fn check(&self) -> Result<(), clap::Error> {
        if let Cmd::Serve {
            http,
            shards,
            shard_count,
            ..
        } = &self.command
        {
            if let Err(msg) = shards::plan(*shards, *shard_count, http.is_some()) {
                let mut cmd = Cli::command();
                cmd.build();
                let kind = clap::error::ErrorKind::ArgumentConflict;
                return Err(match cmd.find_subcommand_mut("serve") {
                    Some(serve) => serve.error(kind, msg),
                    None => cmd.error(kind, msg),
                });
            }
        }
        Ok(())
    }
}

impl Cmd {
    /// The typed command a lookup subcommand (`ask`, `stack`, `uses`, `whatis`, `compare`,
    /// `read`) runs, as `run` executes it; `None` for the other subcommands.
    pub fn lookup(&self) -> Option<Command> {
        Some(match self {
            Cmd::Ask {
                question, limit, ..
            } => Command::Ask {
                question: question.clone(),
                page: 0,
                per_page: (*limit).clamp(1, crate::commands::MAX_RESULTS),
            },
            Cmd::Stack { company, .. } => Command::Stack {
                company: company.clone(),
            },
            Cmd::Uses { technology, .. } => Command::Uses {
                tech: technology.clone(),
            },
            Cmd::Whatis { technology, .. } => Command::WhatIs {
                tech: technology.clone(),
            },
            Cmd::Compare { first, second, .. } => Command::Compare {
                first: first.clone(),
                second: second.clone(),
            },
            Cmd::Read { topic, limit, .. } => Command::Read {
                topic: topic.clone(),
                page: 0,
                per_page: *limit,
            },
            _ => return None,
        })
    }
}

/// Options every lookup command takes.
#[derive(Debug, clap::Args)]
pub struct Common {
    /// Print JSON instead of text
    #[arg(long)]
    json: bool,
    #[arg(long)]
    knowledge: Option<PathBuf>,
}

/// Runs a lookup command and prints its reply; exit 0 for an answer, 1 otherwise.
fn lookup(s: &Settings, common: Common, cmd: Command) -> anyhow::Result<i32> {
    lookup_png(s, common, cmd, None)
}

/// [`lookup`], writing the answer's diagram to `png` when asked (and saying so on stderr).
fn lookup_png(
    s: &Settings,
    common: Common,
    cmd: Command,
    png: Option<PathBuf>,
) -> anyhow::Result<i32> {
    // Lookups by name read no question: no encoder to load (`read` searches, so it does).
    let semantic = matches!(cmd, Command::Read { .. }) && s.semantic;
    let app = App::open(s, s.knowledge_dir(common.knowledge)?, semantic, None)?;
    let reply = execute(&app, &Caller::default(), &cmd);
    print_reply(&reply, common.json)?;
    let image = png
        .as_ref()
        .and_then(|_| archie_discord::render::diagram::shared().picture(&reply));
    if let (Some(path), Some(image)) = (&png, &image) {
        std::fs::write(path, &image.bytes)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
        eprintln!("diagram written to {}", path.display());
    } else if let Some(path) = &png {
        eprintln!(
            "no diagram for that answer; {} was not written",
            path.display()
        );
    }
    Ok(if reply.status == Status::Answer { 0 } else { 1 })
}

/// Sets up tracing once: `RUST_LOG` when set, else `info` for the bot's crates and `warn`
/// otherwise; as text for people, or one JSON object per line with
/// `ARCHIE_LOG_FORMAT=json` (a wrong value is reported when the settings are read).
/// Lines go to stderr through [`crate::logging::LossyStderr`]: one that cannot be written is
/// dropped and counted, and nothing is printed about it on the stream that just failed.
pub fn init_tracing(cli: &Cli) {
    let default = match cli.command {
        Cmd::Serve { .. } | Cmd::Register { .. } => {
            "warn,archie=info,archie_core=info,archie_discord=info,archie_search=info,\
             archie_store=info"
        }
        _ => "warn",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let fmt = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(crate::logging::LossyStderr)
        // Colours for a terminal only: journald and files get plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .log_internal_errors(false);
    let _ = if crate::config::log_json_from_env().unwrap_or(false) {
        fmt.json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init()
    } else {
        fmt.try_init()
    };
}

/// Runs one subcommand; returns the process exit code. The environment is read here,
/// once, into the [`Settings`] every command gets.
pub fn run(cli: Cli) -> anyhow::Result<i32> {
    let settings = Settings::from_env()?;
    let s = &settings;
    crate::logging::set_log_questions(s.log_questions);
    // The lookups' typed command, made once from the arguments (the tests use the same).
    let looked_up = cli
        .command
        .lookup()
        .ok_or_else(|| anyhow::anyhow!("not a lookup command"));
    match cli.command {
        Cmd::Check { knowledge } => check(&s.knowledge_dir(knowledge)?),
        Cmd::Export { json, knowledge } => export(&s.knowledge_dir(knowledge)?, json),
        Cmd::Import {
            file,
            format,
            dry_run,
            knowledge,
        } => {
            let dir = s.knowledge_dir(knowledge)?;
            let report = import::run(&import::ImportOptions {
                file,
                format,
                knowledge: dir,
                dry_run,
            })?;
            println!("{report}");
            Ok(if report.unparsed.is_empty() { 0 } else { 1 })
        }
        Cmd::Ask {
            explain,
            after,
            common,
            ..
        } => ask(s, looked_up?, explain, &after, common),
        Cmd::Chat { common } => chat(s, common),
        Cmd::Stack { png, common, .. } | Cmd::Compare { png, common, .. } => {
            lookup_png(s, common, looked_up?, png)
        }
        Cmd::Uses { common, .. } | Cmd::Whatis { common, .. } | Cmd::Read { common, .. } => {
            lookup(s, common, looked_up?)
        }
        Cmd::Eval {
            file,
            show_misses,
            part,
            knowledge,
        } => eval(
            &App::open(s, s.knowledge_dir(knowledge)?, s.semantic, None)?,
            &file,
            show_misses,
            part.as_deref(),
        ),
        Cmd::Serve {
            http,
            register,
            shards,
            shard_count,
            knowledge,
        } => {
            let shards =
                shards::plan(shards, shard_count, http.is_some()).map_err(anyhow::Error::msg)?;
            crate::discord::run::serve(s, http, register, shards, knowledge)
        }
        Cmd::Register { guild } => crate::discord::run::register_blocking(s, guild),
        Cmd::Commands { json } => crate::discord::run::print_commands(json),
        Cmd::Kb(args) => crate::kb_cli::run(s, args),
        Cmd::Preview { file } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            let response: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| anyhow::anyhow!("{} is not a response's JSON: {e}", file.display()))?;
            println!("{}", crate::render::preview::html(&response));
            Ok(0)
        }
    }
}

/// `archie check`: loads the folder and lists every problem; exit 1 when there are any.
fn check(dir: &std::path::Path) -> anyhow::Result<i32> {
    let (k, problems) = knowledge::load_dir(dir);
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

/// `archie export`: every entry, as JSON or as one tab-separated line each.
fn export(dir: &std::path::Path, json: bool) -> anyhow::Result<i32> {
    let k = knowledge::Knowledge::load(dir)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&k.entries)?);
    } else {
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        for e in &k.entries {
            writeln!(out, "{}\t{}\t{}", e.id, e.kind.as_str(), e.title)?;
        }
        eprintln!(
            "{} entries; `archie export --json` prints them in full",
            k.entries.len()
        );
    }
    Ok(0)
}

/// `archie chat`: each line of standard input answered in the context of the lines before
/// it, as a Follow up on Discord is; `/new` forgets the conversation. A prompt is shown
/// when standard input is a terminal.
fn chat(s: &Settings, common: Common) -> anyhow::Result<i32> {
    use std::io::{BufRead, IsTerminal, Write};
    let app = App::open(s, s.knowledge_dir(common.knowledge)?, s.semantic, None)?;
    let interactive = std::io::stdin().is_terminal();
    let mut context = crate::search::conversation::Context::default();
    let prompt = |fresh: bool| {
        if interactive {
            eprint!("{}", if fresh { "ask> " } else { "follow up> " });
            let _ = std::io::stderr().flush();
        }
    };
    prompt(true);
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let q = line.trim();
        if q == "/new" {
            context = Default::default();
        } else if !q.is_empty() {
            let cmd = if context.is_empty() {
                Command::Ask {
                    question: q.to_string(),
                    page: 0,
                    per_page: 3,
                }
            } else {
                Command::FollowUp {
                    question: q.to_string(),
                    context: context.clone(),
                }
            };
            let mut reply = execute(&app, &Caller::default(), &cmd);
            // The best three; a chat has no pages to turn.
            reply.paging = None;
            print_reply(&reply, common.json)?;
            println!();
            context = app.engine.follow(&context, q).1;
        }
        prompt(context.is_empty());
    }
    Ok(0)
}

/// `archie ask`: the answer, and with `--explain` how the engine read the question.
fn ask(
    s: &Settings,
    mut cmd: Command,
    explain: bool,
    after: &[String],
    common: Common,
) -> anyhow::Result<i32> {
    let app = App::open(s, s.knowledge_dir(common.knowledge)?, s.semantic, None)?;
    if let Command::Ask { question, .. } = &mut cmd {
        if !after.is_empty() {
            // The question as it reads after the earlier ones; the answer's title shows it.
            *question = crate::quality::in_context(&app, after, question);
        }
        if explain {
            let why = app.engine.explain(question, 8)?;
            eprintln!("{}", serde_json::to_string_pretty(&why)?);
        }
    }
    let reply = execute(&app, &Caller::default(), &cmd);
    print_reply(&reply, common.json)?;
    // An honest "I don't know" is a successful run for scripts reading --json.
    Ok(if reply.status == Status::Invalid {
        1
    } else {
        0
    })
}

/// `archie eval`: scores a question set on what `/ask` answers, per category and overall.
fn eval(
    app: &App,
    file: &std::path::Path,
    show_misses: bool,
    part: Option<&str>,
) -> anyhow::Result<i32> {
    let questions: Vec<crate::eval::EvalQuestion> = if file.is_dir() {
        crate::eval::corpus(file)?
            .into_iter()
            .filter(|(p, _)| part.is_none_or(|want| p.name() == want))
            .map(|(_, q)| q)
            .collect()
    } else {
        let text = std::fs::read_to_string(file)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
        crate::eval::parse(&text)?
            .into_iter()
            .filter(|q| part.is_none_or(|want| crate::eval::Part::of(&q.id).name() == want))
            .collect()
    };
    let s = crate::quality::score(app, &questions);
    if show_misses {
        for m in &s.misses {
            println!("{m}");
        }
    }
    for (cat, (ok, total)) in &s.per_cat {
        println!("{cat:10} {ok}/{total}");
    }
    println!("{}", s.summary());
    Ok(0)
}
