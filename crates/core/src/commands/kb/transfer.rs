//! `/kb export` and `/kb import`: a server's entries as a JSON file and back. An import
//! is previewed first. The preview's confirm button carries the file itself (an
//! [`ImportPreview`]: who previewed it, when, and the text), so this layer keeps no state
//! between the two; the plan is made again against the store when confirmed.

use super::{actor, fail, guild, server, store_error, KbCommand, Outcome};
use crate::app::App;
use crate::commands::{Caller, Command};
use crate::reply::{data, plain, Action, Attachment, Block, ButtonStyle, Data, Reply, Status};
use archie_store::{diff, Store};

/// An import preview must be confirmed within this time (seconds).
pub const IMPORT_TTL: i64 = 15 * 60;

/// What the confirm button of an import preview applies.
#[derive(Clone, PartialEq, Eq)]
pub struct ImportPreview {
    /// The moderator who previewed it: only they may confirm it.
    pub actor: u64,
    /// When it was previewed (Unix seconds).
    pub at: i64,
    /// The file's text, as previewed.
    pub json: String,
}

impl std::fmt::Debug for ImportPreview {
    /// A whole file is no help in a log line: its size says enough.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportPreview")
            .field("actor", &self.actor)
            .field("at", &self.at)
            .field("bytes", &self.json.len())
            .finish()
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
/// Largest import file read (bytes).
pub const MAX_IMPORT_BYTES: usize = 2 * 1024 * 1024;

pub(super) fn export(store: &Store, caller: &Caller) -> Outcome {
    let Some(g) = guild(caller) else {
        return fail(Reply::invalid("A direct message has no server entries to export; the shared knowledge is `archie export --json`."));
    };
    let items = store.export(g).map_err(store_error)?;
    let bytes = serde_json::to_vec_pretty(&items)
        .map_err(|_| Reply::new(Status::Failed, "Export failed"))?;
    let mut r = Reply::new(Status::Answer, "Export of this server's entries");
    r.summary = Some(format!(
        "{} entr{} in the `archie export --json` format.",
        items.len(),
        if items.len() == 1 { "y" } else { "ies" }
    ));
    r.attachment = Some(Attachment {
        filename: format!("archie-kb-{g}.json"),
        bytes,
    });
    r.data = Some(Data::Export(items));
    r.ephemeral = true;
    Ok(r)
}

/// `/kb export what:curation`: the server's gaps, proposals and votes (never who voted) as a
/// JSON file.
pub(super) fn export_curation(store: &Store, caller: &Caller) -> Outcome {
    let Some(g) = guild(caller) else {
        return fail(Reply::invalid(
            "Curation records are kept per server; ask in the server.",
        ));
    };
    let all = store.curation_export(g).map_err(store_error)?;
    let bytes =
        serde_json::to_vec_pretty(&all).map_err(|_| Reply::new(Status::Failed, "Export failed"))?;
    let mut r = Reply::new(Status::Answer, "Export of this server's curation records");
    r.summary = Some(format!(
        "{} gap(s), {} proposal(s), {} vote(s).",
        all.gaps.len(),
        all.proposals.len(),
        all.votes.len()
    ));
    r.attachment = Some(Attachment {
        filename: format!("archie-curation-{g}.json"),
        bytes,
    });
    r.data = Some(Data::Curation(all));
    r.ephemeral = true;
    Ok(r)
}

fn parse_items(json: &str) -> Result<Vec<serde_json::Value>, Box<Reply>> {
    if json.len() > MAX_IMPORT_BYTES {
        return fail(Reply::invalid(format!(
            "That file is too large ({} bytes; at most {MAX_IMPORT_BYTES}).",
            json.len()
        )));
    }
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(serde_json::Value::Array(items)) => Ok(items),
        Ok(_) => fail(Reply::invalid(
            "The file must hold a JSON array of entries, as `/kb export` writes.",
        )),
        Err(e) => fail(Reply::invalid(format!("The file is not valid JSON ({e})."))),
    }
}

pub(super) fn import_preview(app: &App, store: &Store, caller: &Caller, json: &str) -> Outcome {
    let g = server(caller)?;
    let actor = actor(caller)?;
    let items = parse_items(json)?;
    let plan = store
        .plan_import(g, app.engine.knowledge(), &items)
        .map_err(store_error)?;
    let mut r = Reply::new(Status::Answer, "Import preview");
    r.summary =
        Some(format!(
        "{} to add, {} to change, {} skipped, {} invalid. Nothing is written until you confirm.",
        plan.add.len(), plan.change.len(), plan.skip.len(), plan.invalid.len()
    ));
    r.blocks = plan_blocks(&plan);
    if !plan.is_empty() {
        r.actions.push(Action {
            label: "Import".into(),
            style: ButtonStyle::Primary,
            run: Command::Kb(KbCommand::ConfirmImport {
                preview: ImportPreview {
                    actor: actor.id,
                    at: now(),
                    json: json.to_string(),
                },
            }),
        });
    }
    r.data = Some(Data::ImportPlan(data::ImportCounts {
        add: plan.add.len(),
        change: plan.change.len(),
        skip: plan.skip.len(),
        invalid: plan.invalid.len(),
    }));
    r.ephemeral = true;
    Ok(r)
}

pub(super) fn import_apply(
    app: &App,
    store: &Store,
    caller: &Caller,
    preview: &ImportPreview,
) -> Outcome {
    let g = server(caller)?;
    let actor = actor(caller)?;
    let age = now() - preview.at;
    if preview.actor != actor.id || !(0..IMPORT_TTL).contains(&age) {
        return fail(Reply::invalid(
            "That import preview expired or belongs to someone else; run /kb import again.",
        ));
    }
    let items = parse_items(&preview.json)?;
    // Plan again: the store may have changed since the preview.
    let plan = store
        .plan_import(g, app.engine.knowledge(), &items)
        .map_err(store_error)?;
    let saved = store.apply_import(g, actor, &plan).map_err(store_error)?;
    let indexed = app.written(g);
    let mut r = Reply::new(Status::Answer, "Imported");
    r.summary = Some(format!(
        "{} entr{} added or changed. {}",
        saved.len(),
        if saved.len() == 1 { "y" } else { "ies" },
        super::searchable(indexed, "Searchable in this server now.")
    ));
    r.ephemeral = true;
    Ok(r)
}

/// The preview's four lists: what would be added, changed, skipped and refused.
fn plan_blocks(plan: &archie_store::ImportPlan) -> Vec<Block> {
    let list = |v: Vec<String>| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join("\n")
        }
    };
    let why = |v: Vec<(usize, &str)>| -> Vec<String> {
        v.iter()
            .map(|(index, reason)| format!("#{} {reason}", index + 1))
            .collect()
    };
    vec![
        Block::new(
            "Add",
            plain(list(
                plan.add.iter().map(|a| a.draft.title.clone()).collect(),
            )),
        ),
        Block::new(
            "Change",
            plain(list(
                plan.change
                    .iter()
                    .map(|c| {
                        format!(
                            "{}: {}",
                            c.id,
                            diff(Some(&c.before), Some(&c.after)).join("; ")
                        )
                    })
                    .collect(),
            )),
        ),
        Block::new(
            "Skipped",
            plain(list(why(plan
                .skip
                .iter()
                .map(|s| (s.index, s.reason.as_str()))
                .collect()))),
        ),
        Block::new(
            "Invalid",
            plain(list(why(plan
                .invalid
                .iter()
                .map(|s| (s.index, s.reason.as_str()))
                .collect()))),
        ),
    ]
}
