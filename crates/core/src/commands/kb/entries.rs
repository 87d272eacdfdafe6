//! One entry: show it with its latest changes, remove it (after a confirmation), revert it
//! to an earlier revision.

use super::{
    actor, base_before, entry_block, existing_entry, fail, guild, revert_hint, server, store_error,
    visible_entry, KbCommand, Outcome,
};
use crate::app::App;
use crate::commands::{Caller, Command};
use crate::reply::{data, plain, Action, Block, ButtonStyle, Data, Reply, Status};
use archie_store::Store;

pub(super) fn remove(
    app: &App,
    store: &Store,
    caller: &Caller,
    id: &str,
    confirmed: bool,
) -> Outcome {
    let g = server(caller)?;
    let id = id.trim();
    let e = existing_entry(app, caller, id)?;
    if !confirmed {
        let mut r = Reply::new(Status::Answer, format!("Remove {}?", e.id));
        r.summary = Some("It disappears from this server's answers; its history stays and /kb revert brings it back.".into());
        r.blocks.push(entry_block(&e));
        r.actions.push(Action {
            label: "Remove".into(),
            style: ButtonStyle::Danger,
            run: Command::Kb(KbCommand::Remove {
                id: e.id.clone(),
                confirmed: true,
            }),
        });
        r.ephemeral = true;
        return Ok(r);
    }
    let actor = actor(caller)?;
    let base = base_before(app, store, g, &e.id)?;
    let saved = store
        .remove(g, actor, &e.id, base.as_ref())
        .map_err(store_error)?;
    app.written(g);
    let mut r = Reply::new(Status::Answer, format!("Removed {}", saved.id));
    r.summary = Some(format!(
        "Revert it with /kb revert id:{} revision:{} to bring it back.",
        saved.id,
        revert_hint(store, g, &saved.id)
    ));
    r.ephemeral = true;
    Ok(r)
}

pub(super) fn show(app: &App, store: &Store, caller: &Caller, id: &str) -> Outcome {
    let id = id.trim();
    let e = visible_entry(app, caller, id);
    let g = guild(caller);
    let row = match g {
        Some(g) => store.get(g, id).map_err(store_error)?,
        None => None,
    };
    if e.is_none() && row.is_none() {
        return fail(Reply::invalid(format!(
            "No entry '{}' in this server.",
            archie_text::truncate_words(id, 80)
        )));
    }
    let mut r = Reply::new(Status::Answer, format!("Entry {id}"));
    match &e {
        Some(e) => r.blocks.push(entry_block(e)),
        None => {
            r.summary =
                Some("Not shown in this server now (removed or hidden); see its history.".into())
        }
    }
    if let Some(g) = g {
        let n = store.revision_count(g, Some(id)).map_err(store_error)?;
        let latest = store.history(g, Some(id), 0, 3).map_err(store_error)?;
        r.blocks.push(Block::new(
            "History",
            plain(format!("{n} change(s) in this server")),
        ));
        for rev in &latest {
            r.blocks.push(super::history::revision_block(rev, 2));
        }
    }
    r.data = Some(Data::Entry(data::ShownEntry { entry: e, guild: g }));
    r.ephemeral = true;
    Ok(r)
}

pub(super) fn revert(
    app: &App,
    store: &Store,
    caller: &Caller,
    id: &str,
    revision: i64,
) -> Outcome {
    let g = server(caller)?;
    let actor = actor(caller)?;
    let saved = store
        .revert(g, actor, id.trim(), revision)
        .map_err(store_error)?;
    app.written(g);
    let mut r = Reply::new(
        Status::Answer,
        format!("Reverted {} to revision #{revision}", saved.id),
    );
    r.summary = Some("The revert is itself in the history.".into());
    if let Some(e) = visible_entry(app, caller, &saved.id) {
        r.blocks.push(entry_block(&e));
    }
    r.ephemeral = true;
    Ok(r)
}
