//! `/kb history`: a server's revisions, newest first, each with its diff, page by page.

use super::{fail, guild, store_error, Outcome};
use crate::commands::Caller;
use crate::reply::{data, plain, Block, Data, Paging, Reply, Status, UnixTime};
use archie_store::{diff, Revision, Store};

/// Revisions per page of `/kb history`.
pub const HISTORY_PER_PAGE: usize = 5;
/// Diff lines shown per revision in `/kb history`.
const MAX_DIFF_LINES: usize = 8;

/// One revision: who did what to which entry and when, and at most `max_lines` of its
/// diff (a page holds several revisions: each one's diff stays short).
pub(super) fn revision_block(rev: &Revision, max_lines: usize) -> Block {
    let mut lines: Vec<String> = diff(rev.before.as_ref(), rev.after.as_ref())
        .into_iter()
        .map(|l| archie_text::truncate_words(&l, 200))
        .collect();
    if lines.is_empty() {
        lines.push("no content change".into());
    }
    if let Some(note) = &rev.note {
        lines.insert(0, format!("({})", archie_text::truncate_words(note, 200)));
    }
    if lines.len() > max_lines {
        let more = lines.len() - max_lines;
        lines.truncate(max_lines);
        lines.push(format!(
            "… and {more} more change(s); /kb show for the full entry"
        ));
    }
    let mut b = Block::new(
        format!(
            "#{} {} {} by {}",
            rev.id,
            rev.action.as_str(),
            rev.entry_id,
            rev.actor.name
        ),
        plain(lines.join("\n")),
    );
    b.at = Some(UnixTime(rev.at));
    b
}

pub(super) fn history(store: &Store, caller: &Caller, id: Option<&str>, page: usize) -> Outcome {
    let Some(g) = guild(caller) else {
        return fail(Reply::invalid(
            "History is kept per server; ask in the server.",
        ));
    };
    let id = id.map(str::trim).filter(|s| !s.is_empty());
    let total = store.revision_count(g, id).map_err(store_error)? as usize;
    if total == 0 {
        let mut r = Reply::new(Status::Answer, "No changes yet");
        r.summary = Some(match id {
            Some(id) => format!(
                "Nobody changed '{}' in this server.",
                archie_text::truncate_words(id, 80)
            ),
            None => "Nobody changed this server's knowledge yet.".into(),
        });
        r.ephemeral = true;
        return Ok(r);
    }
    let pages = total.div_ceil(HISTORY_PER_PAGE);
    let page = page.min(pages - 1);
    let revs = store
        .history(g, id, page * HISTORY_PER_PAGE, HISTORY_PER_PAGE)
        .map_err(store_error)?;
    let mut r = Reply::new(
        Status::Answer,
        match id {
            Some(id) => format!("History of {id}"),
            None => "History of this server's knowledge".into(),
        },
    );
    for rev in &revs {
        r.blocks.push(revision_block(rev, MAX_DIFF_LINES));
    }
    if pages > 1 {
        r.paging = Some(Paging {
            page,
            pages,
            newest_first: true,
        });
    }
    r.data = Some(Data::History(data::History {
        total,
        page,
        revisions: revs
            .into_iter()
            .map(|v| data::RevisionData {
                revision: v.id,
                entry: v.entry_id,
                action: v.action.as_str(),
                actor_id: v.actor.id.to_string(),
                actor: v.actor.name,
                at: v.at,
                before: v.before,
                after: v.after,
                note: v.note,
            })
            .collect(),
    }));
    r.ephemeral = true;
    Ok(r)
}
