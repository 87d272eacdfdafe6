//! `archie kb …`: the moderator operations for the operator, from the command line,
//! against the same community store the bot uses (`ARCHIE_DATABASE`). A running bot picks
//! the changes up from the store's change log within a moment (its follower). The command
//! reads the one guild's rows from the store and leaves the community index closed.

use crate::app::App;
use crate::commands::{execute, Caller, Command, KbCommand};
use crate::config::Settings;
use crate::reply::Status;
use crate::store::validate::RawDraft;
use crate::store::Actor;
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct KbArgs {
    #[command(subcommand)]
    pub action: KbAction,
    /// The Discord server (guild) id whose entries to change
    #[arg(long, global = true)]
    pub guild: Option<u64>,
    /// Name recorded in the audit trail (default: $USER)
    #[arg(long, global = true)]
    pub actor: Option<String>,
    /// Print JSON instead of text
    #[arg(long, global = true)]
    pub json: bool,
    #[arg(long, global = true)]
    pub knowledge: Option<PathBuf>,
}

/// Entry fields; on `edit`, the ones not given keep their current value.
#[derive(Debug, Args, Default)]
pub struct EntryArgs {
    /// qa, note, article, reading, stack or tech
    #[arg(long)]
    pub kind: Option<String>,
    #[arg(long)]
    pub title: Option<String>,
    #[arg(long)]
    pub text: Option<String>,
    #[arg(long)]
    pub company: Option<String>,
    /// Comma-separated technology names
    #[arg(long)]
    pub tech: Option<String>,
    /// Source link (repeat for several)
    #[arg(long = "source")]
    pub sources: Vec<String>,
}

impl EntryArgs {
    /// The fields given, over `current`'s values on an edit.
    fn into_draft(self, current: Option<crate::knowledge::Entry>) -> RawDraft {
        let techs = self.tech.map(|t| crate::store::validate::split_list(&t));
        match current {
            None => RawDraft {
                kind: self.kind.unwrap_or_default(),
                title: self.title.unwrap_or_default(),
                text: self.text.unwrap_or_default(),
                company: self.company,
                technologies: techs.unwrap_or_default(),
                sources: self.sources,
            },
            Some(cur) => RawDraft {
                kind: self.kind.unwrap_or_else(|| cur.kind.as_str().to_string()),
                title: self.title.unwrap_or(cur.title),
                text: self.text.unwrap_or(cur.text),
                company: self.company.or(cur.company),
                technologies: techs.unwrap_or(cur.technologies),
                sources: if self.sources.is_empty() {
                    cur.sources
                } else {
                    self.sources
                },
            },
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum KbAction {
    /// Add an entry
    Add(EntryArgs),
    /// Edit an entry (a base entry gets a server-local override)
    Edit {
        id: String,
        #[command(flatten)]
        fields: EntryArgs,
    },
    /// Remove an entry (a base entry is hidden in that server only)
    Remove { id: String },
    /// Show an entry with its history summary
    Show { id: String },
    /// Revisions, newest first
    History {
        id: Option<String>,
        #[arg(long, default_value_t = 1)]
        page: usize,
    },
    /// Restore the content an entry had after REVISION
    Revert { id: String, revision: i64 },
    /// Print the server's entries as JSON (the `archie export --json` format)
    Export {
        /// Print the server's gaps, proposals and votes (without who voted) instead
        #[arg(long)]
        curation: bool,
    },
    /// Add or change entries from a JSON file; shows the plan, applies it unless --dry-run
    Import {
        file: PathBuf,
        #[arg(long)]
        dry_run: bool,
    },
    /// Questions asked without a good answer, most asked first
    Gaps {
        #[arg(long, default_value_t = 1)]
        page: usize,
    },
    /// Questions, answers, ratings, open gaps and pending proposals over a period
    Stats {
        /// The period, in days up to today
        #[arg(long, default_value_t = crate::commands::kb::DEFAULT_STATS_DAYS)]
        days: i64,
    },
}

pub fn run(settings: &Settings, args: KbArgs) -> anyhow::Result<i32> {
    let Some(guild) = args.guild else {
        anyhow::bail!("--guild is required: the id of the Discord server whose entries to change (right-click the server, Copy Server ID)");
    };
    let dir = settings.knowledge_dir(args.knowledge.clone())?;
    let app = App::open(
        settings,
        dir,
        settings.semantic,
        Some(crate::search::community::Views::Store),
    )?;
    let name = args
        .actor
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "operator".into());
    let caller = Caller {
        guild: Some(guild),
        actor: Some(Actor::new(0, format!("{name} (cli)"))),
        moderator: true,
        typed: false,
    };
    let cmd = match args.action {
        KbAction::Add(f) => KbCommand::Submit {
            id: None,
            draft: f.into_draft(None),
        },
        KbAction::Edit { id, fields: f } => {
            let Some(cur) = app.engine.visible_entry(Some(guild), &id)? else {
                eprintln!("no entry '{id}' in server {guild}");
                return Ok(1);
            };
            KbCommand::Submit {
                id: Some(id),
                draft: f.into_draft(Some(cur)),
            }
        }
        KbAction::Remove { id } => KbCommand::Remove {
            id,
            confirmed: true,
        },
        KbAction::Show { id } => KbCommand::Show { id },
        KbAction::History { id, page } => KbCommand::History {
            id,
            page: page.saturating_sub(1),
        },
        KbAction::Revert { id, revision } => KbCommand::Revert { id, revision },
        KbAction::Export { curation: false } => KbCommand::Export,
        KbAction::Export { curation: true } => KbCommand::ExportCuration,
        KbAction::Gaps { page } => KbCommand::Gaps {
            page: page.saturating_sub(1),
        },
        KbAction::Stats { days } => KbCommand::Stats { days },
        KbAction::Import { file, dry_run } => {
            let json = std::fs::read_to_string(&file)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            let preview = execute(&app, &caller, &Command::Kb(KbCommand::Import { json }));
            crate::terminal::print_reply(&preview, args.json)?;
            // The preview's confirm button is the command that applies it.
            let confirm = preview.actions.iter().find_map(|a| match &a.run {
                Command::Kb(c @ KbCommand::ConfirmImport { .. }) => Some(c.clone()),
                _ => None,
            });
            match confirm {
                Some(confirm) if !dry_run => confirm,
                _ => {
                    return Ok(if preview.status == Status::Answer {
                        0
                    } else {
                        1
                    })
                }
            }
        }
    };
    let reply = execute(&app, &caller, &Command::Kb(cmd.clone()));
    if matches!(cmd, KbCommand::Export | KbCommand::ExportCuration) && !args.json {
        // The export is the data itself.
        println!(
            "{}",
            serde_json::to_string_pretty(&crate::terminal::reply_json(&reply))?
        );
    } else {
        crate::terminal::print_reply(&reply, args.json)?;
    }
    Ok(if reply.status == Status::Answer { 0 } else { 1 })
}
