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
//! - `feedback`, `gaps`, `proposals`, `stats`: the curation loop — members rate answers
//!   and propose entries, moderators answer gaps and review proposals.

mod entries;
pub mod feedback;
mod form;
mod gaps;
mod history;
mod proposals;
mod stats;
mod suggest;
mod transfer;
mod watch;

pub use history::HISTORY_PER_PAGE;
pub use stats::DEFAULT_DAYS as DEFAULT_STATS_DAYS;
pub use suggest::suggest_ids;
pub use transfer::{ImportPreview, MAX_IMPORT_BYTES};

use super::Caller;
use crate::app::{App, Searchable};
use crate::reply::{links, plain, Block, Reply, Status};
use archie_knowledge::Entry;
use archie_store::validate::RawDraft;
use archie_store::{Actor, Draft, Store, StoreError};

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
    /// The confirm button of an import preview: the previewed file itself, so the
    /// command needs no state of the process that showed the preview.
    ConfirmImport {
        preview: ImportPreview,
    },
    /// The server's gaps, proposals and votes as a JSON file.
    ExportCuration,
    /// 👍 or 👎 on the answer of an ask.
    Vote {
        ask: i64,
        vote: archie_store::Vote,
    },
    /// After a 👎: the one-field form asking what was missing.
    MissingForm {
        ask: i64,
    },
    /// That form came back.
    Missing {
        ask: i64,
        note: String,
    },
    /// Open gaps, most asked first.
    Gaps {
        page: usize,
    },
    /// "Answer it": the add form pre-filled with the gap's question.
    AnswerForm {
        gap: i64,
    },
    /// That form came back: adds the entry and closes the gap.
    AnswerGap {
        gap: i64,
        draft: RawDraft,
    },
    DismissGap {
        gap: i64,
    },
    /// `/kb propose`: the form for a new entry of `kind`, or for an edit of `id`.
    ProposeForm {
        kind: String,
        id: String,
    },
    /// That form came back: `id` None proposes a new entry, Some an edit.
    Propose {
        id: Option<String>,
        draft: RawDraft,
    },
    /// Pending proposals, oldest first, one per page.
    Review {
        page: usize,
    },
    Approve {
        proposal: i64,
    },
    /// Reject: the form asking for an optional reason.
    RejectForm {
        proposal: i64,
    },
    Reject {
        proposal: i64,
        reason: String,
    },
    /// The member's own proposals and what became of them.
    Proposals,
    /// Moderators turn member proposals on or off.
    AcceptProposals {
        open: bool,
    },
    /// Questions, answers, votes, gaps and proposals over the last `days`.
    Stats {
        days: i64,
    },
    /// Answer new posts in this forum channel when confident.
    Watch {
        channel: u64,
    },
    /// Stop answering new posts in this forum channel.
    Unwatch {
        channel: u64,
    },
}

impl KbCommand {
    /// Whether only the server's moderators may run it (every write to entries, and the
    /// review of gaps and proposals).
    pub fn writes(&self) -> bool {
        !matches!(
            self,
            KbCommand::Show { .. }
                | KbCommand::History { .. }
                | KbCommand::Export
                | KbCommand::ExportCuration
                | KbCommand::Vote { .. }
                | KbCommand::MissingForm { .. }
                | KbCommand::Missing { .. }
                | KbCommand::ProposeForm { .. }
                | KbCommand::Propose { .. }
                | KbCommand::Proposals
                | KbCommand::Stats { .. }
        )
    }

    /// Whether any member may run it, in a server, as someone Archie can tell apart.
    fn takes_part(&self) -> bool {
        matches!(
            self,
            KbCommand::Vote { .. }
                | KbCommand::MissingForm { .. }
                | KbCommand::Missing { .. }
                | KbCommand::ProposeForm { .. }
                | KbCommand::Propose { .. }
                | KbCommand::Proposals
        )
    }
}

/// Whether `caller` may take part in the server's curation (vote, propose): any member of
/// a server Archie can tell apart. `Err` holds the refusal to show.
pub fn may_take_part(caller: &Caller) -> Result<(), Box<Reply>> {
    if caller.guild.is_none() {
        return fail(Reply::refused(
            "Votes and proposals belong to a server; use them there.",
        ));
    }
    if caller.actor.is_none() {
        return fail(Reply::refused(
            "Archie could not tell who you are, so nothing was recorded.",
        ));
    }
    Ok(())
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
    if cmd.takes_part() {
        if let Err(refusal) = may_take_part(caller) {
            return *refusal;
        }
    }
    let Some(store) = app.store.as_ref() else {
        return Reply::new(Status::Failed, "Moderation is off")
            .summary("This Archie runs without a community store, so /kb is unavailable.");
    };
    // What the curation commands read (a question just asked, the answer being rated)
    // may still be on its way to the store.
    app.questions.settle();
    let result = match cmd {
        KbCommand::AddForm { kind } => form::add_form(kind),
        KbCommand::EditForm { id } => form::edit_form(app, caller, id),
        KbCommand::Submit { id, draft } => form::submit(app, store, caller, id.as_deref(), draft),
        KbCommand::Remove { id, confirmed } => entries::remove(app, store, caller, id, *confirmed),
        KbCommand::Show { id } => entries::show(app, store, caller, id),
        KbCommand::History { id, page } => history::history(store, caller, id.as_deref(), *page),
        KbCommand::Revert { id, revision } => entries::revert(app, store, caller, id, *revision),
        KbCommand::Export => transfer::export(store, caller),
        KbCommand::Import { json } => transfer::import_preview(app, store, caller, json),
        KbCommand::ConfirmImport { preview } => transfer::import_apply(app, store, caller, preview),
        KbCommand::ExportCuration => transfer::export_curation(store, caller),
        KbCommand::Vote { ask, vote } => feedback::vote(app, store, caller, *ask, *vote),
        KbCommand::MissingForm { ask } => feedback::missing_form(store, caller, *ask),
        KbCommand::Missing { ask, note } => feedback::missing(app, store, caller, *ask, note),
        KbCommand::Gaps { page } => gaps::list(store, caller, *page, None),
        KbCommand::AnswerForm { gap } => gaps::answer_form(store, caller, *gap),
        KbCommand::AnswerGap { gap, draft } => gaps::answer(app, store, caller, *gap, draft),
        KbCommand::DismissGap { gap } => gaps::dismiss(store, caller, *gap),
        KbCommand::ProposeForm { kind, id } => proposals::form_for(app, store, caller, kind, id),
        KbCommand::Propose { id, draft } => {
            proposals::propose(app, store, caller, id.as_deref(), draft)
        }
        KbCommand::Review { page } => proposals::review(app, store, caller, *page, None),
        KbCommand::Approve { proposal } => proposals::approve(app, store, caller, *proposal),
        KbCommand::RejectForm { proposal } => proposals::reject_form(store, caller, *proposal),
        KbCommand::Reject { proposal, reason } => {
            proposals::reject(app, store, caller, *proposal, reason)
        }
        KbCommand::Proposals => proposals::mine(store, caller),
        KbCommand::AcceptProposals { open } => proposals::accept(store, caller, *open),
        KbCommand::Stats { days } => stats::stats(store, caller, *days),
        KbCommand::Watch { channel } => watch::watch(app, store, caller, *channel),
        KbCommand::Unwatch { channel } => watch::unwatch(store, caller, *channel),
    };
    result.unwrap_or_else(|e| *e)
}

/// One page of a listing that may have changed since its buttons were made (`fetch`
/// takes an offset and a limit and gives items and their total): the items of `page`, or
/// of the last page when `page` is past the end, the page shown and the number of pages.
pub(super) fn listing_page<T>(
    page: usize,
    per: usize,
    fetch: impl Fn(i64, i64) -> Result<(Vec<T>, i64), StoreError>,
) -> Result<(Vec<T>, i64, usize, usize), Box<Reply>> {
    let at = |p: usize| fetch((p * per) as i64, per as i64).map_err(|e| Box::new(store_error(e)));
    let (mut items, total) = at(page)?;
    let pages = (total.max(0) as usize).div_ceil(per).max(1);
    let shown = page.min(pages - 1);
    if shown != page {
        items = at(shown)?.0;
    }
    Ok((items, total, shown, pages))
}

/// Marks `r` as page `page` of `pages` (oldest or best first) when there is more than one.
pub(super) fn paged(r: &mut Reply, page: usize, pages: usize) {
    if pages > 1 {
        r.paging = Some(crate::reply::Paging {
            page,
            pages,
            newest_first: false,
        });
    }
}

/// What a handler returns: its reply, or an early exit's reply, boxed (it is large); `?`
/// boxes a `Reply` on the way.
type Outcome = Result<Reply, Box<Reply>>;

pub(super) fn fail<T>(r: Reply) -> Result<T, Box<Reply>> {
    Err(Box::new(r))
}

pub(super) fn guild(caller: &Caller) -> Option<u64> {
    caller.guild
}

/// The caller's server, or the refusal for a command that only works in one.
pub(super) fn server(caller: &Caller) -> Result<u64, Box<Reply>> {
    guild(caller).ok_or_else(|| Box::new(Reply::refused("Only in a server.")))
}

/// The entry `id` as the caller's server sees it, or the reply saying there is none.
pub(super) fn existing_entry(app: &App, caller: &Caller, id: &str) -> Result<Entry, Box<Reply>> {
    visible_entry(app, caller, id.trim()).ok_or_else(|| {
        Box::new(Reply::invalid(format!(
            "No entry '{}' in this server.",
            archie_text::truncate_words(id, 80)
        )))
    })
}

/// A short error about what the member asked (a record that is not there, a step already
/// taken), boxed for `?`.
pub(super) fn invalid(msg: impl Into<String>) -> Box<Reply> {
    Box::new(Reply::invalid(msg.into()))
}

/// A short private acknowledgement: what was done, and what follows.
pub(super) fn ack(title: impl Into<String>, summary: impl Into<String>) -> Reply {
    let mut r = Reply::new(Status::Answer, title).summary(summary);
    r.ephemeral = true;
    r
}

pub(super) fn actor(caller: &Caller) -> Result<&Actor, Box<Reply>> {
    caller
        .actor
        .as_ref()
        .ok_or_else(|| Box::new(Reply::refused("Archie could not tell who you are.")))
}

/// A store error as the member should read it; internal failures are logged, not shown.
pub(crate) fn store_error(e: StoreError) -> Reply {
    use archie_store::Fault;
    if e.is_user_error() {
        return Reply::invalid(capitalise(&e.to_string()));
    }
    tracing::error!(error = %e, "community store failure");
    match e.fault() {
        Fault::Unavailable => Reply::new(Status::Failed, "The knowledge store is unavailable")
            .summary("Nothing was changed. Try again in a minute."),
        Fault::DiskFull => Reply::new(Status::Failed, "The server's disk is full")
            .summary("Nothing was changed. Tell the bot's operator: Archie needs disk space."),
        Fault::Other => Reply::new(Status::Failed, "Something went wrong").summary(
            "Archie could not save that change; nothing was changed. Try again in a moment.",
        ),
    }
}

pub(super) fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// The entry `id` as the caller's server sees it now.
pub(super) fn visible_entry(app: &App, caller: &Caller, id: &str) -> Option<Entry> {
    app.engine
        .visible_entry(guild(caller), id)
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, id, "the server's entry could not be read");
            None
        })
}

/// What a moderator is told about search after a write: `now` (the sentence saying it
/// is searchable) only when it is.
pub(super) fn searchable(s: Searchable, now: &str) -> String {
    match s {
        Searchable::Now => now.to_string(),
        Searchable::AfterRepair => "Saved, but not searchable yet: Archie found its search \
             index damaged and is rebuilding it from the saved entries. It becomes searchable \
             when that is done; nothing more to do."
            .into(),
        Searchable::AfterRetry => "Saved, but not searchable yet: updating the search index \
             failed (the error was logged). Archie retries on its own; nothing more to do."
            .into(),
    }
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
    draft_block(&e.id, &Draft::from_entry(e))
}

/// An entry's content under its title, tagged with its id.
pub(super) fn draft_block(id: &str, d: &Draft) -> Block {
    let mut body = format!("kind: {}\n{}", d.kind.as_str(), d.text);
    if let Some(c) = &d.company {
        body.push_str(&format!("\ncompany: {c}"));
    }
    if !d.technologies.is_empty() {
        body.push_str(&format!("\ntechnologies: {}", d.technologies.join(", ")));
    }
    Block::new(d.title.clone(), plain(body))
        .tag(id.to_string())
        .sources(links(&d.sources))
}

/// The revision before the latest, the natural target of an undo.
pub(super) fn revert_hint(store: &Store, g: u64, id: &str) -> String {
    store
        .history(g, Some(id), 1, 1)
        .ok()
        .and_then(|h| h.first().map(|r| r.id.to_string()))
        .unwrap_or_else(|| "…".into())
}
