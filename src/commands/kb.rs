//! `/kb`: moderators curate their server's knowledge — add, edit, remove, show, history,
//! revert, export, import. Every write checks the moderator's rights and the server scope
//! here (whatever the transport did), is committed to the store before the reply says it
//! succeeded, and is applied to the index at once.

use super::Ctx;
use crate::app::{App, PendingImport};
use crate::knowledge::{Entry, Kind};
use crate::reply::{
    data, links, plain, Attachment, Block, Button, ButtonStyle, Data, Form, FormField, Paging,
    Reply, Status,
};
use crate::store::validate::{self, RawDraft};
use crate::store::{diff, Actor, Draft, Store, StoreError};

/// Revisions per page of `/kb history`.
pub const HISTORY_PER_PAGE: usize = 5;
/// Diff lines shown per revision in `/kb history`.
const MAX_DIFF_LINES: usize = 8;
/// An import preview must be confirmed within this time.
const IMPORT_TTL: std::time::Duration = std::time::Duration::from_secs(15 * 60);
/// Largest import file read (bytes).
pub const MAX_IMPORT_BYTES: usize = 2 * 1024 * 1024;

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
    /// `json`: the attached file's text. Without `confirmed` only previews.
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

pub fn execute(app: &App, ctx: &Ctx, cmd: &KbCommand) -> Reply {
    if cmd.writes() {
        let Some(_) = ctx.guild else {
            return Reply::refused("Direct messages see the shared knowledge only and cannot change it; use /kb in a server.");
        };
        if !ctx.moderator {
            return Reply::refused("Changing this server's knowledge needs the Manage Server permission or a moderator role.");
        }
        if ctx.actor.is_none() {
            return Reply::refused("Archie could not tell who you are, so nothing was changed.");
        }
    }
    let Some(store) = app.store.as_ref() else {
        return Reply::new(Status::Failed, "Moderation is off")
            .summary("This Archie runs without a community store, so /kb is unavailable.");
    };
    let result = match cmd {
        KbCommand::AddForm { kind } => add_form(kind),
        KbCommand::EditForm { id } => edit_form(app, ctx, id),
        KbCommand::Submit { id, draft } => submit(app, store, ctx, id.as_deref(), draft),
        KbCommand::Remove { id, confirmed } => remove(app, store, ctx, id, *confirmed),
        KbCommand::Show { id } => show(app, store, ctx, id),
        KbCommand::History { id, page } => history(store, ctx, id.as_deref(), *page),
        KbCommand::Revert { id, revision } => revert(app, store, ctx, id, *revision),
        KbCommand::Export => export(store, ctx),
        KbCommand::Import { json } => import_preview(app, store, ctx, json),
        KbCommand::ConfirmImport { token } => import_apply(app, store, ctx, token),
    };
    result.unwrap_or_else(|e| *e)
}

/// Early exits carry their reply boxed (it is large); `?` boxes a `Reply` on the way.
type R = Result<Reply, Box<Reply>>;

fn fail<T>(r: Reply) -> Result<T, Box<Reply>> {
    Err(Box::new(r))
}

fn guild(ctx: &Ctx) -> Option<u64> {
    ctx.guild
}

fn actor(ctx: &Ctx) -> Result<&Actor, Box<Reply>> {
    ctx.actor
        .as_ref()
        .ok_or_else(|| Box::new(Reply::refused("Archie could not tell who you are.")))
}

/// A store error as the moderator should read it; internal failures are logged, not shown.
fn store_error(e: StoreError) -> Reply {
    if e.is_user_error() {
        Reply::invalid(capitalise(&e.to_string()))
    } else {
        tracing::error!(error = %e, "community store failure");
        Reply::new(Status::Failed, "Something went wrong").summary(
            "Archie could not save that change; nothing was changed. Try again in a moment.",
        )
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn form(id: String, title: &str, d: &Draft) -> Form {
    let field =
        |id: &str, label: &str, value: String, long: bool, required: bool, max: usize| FormField {
            id: id.into(),
            label: label.into(),
            value,
            long,
            required,
            max_len: max,
        };
    Form {
        id,
        title: crate::text::truncate_words(title, 45),
        fields: vec![
            field(
                "title",
                "Title",
                d.title.clone(),
                false,
                true,
                validate::MAX_TITLE,
            ),
            field(
                "text",
                "Text",
                d.text.clone(),
                true,
                true,
                validate::MAX_TEXT,
            ),
            field(
                "company",
                "Company (optional)",
                d.company.clone().unwrap_or_default(),
                false,
                false,
                validate::MAX_COMPANY,
            ),
            field(
                "technologies",
                "Technologies, comma separated (optional)",
                d.technologies.join(", "),
                false,
                false,
                1000,
            ),
            field(
                "sources",
                "Source links (one per line)",
                d.sources.join("\n"),
                true,
                true,
                4000,
            ),
        ],
    }
}

fn add_form(kind: &str) -> R {
    let Some(k) = Kind::parse(kind) else {
        return fail(Reply::invalid(format!(
            "Unknown kind '{}'; use one of: qa, note, article, reading, stack, tech.",
            crate::text::truncate_words(kind, 30)
        )));
    };
    let empty = Draft {
        kind: k,
        title: String::new(),
        text: String::new(),
        company: None,
        technologies: Vec::new(),
        sources: Vec::new(),
    };
    let mut r = Reply::new(Status::Answer, "New entry");
    r.form = Some(form(
        format!("kbform:add:{}", k.as_str()),
        &format!("New {} entry", k.as_str()),
        &empty,
    ));
    r.ephemeral = true;
    Ok(r)
}

/// The entry `id` as the ctx's server sees it now.
fn visible_entry(app: &App, ctx: &Ctx, id: &str) -> Option<Entry> {
    app.engine.visible(guild(ctx)).entry(id).cloned()
}

fn edit_form(app: &App, ctx: &Ctx, id: &str) -> R {
    let e = visible_entry(app, ctx, id.trim()).ok_or_else(|| {
        Reply::invalid(format!(
            "No entry '{}' in this server.",
            crate::text::truncate_words(id, 80)
        ))
    })?;
    let d = Draft::from_entry(&e);
    let mut r = Reply::new(Status::Answer, "Edit entry");
    let fid = format!("kbform:edit:{}", e.id);
    if fid.chars().count() > 100 {
        return fail(Reply::invalid(
            "That id is too long to edit from Discord; use `archie kb edit` instead.",
        ));
    }
    let f = form(fid, &format!("Edit {}", e.title), &d);
    // A value longer than its field would be cut in the form and damaged on save.
    if f.fields.iter().any(|x| x.value.chars().count() > x.max_len) {
        return fail(Reply::invalid(
            "That entry is longer than a Discord form can hold; edit it with `archie kb edit` instead.",
        ));
    }
    r.form = Some(f);
    r.ephemeral = true;
    Ok(r)
}

fn submit(app: &App, store: &Store, ctx: &Ctx, id: Option<&str>, raw: &RawDraft) -> R {
    let g = guild(ctx).ok_or_else(|| Reply::refused("Only in a server."))?;
    let actor = actor(ctx)?;
    let k = app.engine.knowledge();
    let mut raw = raw.clone();
    if raw.kind.is_empty() {
        if let Some(e) = id.and_then(|id| visible_entry(app, ctx, id)) {
            raw.kind = e.kind.as_str().to_string();
        }
    }
    let draft =
        validate::validate(&raw, k).map_err(|e| Reply::invalid(capitalise(&e.to_string())))?;
    if let Some(dup) = store.find_duplicate(g, &draft, id).map_err(store_error)? {
        let e: validate::ValidationError = dup.into();
        return fail(Reply::invalid(capitalise(&e.to_string())));
    }
    let saved = match id {
        None => store.add(g, actor, &draft),
        Some(id) => {
            let base = base_before(app, store, g, id)?;
            store.edit(g, actor, id, &draft, base.as_ref())
        }
    }
    .map_err(store_error)?;
    index(app, g, &saved);
    let verb = if id.is_none() { "Added" } else { "Saved" };
    let mut r = Reply::new(Status::Answer, format!("{verb} {}", saved.id));
    r.summary = Some("Searchable in this server now.".into());
    r.blocks
        .push(entry_block(&saved.to_entry(k.entry(&saved.id))));
    r.ephemeral = true;
    Ok(r)
}

/// For a base id without a row in this guild: its content, the `before` of an override.
fn base_before(app: &App, store: &Store, g: u64, id: &str) -> Result<Option<Draft>, Box<Reply>> {
    let has_row = store.get(g, id).map_err(store_error)?.is_some();
    Ok(if has_row {
        None
    } else {
        app.engine.knowledge().entry(id).map(Draft::from_entry)
    })
}

/// Applies a committed change to the index; the store stays the truth if this fails.
fn index(app: &App, g: u64, ce: &crate::store::CommunityEntry) {
    if let Err(e) = app
        .engine
        .apply(vec![(g, ce.id.clone(), app.change_for(ce))])
    {
        tracing::error!(error = %e, id = %ce.id, "index update failed; it is rebuilt from the store at the next start");
    }
}

fn entry_block(e: &Entry) -> Block {
    let mut body = format!("kind: {}\n{}", e.kind.as_str(), e.text);
    if let Some(c) = &e.company {
        body.push_str(&format!("\ncompany: {c}"));
    }
    if !e.technologies.is_empty() {
        body.push_str(&format!("\ntechnologies: {}", e.technologies.join(", ")));
    }
    Block {
        heading: e.title.clone(),
        tag: Some(e.id.clone()),
        body: plain(body),
        sources: links(&e.sources),
    }
}

fn remove(app: &App, store: &Store, ctx: &Ctx, id: &str, confirmed: bool) -> R {
    let g = guild(ctx).ok_or_else(|| Reply::refused("Only in a server."))?;
    let id = id.trim();
    let e = visible_entry(app, ctx, id).ok_or_else(|| {
        Reply::invalid(format!(
            "No entry '{}' in this server.",
            crate::text::truncate_words(id, 80)
        ))
    })?;
    if !confirmed {
        let mut r = Reply::new(Status::Answer, format!("Remove {}?", e.id));
        r.summary = Some("It disappears from this server's answers; its history stays and /kb revert brings it back.".into());
        r.blocks.push(entry_block(&e));
        if let Some(bid) = Some(format!("kbrm:{}", e.id)).filter(|b| b.chars().count() <= 100) {
            r.buttons.push(Button {
                id: bid,
                label: "Remove".into(),
                style: ButtonStyle::Danger,
            });
        }
        r.ephemeral = true;
        return Ok(r);
    }
    let actor = actor(ctx)?;
    let base = base_before(app, store, g, &e.id)?;
    let saved = store
        .remove(g, actor, &e.id, base.as_ref())
        .map_err(store_error)?;
    index(app, g, &saved);
    let mut r = Reply::new(Status::Answer, format!("Removed {}", saved.id));
    r.summary = Some(format!(
        "Revert it with /kb revert id:{} revision:{} to bring it back.",
        saved.id,
        revert_hint(store, g, &saved.id)
    ));
    r.ephemeral = true;
    Ok(r)
}

/// The revision before the latest, the natural target of an undo.
fn revert_hint(store: &Store, g: u64, id: &str) -> String {
    store
        .history(g, Some(id), 1, 1)
        .ok()
        .and_then(|h| h.first().map(|r| r.id.to_string()))
        .unwrap_or_else(|| "…".into())
}

fn show(app: &App, store: &Store, ctx: &Ctx, id: &str) -> R {
    let id = id.trim();
    let e = visible_entry(app, ctx, id);
    let g = guild(ctx);
    let row = match g {
        Some(g) => store.get(g, id).map_err(store_error)?,
        None => None,
    };
    if e.is_none() && row.is_none() {
        return fail(Reply::invalid(format!(
            "No entry '{}' in this server.",
            crate::text::truncate_words(id, 80)
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
        let mut lines = vec![format!("{n} change(s) in this server")];
        for rev in latest {
            lines.push(format!(
                "#{} {} by {} <t:{}:R>",
                rev.id,
                rev.action.as_str(),
                rev.actor.name,
                rev.at
            ));
        }
        r.blocks.push(Block {
            heading: "History".into(),
            tag: None,
            body: plain(lines.join("\n")),
            sources: Vec::new(),
        });
    }
    r.data = Some(Data::Entry(data::ShownEntry { entry: e, guild: g }));
    r.ephemeral = true;
    Ok(r)
}

fn history(store: &Store, ctx: &Ctx, id: Option<&str>, page: usize) -> R {
    let Some(g) = guild(ctx) else {
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
                crate::text::truncate_words(id, 80)
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
        let mut lines: Vec<String> = diff(rev.before.as_ref(), rev.after.as_ref())
            .into_iter()
            .map(|l| crate::text::truncate_words(&l, 200))
            .collect();
        if lines.is_empty() {
            lines.push("no content change".into());
        }
        // A page holds several revisions: keep each one's diff short.
        if lines.len() > MAX_DIFF_LINES {
            let more = lines.len() - MAX_DIFF_LINES;
            lines.truncate(MAX_DIFF_LINES);
            lines.push(format!(
                "… and {more} more change(s); /kb show for the full entry"
            ));
        }
        r.blocks.push(Block {
            heading: format!(
                "#{} {} {} by {}",
                rev.id,
                rev.action.as_str(),
                rev.entry_id,
                rev.actor.name
            ),
            tag: Some(format!("<t:{}:f>", rev.at)),
            body: plain(lines.join("\n")),
            sources: Vec::new(),
        });
    }
    if pages > 1 {
        r.paging = Some(Paging {
            page,
            pages,
            key: format!("kbh:{}", id.unwrap_or("")),
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
            })
            .collect(),
    }));
    r.ephemeral = true;
    Ok(r)
}

fn revert(app: &App, store: &Store, ctx: &Ctx, id: &str, revision: i64) -> R {
    let g = guild(ctx).ok_or_else(|| Reply::refused("Only in a server."))?;
    let actor = actor(ctx)?;
    let saved = store
        .revert(g, actor, id.trim(), revision)
        .map_err(store_error)?;
    index(app, g, &saved);
    let mut r = Reply::new(
        Status::Answer,
        format!("Reverted {} to revision #{revision}", saved.id),
    );
    r.summary = Some("The revert is itself in the history.".into());
    if let Some(e) = visible_entry(app, ctx, &saved.id) {
        r.blocks.push(entry_block(&e));
    }
    r.ephemeral = true;
    Ok(r)
}

fn export(store: &Store, ctx: &Ctx) -> R {
    let Some(g) = guild(ctx) else {
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

fn import_preview(app: &App, store: &Store, ctx: &Ctx, json: &str) -> R {
    let g = guild(ctx).ok_or_else(|| Reply::refused("Only in a server."))?;
    let actor = actor(ctx)?;
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
    let list = |v: Vec<String>| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join("\n")
        }
    };
    r.blocks.push(Block {
        heading: "Add".into(),
        tag: None,
        body: plain(list(
            plan.add.iter().map(|a| a.draft.title.clone()).collect(),
        )),
        sources: Vec::new(),
    });
    r.blocks.push(Block {
        heading: "Change".into(),
        tag: None,
        body: plain(list(
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
        sources: Vec::new(),
    });
    r.blocks.push(Block {
        heading: "Skipped".into(),
        tag: None,
        body: plain(list(
            plan.skip
                .iter()
                .map(|s| format!("#{} {}", s.index + 1, s.reason))
                .collect(),
        )),
        sources: Vec::new(),
    });
    r.blocks.push(Block {
        heading: "Invalid".into(),
        tag: None,
        body: plain(list(
            plan.invalid
                .iter()
                .map(|s| format!("#{} {}", s.index + 1, s.reason))
                .collect(),
        )),
        sources: Vec::new(),
    });
    if !plan.is_empty() {
        let token = import_token(g, actor.id, json);
        let mut pending = app
            .pending_imports
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        pending.retain(|_, p| p.at.elapsed() < IMPORT_TTL);
        pending.insert(
            token.clone(),
            PendingImport {
                guild: g,
                actor: actor.id,
                items,
                at: std::time::Instant::now(),
            },
        );
        r.buttons.push(Button {
            id: format!("kbimp:{token}"),
            label: "Import".into(),
            style: ButtonStyle::Primary,
        });
    }
    r.data = Some(Data::ImportPlan(data::ImportPlan {
        add: plan.add.len(),
        change: plan.change.len(),
        skip: plan.skip.len(),
        invalid: plan.invalid.len(),
    }));
    r.ephemeral = true;
    Ok(r)
}

fn import_token(g: u64, actor: u64, json: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(g.to_le_bytes());
    h.update(actor.to_le_bytes());
    h.update(json.as_bytes());
    h.update(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
            .to_le_bytes(),
    );
    hex::encode(&h.finalize()[..12])
}

fn import_apply(app: &App, store: &Store, ctx: &Ctx, token: &str) -> R {
    let g = guild(ctx).ok_or_else(|| Reply::refused("Only in a server."))?;
    let actor = actor(ctx)?;
    let pending = {
        let mut p = app
            .pending_imports
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        p.remove(token)
    };
    let Some(p) =
        pending.filter(|p| p.guild == g && p.actor == actor.id && p.at.elapsed() < IMPORT_TTL)
    else {
        return fail(Reply::invalid(
            "That import preview expired or belongs to someone else; run /kb import again.",
        ));
    };
    // Plan again: the store may have changed since the preview.
    let plan = store
        .plan_import(g, app.engine.knowledge(), &p.items)
        .map_err(store_error)?;
    let saved = store.apply_import(g, actor, &plan).map_err(store_error)?;
    let changes = saved
        .iter()
        .map(|ce| (g, ce.id.clone(), app.change_for(ce)))
        .collect();
    if let Err(e) = app.engine.apply(changes) {
        tracing::error!(error = %e, "index update after import failed");
    }
    let mut r = Reply::new(Status::Answer, "Imported");
    r.summary = Some(format!(
        "{} entr{} added or changed; searchable in this server now.",
        saved.len(),
        if saved.len() == 1 { "y" } else { "ies" }
    ));
    r.ephemeral = true;
    Ok(r)
}

/// Autocomplete for an entry id: `(label, id)` of entries this server sees whose title or
/// id contains what was typed; the server's own entries first. At most 25.
pub fn suggest_ids(app: &App, guild: Option<u64>, typed: &str) -> Vec<(String, String)> {
    let q = crate::text::normalize(typed);
    let vis = app.engine.visible(guild);
    let mut own: Vec<(String, String)> = Vec::new();
    let mut base: Vec<(String, String)> = Vec::new();
    for e in vis.iter() {
        let hay = crate::text::normalize(&format!("{} {}", e.title, e.id));
        if q.is_empty() || hay.contains(&q) {
            let label =
                crate::text::truncate_words(&format!("{} ({})", e.title, e.kind.as_str()), 100);
            if e.id.chars().count() > 100 {
                continue;
            }
            let slot = if crate::store::is_community_id(&e.id)
                || app.engine.knowledge().entry(&e.id).is_none_or(|b| b != e)
            {
                &mut own
            } else {
                &mut base
            };
            slot.push((label, e.id.clone()));
        }
        if own.len() >= 25 {
            break;
        }
    }
    own.extend(base);
    own.truncate(25);
    own
}
