//! `/kb`: moderators curate their server's knowledge — add, edit, remove, show, history,
//! revert, export, import. Every write checks the moderator's rights and the server scope
//! here (whatever the transport did), is committed to the store before the reply says it
//! succeeded, and is applied to the index at once.
//!
//! - `form`: the entry form (add, edit) and what its submission saves.
//! - `entries`: show, remove and revert one entry.
//! - `history`: the audit trail, page by page.
//! - `transfer`: export, and import with its preview and confirmation.
//! - `suggest`: entry ids for autocomplete.

mod entries;
mod form;
mod history;
mod suggest;
mod transfer;

pub use history::HISTORY_PER_PAGE;
pub use suggest::suggest_ids;
pub use transfer::MAX_IMPORT_BYTES;

use super::Caller;
use crate::app::App;
use crate::knowledge::Entry;
use crate::reply::{links, plain, Block, Reply, Status};
use crate::store::validate::RawDraft;
use crate::store::{Actor, Draft, Store, StoreError};

#[derive(Debug, Clone, PartialEq)]
pub enum KbCommand {
    /// Opens the empty form for a new entry of `kind`.
    AddForm {
        kind: String,
    },
    /// Opens the form pre-filled with the entry as this server sees it.
    EditForm {
        id: String,
    },
    /// The form came back: `id` None adds, Some edits.
    Submit {
        id: Option<String>,
        draft: RawDraft,
    },
    /// Without `confirmed`, asks for confirmation with a button.
    Remove {
        id: String,
        confirmed: bool,
    },
    Show {
        id: String,
    },
    History {
        id: Option<String>,
        page: usize,
    },
    Revert {
        id: String,
        revision: i64,
    },
    Export,
    /// `json`: the attached file's text; answers with a preview and a confirm button.
    Import {
        json: String,
    },
    /// The confirm button of an import preview.
    ConfirmImport {
        token: String,
    },
}

impl KbCommand {
    pub fn writes(&self) -> bool {
        !matches!(
            self,
            KbCommand::Show { .. } | KbCommand::History { .. } | KbCommand::Export
        )
    }
}

/// Whether `caller` may change the server's knowledge: `Err` holds the refusal to show.
/// Every write runs this check, whatever the transport checked before.
pub fn may_write(caller: &Caller) -> Result<(), Box<Reply>> {
    if caller.guild.is_none() {
        return fail(Reply::refused("Direct messages see the shared knowledge only and cannot change it; use /kb in a server."));
    }
    if !caller.moderator {
        return fail(Reply::refused("Changing this server's knowledge needs the Manage Server permission or a moderator role."));
    }
    if caller.actor.is_none() {
        return fail(Reply::refused(
            "Archie could not tell who you are, so nothing was changed.",
        ));
    }
    Ok(())
}

pub(super) fn execute(app: &App, caller: &Caller, cmd: &KbCommand) -> Reply {
    if cmd.writes() {
        if let Err(refusal) = may_write(caller) {
            return *refusal;
        }
    }
    let Some(store) = app.store.as_ref() else {
        return Reply::new(Status::Failed, "Moderation is off")
            .summary("This Archie runs without a community store, so /kb is unavailable.");
    };
    let ctx = caller;
    let result = match cmd {
        KbCommand::AddForm { kind } => form::add_form(kind),
        KbCommand::EditForm { id } => form::edit_form(app, ctx, id),
        KbCommand::Submit { id, draft } => form::submit(app, store, ctx, id.as_deref(), draft),
        KbCommand::Remove { id, confirmed } => entries::remove(app, store, ctx, id, *confirmed),
        KbCommand::Show { id } => entries::show(app, store, ctx, id),
        KbCommand::History { id, page } => history::history(store, ctx, id.as_deref(), *page),
        KbCommand::Revert { id, revision } => entries::revert(app, store, ctx, id, *revision),
        KbCommand::Export => transfer::export(store, ctx),
        KbCommand::Import { json } => transfer::import_preview(app, store, ctx, json),
        KbCommand::ConfirmImport { token } => transfer::import_apply(app, store, ctx, token),
    };
    result.unwrap_or_else(|e| *e)
}

/// What a handler returns: its reply, or an early exit's reply, boxed (it is large); `?`
/// boxes a `Reply` on the way.
type Outcome = Result<Reply, Box<Reply>>;

pub(super) fn fail<T>(r: Reply) -> Result<T, Box<Reply>> {
    Err(Box::new(r))
}

pub(super) fn guild(ctx: &Caller) -> Option<u64> {
    ctx.guild
}

pub(super) fn actor(ctx: &Caller) -> Result<&Actor, Box<Reply>> {
    ctx.actor
        .as_ref()
        .ok_or_else(|| Box::new(Reply::refused("Archie could not tell who you are.")))
}

/// A store error as the moderator should read it; internal failures are logged, not shown.
pub(super) fn store_error(e: StoreError) -> Reply {
    if e.is_user_error() {
        Reply::invalid(capitalise(&e.to_string()))
    } else {
        tracing::error!(error = %e, "community store failure");
        Reply::new(Status::Failed, "Something went wrong").summary(
            "Archie could not save that change; nothing was changed. Try again in a moment.",
        )
    }
}

pub(super) fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// The entry `id` as the ctx's server sees it now.
pub(super) fn visible_entry(app: &App, ctx: &Caller, id: &str) -> Option<Entry> {
    app.engine
        .visible_entry(guild(ctx), id)
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, id, "the server's entry could not be read");
            None
        })
}

/// For a base id without a row in this guild: its content, the `before` of an override.
pub(super) fn base_before(
    app: &App,
    store: &Store,
    g: u64,
    id: &str,
) -> Result<Option<Draft>, Box<Reply>> {
    let has_row = store.get(g, id).map_err(store_error)?.is_some();
    Ok(if has_row {
        None
    } else {
        app.engine.knowledge().entry(id).map(Draft::from_entry)
    })
}

pub(super) fn entry_block(e: &Entry) -> Block {
    let mut body = format!("kind: {}\n{}", e.kind.as_str(), e.text);
    if let Some(c) = &e.company {
        body.push_str(&format!("\ncompany: {c}"));
    }
    if !e.technologies.is_empty() {
        body.push_str(&format!("\ntechnologies: {}", e.technologies.join(", ")));
    }
    Block::new(e.title.clone(), plain(body))
        .tag(e.id.clone())
        .sources(links(&e.sources))
}

/// The revision before the latest, the natural target of an undo.
pub(super) fn revert_hint(store: &Store, g: u64, id: &str) -> String {
    store
        .history(g, Some(id), 1, 1)
        .ok()
        .and_then(|h| h.first().map(|r| r.id.to_string()))
        .unwrap_or_else(|| "…".into())
}
