//! `/kb gaps`: the questions this server's members asked without a good answer, most
//! asked first. "Answer it" opens the add form with the question as its title, and the
//! entry it adds closes the gap (the revision names the gap); "Dismiss" closes it empty.

use super::form::{checked_draft, empty_draft, form};
use super::{
    actor, entry_block, invalid, listing_page, paged, server, store_error, KbCommand, Outcome,
};
use crate::app::App;
use crate::commands::{Caller, Command};
use crate::reply::{
    data, plain, Action, Block, ButtonStyle, Data, Reply, Status, Submit, UnixTime,
};
use archie_knowledge::Kind;
use archie_store::validate::{RawDraft, MAX_TITLE};
use archie_store::{GapState, Store};

/// Gaps per page: two buttons each, two gaps to a row of buttons.
pub const GAPS_PER_PAGE: usize = 4;
/// Notes shown under a gap.
const NOTES_SHOWN: usize = 3;

/// One page of open gaps; `notice` (what a button just did) heads it.
pub(super) fn list(store: &Store, caller: &Caller, page: usize, notice: Option<String>) -> Outcome {
    let g = server(caller)?;
    let (gaps, total, page, pages) =
        listing_page(page, GAPS_PER_PAGE, |off, n| store.open_gaps(g, off, n))?;
    let mut r = Reply::new(Status::Answer, "Open gaps");
    r.summary = Some(match (&notice, total) {
        (Some(n), 0) => format!("{n} No open gaps left."),
        (Some(n), _) => format!("{n} {total} open, most asked first."),
        (None, 0) => {
            "No open gaps: every question asked here got an answer nobody voted 👎.".into()
        }
        (None, _) => format!(
            "{total} question(s) asked here without a good answer, most asked first. \
             Answer one to add an entry; the gap closes with it."
        ),
    });
    for gap in &gaps {
        let mut body = gap.question.clone();
        for n in gap.notes.iter().take(NOTES_SHOWN) {
            body.push_str(&format!(
                "\nmissing: {}",
                archie_text::truncate_words(n, 200)
            ));
        }
        let mut b = Block::new(format!("Gap #{}", gap.id), plain(body))
            .tag(format!("asked {}×", gap.asked));
        b.at = Some(UnixTime(gap.last_at));
        r.blocks.push(b);
        r.actions.push(Action::new(
            format!("Answer #{}", gap.id),
            ButtonStyle::Primary,
            Command::Kb(KbCommand::AnswerForm { gap: gap.id }),
        ));
        r.actions.push(Action::new(
            format!("Dismiss #{}", gap.id),
            ButtonStyle::Secondary,
            Command::Kb(KbCommand::DismissGap { gap: gap.id }),
        ));
    }
    paged(&mut r, page, pages);
    r.data = Some(Data::Gaps(data::Gaps { total, page, gaps }));
    r.ephemeral = true;
    Ok(r)
}

/// The open gap `gap` of the caller's server, or the reply saying why not.
fn open_gap(store: &Store, g: u64, gap: i64) -> Result<archie_store::Gap, Box<Reply>> {
    let found = store.gap(g, gap).map_err(store_error)?;
    match found {
        None => Err(invalid(format!("There is no gap #{gap} in this server."))),
        Some(x) if x.state != GapState::Open => Err(invalid(format!(
            "Gap #{gap} is already {}.",
            x.state.as_str()
        ))),
        Some(x) => Ok(x),
    }
}

pub(super) fn answer_form(store: &Store, caller: &Caller, gap: i64) -> Outcome {
    let g = server(caller)?;
    let found = open_gap(store, g, gap)?;
    let title: String = found.question.trim().chars().take(MAX_TITLE).collect();
    let mut r = Reply::new(Status::Answer, "Answer a gap");
    r.form = Some(form(
        Submit::AnswerGap(gap),
        &format!("Answer gap #{gap}"),
        &empty_draft(Kind::Qa, &title),
    ));
    r.ephemeral = true;
    Ok(r)
}

pub(super) fn answer(
    app: &App,
    store: &Store,
    caller: &Caller,
    gap: i64,
    raw: &RawDraft,
) -> Outcome {
    let g = server(caller)?;
    let actor = actor(caller)?;
    open_gap(store, g, gap)?;
    let draft = checked_draft(app, store, caller, None, raw)?;
    let saved = store
        .answer_gap(g, actor, gap, &draft)
        .map_err(store_error)?;
    let indexed = app.written(g);
    let mut r = Reply::new(Status::Answer, format!("Added {}", saved.id));
    r.summary = Some(format!(
        "Gap #{gap} is closed. {}",
        super::searchable(indexed, "The entry is searchable in this server now.")
    ));
    r.blocks
        .push(entry_block(&saved.to_entry(app.engine.knowledge())));
    r.ephemeral = true;
    Ok(r)
}

pub(super) fn dismiss(store: &Store, caller: &Caller, gap: i64) -> Outcome {
    let g = server(caller)?;
    let actor = actor(caller)?;
    store.dismiss_gap(g, actor, gap).map_err(store_error)?;
    list(store, caller, 0, Some(format!("Dismissed gap #{gap}.")))
}
