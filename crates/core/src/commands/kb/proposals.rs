//! Member proposals: any member proposes a new entry or an edit through the entry form;
//! nothing proposed is searchable until a moderator approves it in `/kb review`, which
//! writes it through the normal write path (the revision names the approver as actor and
//! the proposer in its note). A rejection's reason is shown to the proposer in
//! `/kb proposals`. Moderators can turn proposals off.

use super::feedback::note_form;
use super::form::{checked_draft, empty_draft, form, kind_arg, overflows};
use super::{
    ack, actor, base_before, draft_block, existing_entry, invalid, listing_page, paged, server,
    store_error, visible_entry, KbCommand, Outcome,
};
use crate::app::App;
use crate::commands::{Caller, Command};
use crate::reply::{
    data, plain, Action, Block, ButtonStyle, Data, Reply, Status, Submit, UnixTime,
};
use archie_store::validate::RawDraft;
use archie_store::{diff, Draft, Proposal, ProposalState, Store};

/// A member's proposals shown by `/kb proposals`.
const MINE_SHOWN: i64 = 10;

pub(super) fn form_for(app: &App, store: &Store, caller: &Caller, kind: &str, id: &str) -> Outcome {
    let g = server(caller)?;
    if !store.proposals_open(g).map_err(store_error)? {
        return Err(Box::new(Reply::refused(
            "This server's moderators have turned proposals off.",
        )));
    }
    let id = id.trim();
    let mut r = Reply::new(Status::Answer, "Propose");
    r.form = Some(if id.is_empty() {
        if kind.trim().is_empty() {
            return Err(invalid(
                "Give the kind of entry to propose, or the id of an entry to change.",
            ));
        }
        let k = kind_arg(kind)?;
        form(
            Submit::ProposeAdd(k),
            &format!("Propose a new {} entry", k.as_str()),
            &empty_draft(k, ""),
        )
    } else {
        let e = existing_entry(app, caller, id)?;
        let f = form(
            Submit::ProposeEdit(e.id.clone()),
            &format!("Propose an edit of {}", e.title),
            &Draft::from_entry(&e),
        );
        if overflows(&f) {
            return Err(invalid(
                "That entry is longer than a Discord form can hold; ask a moderator to edit it.",
            ));
        }
        f
    });
    r.ephemeral = true;
    Ok(r)
}

pub(super) fn propose(
    app: &App,
    store: &Store,
    caller: &Caller,
    id: Option<&str>,
    raw: &RawDraft,
) -> Outcome {
    let g = server(caller)?;
    let actor = actor(caller)?;
    if let Some(id) = id {
        existing_entry(app, caller, id)?;
    }
    let draft = checked_draft(app, store, caller, id, raw)?;
    let p = store.propose(g, actor, id, &draft).map_err(store_error)?;
    let mut r = ack(
        format!("Proposal #{} sent for review", p.id),
        "It is not searchable until a moderator approves it; /kb proposals shows its state.",
    );
    r.data = Some(Data::Proposals(data::Proposals {
        total: 1,
        proposals: vec![p],
    }));
    Ok(r)
}

/// What a proposal would change: the whole entry for a new one, a diff against the entry
/// as this server sees it now for an edit.
fn proposal_block(app: &App, caller: &Caller, p: &Proposal) -> Block {
    let head = match &p.entry_id {
        None => format!("Proposal #{}: new {}", p.id, p.draft.kind.as_str()),
        Some(id) => format!("Proposal #{}: edit of {id}", p.id),
    };
    let mut b = match p.entry_id.as_deref() {
        None => {
            let mut b = draft_block("(new)", &p.draft);
            b.heading = format!("{head} · {}", p.draft.title);
            b
        }
        Some(id) => {
            let now = visible_entry(app, caller, id).map(|e| Draft::from_entry(&e));
            let mut lines: Vec<String> = diff(now.as_ref(), Some(&p.draft))
                .into_iter()
                .map(|l| archie_text::truncate_words(&l, 300))
                .collect();
            if lines.is_empty() {
                lines.push("no change from the entry as it is now".into());
            }
            Block::new(head, plain(lines.join("\n")))
        }
    };
    b.tag = Some(format!("proposed by {}", p.proposer_name));
    b.at = Some(UnixTime(p.created_at));
    b
}

/// One pending proposal per page, oldest first, with Approve and Reject.
pub(super) fn review(
    app: &App,
    store: &Store,
    caller: &Caller,
    page: usize,
    notice: Option<String>,
) -> Outcome {
    let g = server(caller)?;
    let (found, total, page, pages) =
        listing_page(page, 1, |off, n| store.pending_proposals(g, off, n))?;
    let mut r = Reply::new(Status::Answer, "Proposals to review");
    r.summary = Some(match (&notice, total) {
        (Some(n), 0) => format!("{n} Nothing else waits for review."),
        (Some(n), _) => format!("{n} {total} waiting, oldest first."),
        (None, 0) => "No proposals wait for review.".into(),
        (None, _) => format!("{total} waiting, oldest first."),
    });
    for p in &found {
        r.blocks.push(proposal_block(app, caller, p));
        r.actions.push(Action::new(
            format!("Approve #{}", p.id),
            ButtonStyle::Primary,
            Command::Kb(KbCommand::Approve { proposal: p.id }),
        ));
        r.actions.push(Action::new(
            format!("Reject #{}", p.id),
            ButtonStyle::Danger,
            Command::Kb(KbCommand::RejectForm { proposal: p.id }),
        ));
    }
    paged(&mut r, page, pages);
    r.data = Some(Data::Proposals(data::Proposals {
        total,
        proposals: found,
    }));
    r.ephemeral = true;
    Ok(r)
}

/// The pending proposal `proposal` of the caller's server, or the reply saying why not.
fn pending(store: &Store, g: u64, proposal: i64) -> Result<Proposal, Box<Reply>> {
    match store.proposal(g, proposal).map_err(store_error)? {
        None => Err(invalid(format!(
            "There is no proposal #{proposal} in this server."
        ))),
        Some(p) if p.state != ProposalState::Pending => Err(invalid(format!(
            "Proposal #{proposal} was already {}.",
            p.state.as_str()
        ))),
        Some(p) => Ok(p),
    }
}

pub(super) fn approve(app: &App, store: &Store, caller: &Caller, proposal: i64) -> Outcome {
    let g = server(caller)?;
    let actor = actor(caller)?;
    let p = pending(store, g, proposal)?;
    let base = match p.entry_id.as_deref() {
        Some(id) => base_before(app, store, g, id)?,
        None => None,
    };
    let (_, e) = store
        .approve(g, actor, proposal, base.as_ref())
        .map_err(store_error)?;
    let indexed = app.written(g);
    let now = format!("{} is searchable now.", e.id);
    review(
        app,
        store,
        caller,
        0,
        Some(format!(
            "Approved #{proposal}: {}",
            super::searchable(indexed, &now)
        )),
    )
}

pub(super) fn reject_form(store: &Store, caller: &Caller, proposal: i64) -> Outcome {
    let g = server(caller)?;
    pending(store, g, proposal)?;
    let mut r = Reply::new(Status::Answer, "Reject a proposal");
    r.form = Some(note_form(
        Submit::Reject(proposal),
        &format!("Reject proposal #{proposal}"),
        "Reason (optional; the proposer sees it)",
        false,
    ));
    r.ephemeral = true;
    Ok(r)
}

pub(super) fn reject(
    app: &App,
    store: &Store,
    caller: &Caller,
    proposal: i64,
    reason: &str,
) -> Outcome {
    let g = server(caller)?;
    let actor = actor(caller)?;
    pending(store, g, proposal)?;
    store
        .reject(g, actor, proposal, Some(reason))
        .map_err(store_error)?;
    review(
        app,
        store,
        caller,
        0,
        Some(format!("Rejected #{proposal}; its proposer will see why.")),
    )
}

/// `/kb proposals`: the member's own proposals, newest first, and what became of them.
pub(super) fn mine(store: &Store, caller: &Caller) -> Outcome {
    let g = server(caller)?;
    let me = actor(caller)?;
    let found = store
        .proposals_of(g, me.id, MINE_SHOWN)
        .map_err(store_error)?;
    let mut r = Reply::new(Status::Answer, "Your proposals");
    if found.is_empty() {
        r.summary = Some("You have not proposed anything here yet; try /kb propose.".into());
    }
    for p in &found {
        let what = match &p.entry_id {
            None => format!("new {} \"{}\"", p.draft.kind.as_str(), p.draft.title),
            Some(id) => format!("edit of {id}"),
        };
        let mut body = match p.state {
            ProposalState::Pending => "Waiting for a moderator.".to_string(),
            ProposalState::Approved => format!(
                "Approved by {}: {} is searchable.",
                p.reviewer_name.as_deref().unwrap_or("a moderator"),
                p.result_id.as_deref().unwrap_or("the entry")
            ),
            ProposalState::Rejected => format!(
                "Rejected by {}.",
                p.reviewer_name.as_deref().unwrap_or("a moderator")
            ),
        };
        if let Some(reason) = &p.reason {
            body.push_str(&format!("\nReason: {reason}"));
        }
        let mut b = Block::new(format!("#{} {what}", p.id), plain(body)).tag(p.state.as_str());
        b.at = Some(UnixTime(p.decided_at.unwrap_or(p.created_at)));
        r.blocks.push(b);
    }
    r.data = Some(Data::Proposals(data::Proposals {
        total: found.len() as i64,
        proposals: found,
    }));
    r.ephemeral = true;
    Ok(r)
}

/// `/kb accept-proposals`: moderators turn member proposals on or off.
pub(super) fn accept(store: &Store, caller: &Caller, open: bool) -> Outcome {
    let g = server(caller)?;
    store.set_proposals_open(g, open).map_err(store_error)?;
    let mut r = if open {
        ack(
            "Proposals are on",
            "Members can propose entries and edits with /kb propose.",
        )
    } else {
        ack(
            "Proposals are off",
            "Members can no longer propose; those waiting can still be reviewed.",
        )
    };
    r.data = Some(Data::Recorded(data::Recorded {
        recorded: format!("proposals {}", if open { "on" } else { "off" }),
    }));
    Ok(r)
}
