//! The entry form: empty for `/kb add`, pre-filled for `/kb edit`, and what its
//! submission saves (validated, checked for duplicates, committed, then indexed).

use super::{
    actor, base_before, capitalise, entry_block, existing_entry, fail, server, store_error,
    visible_entry, Outcome,
};
use crate::app::App;
use crate::commands::Caller;
use crate::reply::{FieldKey, Form, FormField, Reply, Status, Submit};
use archie_knowledge::Kind;
use archie_store::validate::{self, RawDraft};
use archie_store::{Draft, Store};

pub(super) fn form(submit: Submit, title: &str, d: &Draft) -> Form {
    let field =
        |key: FieldKey, label: &str, value: String, long: bool, required: bool, max: usize| {
            FormField {
                key,
                label: label.into(),
                value,
                long,
                required,
                max_len: max,
            }
        };
    Form {
        submit,
        title: archie_text::truncate_words(title, 45),
        fields: vec![
            field(
                FieldKey::Title,
                "Title",
                d.title.clone(),
                false,
                true,
                validate::MAX_TITLE,
            ),
            field(
                FieldKey::Text,
                if d.kind == Kind::Stack {
                    "Layers, one per line (Caching: Redis)"
                } else {
                    "Text"
                },
                d.text.clone(),
                true,
                true,
                validate::MAX_TEXT,
            ),
            field(
                FieldKey::Company,
                "Company (optional)",
                d.company.clone().unwrap_or_default(),
                false,
                false,
                validate::MAX_COMPANY,
            ),
            field(
                FieldKey::Technologies,
                "Technologies, comma separated (optional)",
                d.technologies.join(", "),
                false,
                false,
                1000,
            ),
            field(
                FieldKey::Sources,
                "Source links (one per line)",
                d.sources.join("\n"),
                true,
                true,
                4000,
            ),
        ],
    }
}

/// The kind a member named, or the refusal listing the kinds.
pub(super) fn kind_arg(kind: &str) -> Result<Kind, Box<Reply>> {
    Kind::parse(kind).ok_or_else(|| {
        Box::new(Reply::invalid(format!(
            "Unknown kind '{}'; use one of: qa, note, article, reading, stack, tech.",
            archie_text::truncate_words(kind, 30)
        )))
    })
}

/// A draft of `kind` with nothing filled in but `title`.
pub(super) fn empty_draft(kind: Kind, title: &str) -> Draft {
    Draft {
        kind,
        title: title.to_string(),
        text: String::new(),
        company: None,
        technologies: Vec::new(),
        sources: Vec::new(),
    }
}

pub(super) fn add_form(kind: &str) -> Outcome {
    let k = kind_arg(kind)?;
    let empty = empty_draft(k, "");
    let mut r = Reply::new(Status::Answer, "New entry");
    r.form = Some(form(
        Submit::Add(k),
        &format!("New {} entry", k.as_str()),
        &empty,
    ));
    r.ephemeral = true;
    Ok(r)
}

pub(super) fn edit_form(app: &App, caller: &Caller, id: &str) -> Outcome {
    let e = existing_entry(app, caller, id)?;
    let d = Draft::from_entry(&e);
    let mut r = Reply::new(Status::Answer, "Edit entry");
    let f = form(Submit::Edit(e.id.clone()), &format!("Edit {}", e.title), &d);
    if overflows(&f) {
        return fail(Reply::invalid(
            "That entry is longer than a Discord form can hold; edit it with `archie kb edit` instead.",
        ));
    }
    r.form = Some(f);
    r.ephemeral = true;
    Ok(r)
}

/// Whether an entry's value is longer than its field: the form would cut it, and saving
/// would damage the entry.
pub(super) fn overflows(f: &Form) -> bool {
    f.fields.iter().any(|x| x.value.chars().count() > x.max_len)
}

/// A submitted form's draft, validated and checked against the server's entries for a
/// duplicate (an edit of `id` takes its kind from the entry).
pub(super) fn checked_draft(
    app: &App,
    store: &Store,
    caller: &Caller,
    id: Option<&str>,
    raw: &RawDraft,
) -> Result<Draft, Box<Reply>> {
    let g = server(caller)?;
    let mut raw = raw.clone();
    if raw.kind.is_empty() {
        if let Some(e) = id.and_then(|id| visible_entry(app, caller, id)) {
            raw.kind = e.kind.as_str().to_string();
        }
    }
    let draft = validate::validate(&raw, app.engine.knowledge())
        .map_err(|e| Reply::invalid(capitalise(&e.to_string())))?;
    if let Some(dup) = store.find_duplicate(g, &draft, id).map_err(store_error)? {
        let e: validate::ValidationError = dup.into();
        return fail(Reply::invalid(capitalise(&e.to_string())));
    }
    Ok(draft)
}

pub(super) fn submit(
    app: &App,
    store: &Store,
    caller: &Caller,
    id: Option<&str>,
    raw: &RawDraft,
) -> Outcome {
    let g = server(caller)?;
    let actor = actor(caller)?;
    let k = app.engine.knowledge();
    if id.is_none() {
        if let Some(done) = already_added(app, store, g, actor, raw) {
            return Ok(done);
        }
    }
    let draft = checked_draft(app, store, caller, id, raw)?;
    let saved = match id {
        None => store.add(g, actor, &draft),
        Some(id) => {
            let base = base_before(app, store, g, id)?;
            store.edit(g, actor, id, &draft, base.as_ref())
        }
    }
    .map_err(store_error)?;
    let indexed = app.written(g);
    let verb = if id.is_none() { "Added" } else { "Saved" };
    let mut r = Reply::new(Status::Answer, format!("{verb} {}", saved.id));
    r.summary = Some(super::searchable(indexed, "Searchable in this server now."));
    r.blocks.push(entry_block(&saved.to_entry(k)));
    r.ephemeral = true;
    Ok(r)
}

/// How long a form sent again counts as the same submission: the 15 minutes Discord keeps
/// an interaction's token, within which a moderator retries one shown as failed or slow.
const RETRY_WINDOW_SECS: i64 = 15 * 60;

/// The reply to an add form submitted again: when its exact content was added by the same
/// moderator within [`RETRY_WINDOW_SECS`] and the entry still reads so, the first
/// submission succeeded (perhaps while Discord showed it as failed), and the retry gets
/// the same "Added" instead of the duplicate-title refusal.
fn already_added(
    app: &App,
    store: &Store,
    g: u64,
    actor: &archie_store::Actor,
    raw: &RawDraft,
) -> Option<Reply> {
    let draft = validate::validate(raw, app.engine.knowledge()).ok()?;
    let dup = store.find_duplicate(g, &draft, None).ok()??;
    let entry = store.get(g, &dup.id).ok()??;
    if entry.draft != draft || entry.state != archie_store::State::Live {
        return None;
    }
    let added = store
        .history(g, Some(&entry.id), 0, 1)
        .ok()?
        .into_iter()
        .next()
        .filter(|r| {
            r.action == archie_store::RevisionAction::Add
                && r.actor.id == actor.id
                && store.now() - r.at <= RETRY_WINDOW_SECS
        })?;
    tracing::info!(id = %entry.id, revision = added.id, "an add form sent again: already added");
    let mut r = Reply::new(Status::Answer, format!("Added {}", entry.id));
    r.summary = Some("Already saved by your first submission of this form.".into());
    r.blocks
        .push(entry_block(&entry.to_entry(app.engine.knowledge())));
    r.ephemeral = true;
    Some(r)
}
