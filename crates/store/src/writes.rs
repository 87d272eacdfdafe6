//! The writes: add, edit, remove, revert and restore. Each runs in one transaction that
//! updates the entry row and appends its revision, and returns after COMMIT.

use super::backend::{Backend, NewRevision, NewRow};
use super::validate::check_shape;
use super::{Actor, CommunityEntry, Draft, Origin, RevisionAction, State, Store, StoreError};
use archie_text::slug;

/// One write in progress: the transaction, the guild, who and when.
pub(crate) struct WriteTxn<'a> {
    pub b: &'a mut dyn Backend,
    pub guild: u64,
    pub actor: &'a Actor,
    pub now: i64,
    /// Recorded with every revision of this write (what it came from).
    pub note: Option<&'a str>,
}

impl WriteTxn<'_> {
    fn revise(
        &mut self,
        id: &str,
        action: RevisionAction,
        before: Option<&Draft>,
        after: Option<&Draft>,
        state_after: State,
    ) -> Result<(), StoreError> {
        tracing::debug!(
            guild = self.guild,
            entry = id,
            action = action.as_str(),
            actor = self.actor.id,
            "store: recording revision"
        );
        self.b.append_revision(&NewRevision {
            guild: self.guild,
            entry_id: id,
            action,
            actor: self.actor,
            at: self.now,
            before,
            after,
            state_after,
            note: self.note,
        })?;
        Ok(())
    }

    fn row<'d>(&self, id: &'d str, state: State, draft: &'d Draft) -> NewRow<'d> {
        NewRow {
            guild: self.guild,
            id,
            state,
            draft,
            now: self.now,
        }
    }

    fn insert(
        &mut self,
        id: &str,
        origin: Origin,
        state: State,
        d: &Draft,
    ) -> Result<(), StoreError> {
        let row = self.row(id, state, d);
        self.b.insert_entry(&row, origin)
    }

    fn update(&mut self, id: &str, state: State, d: &Draft) -> Result<(), StoreError> {
        let row = self.row(id, state, d);
        self.b.update_entry(&row)
    }

    fn load(&mut self, id: &str) -> Result<Option<CommunityEntry>, StoreError> {
        self.b.entry(self.guild, id)
    }

    fn reload(&mut self, id: &str) -> Result<CommunityEntry, StoreError> {
        self.load(id)?
            .ok_or_else(|| StoreError::NotFound { id: id.to_string() })
    }

    /// A new community entry; `preferred_id` (a `kb-` id from an import) is kept when free.
    pub fn add(
        &mut self,
        draft: &Draft,
        preferred_id: Option<&str>,
    ) -> Result<CommunityEntry, StoreError> {
        check_shape(draft)?;
        let id = self.free_id(preferred_id, &draft.title)?;
        self.insert(&id, Origin::Community, State::Live, draft)?;
        self.revise(&id, RevisionAction::Add, None, Some(draft), State::Live)?;
        self.reload(&id)
    }

    /// `kb-<slug of title>`, with `-2`, `-3`… when the guild already uses it (in any state).
    fn free_id(&mut self, preferred: Option<&str>, title: &str) -> Result<String, StoreError> {
        let base = match preferred.filter(|p| is_community_id(p)) {
            Some(p) => p.to_string(),
            None => match slug(title) {
                s if s.is_empty() => "kb-entry".to_string(),
                s => format!("kb-{s}"),
            },
        };
        let mut n = 1u64;
        loop {
            let id = if n == 1 {
                base.clone()
            } else {
                format!("{base}-{n}")
            };
            if !self.b.id_taken(self.guild, &id)? {
                return Ok(id);
            }
            n += 1;
        }
    }

    pub fn edit(
        &mut self,
        id: &str,
        draft: &Draft,
        base_before: Option<&Draft>,
    ) -> Result<CommunityEntry, StoreError> {
        check_shape(draft)?;
        match self.load(id)? {
            Some(row) => match row.state {
                State::Live => {
                    if row.draft == *draft {
                        return Err(StoreError::Unchanged { id: id.to_string() });
                    }
                    self.update(id, State::Live, draft)?;
                    self.revise(
                        id,
                        RevisionAction::Edit,
                        Some(&row.draft),
                        Some(draft),
                        State::Live,
                    )?;
                }
                State::Removed | State::Hidden => {
                    return Err(StoreError::Removed { id: id.to_string() })
                }
                State::Base => {
                    self.update(id, State::Live, draft)?;
                    self.revise(
                        id,
                        RevisionAction::Override,
                        base_before,
                        Some(draft),
                        State::Live,
                    )?;
                }
            },
            None => {
                let Some(base) = base_before.filter(|_| !is_community_id(id)) else {
                    return Err(StoreError::NotFound { id: id.to_string() });
                };
                self.insert(id, Origin::Base, State::Live, draft)?;
                self.revise(
                    id,
                    RevisionAction::Override,
                    Some(base),
                    Some(draft),
                    State::Live,
                )?;
            }
        }
        self.reload(id)
    }

    fn remove(
        &mut self,
        id: &str,
        base_before: Option<&Draft>,
    ) -> Result<CommunityEntry, StoreError> {
        match self.load(id)? {
            Some(row) => match (row.origin, row.state) {
                (_, State::Removed | State::Hidden) => {
                    return Err(StoreError::AlreadyRemoved { id: id.to_string() })
                }
                (Origin::Community, _) => {
                    self.update(id, State::Removed, &row.draft)?;
                    self.revise(
                        id,
                        RevisionAction::Remove,
                        Some(&row.draft),
                        None,
                        State::Removed,
                    )?;
                }
                (Origin::Base, State::Live) => {
                    self.update(id, State::Hidden, &row.draft)?;
                    self.revise(
                        id,
                        RevisionAction::Hide,
                        Some(&row.draft),
                        None,
                        State::Hidden,
                    )?;
                }
                (Origin::Base, State::Base) => {
                    self.update(id, State::Hidden, base_before.unwrap_or(&row.draft))?;
                    self.revise(id, RevisionAction::Hide, base_before, None, State::Hidden)?;
                }
            },
            None => {
                let Some(base) = base_before.filter(|_| !is_community_id(id)) else {
                    return Err(StoreError::NotFound { id: id.to_string() });
                };
                self.insert(id, Origin::Base, State::Hidden, base)?;
                self.revise(id, RevisionAction::Hide, Some(base), None, State::Hidden)?;
            }
        }
        self.reload(id)
    }

    fn revert(&mut self, id: &str, revision: i64) -> Result<CommunityEntry, StoreError> {
        let row = self
            .load(id)?
            .ok_or_else(|| StoreError::NotFound { id: id.to_string() })?;
        let rev = self.b.revision(self.guild, id, revision)?.ok_or_else(|| {
            StoreError::NoSuchRevision {
                id: id.to_string(),
                revision,
            }
        })?;
        let content = rev.after.as_ref().unwrap_or(&row.draft);
        if row.state == rev.state_after && row.draft == *content {
            return Err(StoreError::Unchanged { id: id.to_string() });
        }
        let before = (row.state == State::Live).then_some(&row.draft);
        let after = (rev.state_after == State::Live).then_some(content);
        self.update(id, rev.state_after, content)?;
        self.revise(id, RevisionAction::Revert, before, after, rev.state_after)?;
        self.reload(id)
    }

    fn restore_base(
        &mut self,
        id: &str,
        base_now: Option<&Draft>,
    ) -> Result<CommunityEntry, StoreError> {
        let row = self
            .load(id)?
            .ok_or_else(|| StoreError::NotFound { id: id.to_string() })?;
        if row.origin != Origin::Base {
            return Err(StoreError::NotAnOverride { id: id.to_string() });
        }
        if row.state == State::Base {
            return Err(StoreError::Unchanged { id: id.to_string() });
        }
        let before = (row.state == State::Live).then_some(&row.draft);
        self.update(id, State::Base, base_now.unwrap_or(&row.draft))?;
        self.revise(id, RevisionAction::Restore, before, base_now, State::Base)?;
        self.reload(id)
    }
}

/// Community ids are `kb-` followed by a slug; base ids never start with `kb-`.
pub fn is_community_id(id: &str) -> bool {
    id.strip_prefix("kb-")
        .is_some_and(|rest| !rest.is_empty() && slug(rest) == rest)
}

impl Store {
    fn ctx_write<T>(
        &self,
        guild: u64,
        actor: &Actor,
        f: impl FnOnce(&mut WriteTxn<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.noted_write(guild, actor, None, f)
    }

    /// One write whose revisions carry `note`; `f` may also change curation rows in the
    /// same transaction (a gap closed, a proposal approved), so both commit or neither.
    pub(crate) fn noted_write<T>(
        &self,
        guild: u64,
        actor: &Actor,
        note: Option<&str>,
        f: impl FnOnce(&mut WriteTxn<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.write(|b, now| {
            f(&mut WriteTxn {
                b,
                guild,
                actor,
                now,
                note,
            })
        })
    }

    /// Adds a community entry with a new `kb-<slug of title>` id (suffixed `-2`, `-3`… when
    /// taken). Validate the draft with [`super::validate::validate`] first.
    pub fn add(
        &self,
        guild: u64,
        actor: &Actor,
        draft: &Draft,
    ) -> Result<CommunityEntry, StoreError> {
        self.ctx_write(guild, actor, |w| w.add(draft, None))
    }

    /// Edits a live entry of the guild. When the guild has no row for `id`, `base_before`
    /// must be the base entry's current content: the edit then creates a guild-local
    /// override with the same id (action `override`). Removed or hidden ids must be
    /// reverted (or restored) first.
    pub fn edit(
        &self,
        guild: u64,
        actor: &Actor,
        id: &str,
        draft: &Draft,
        base_before: Option<&Draft>,
    ) -> Result<CommunityEntry, StoreError> {
        self.ctx_write(guild, actor, |w| w.edit(id, draft, base_before))
    }

    /// Removes a community entry (history kept; revert brings it back), or hides a base id in
    /// this guild only (pass the base entry's content as `base_before`; action `hide`).
    pub fn remove(
        &self,
        guild: u64,
        actor: &Actor,
        id: &str,
        base_before: Option<&Draft>,
    ) -> Result<CommunityEntry, StoreError> {
        self.ctx_write(guild, actor, |w| w.remove(id, base_before))
    }

    /// Puts the entry back in the state and content it had right after `revision` (a revision
    /// of this id in this guild), recorded as a new `revert` revision. Works on removed
    /// entries and hidden base ids.
    pub fn revert(
        &self,
        guild: u64,
        actor: &Actor,
        id: &str,
        revision: i64,
    ) -> Result<CommunityEntry, StoreError> {
        self.ctx_write(guild, actor, |w| w.revert(id, revision))
    }

    /// Drops the guild's override or hide of a base id, so the base entry shows again
    /// (action `restore`; pass the base entry's current content as `base_now` for the trail).
    pub fn restore_base(
        &self,
        guild: u64,
        actor: &Actor,
        id: &str,
        base_now: Option<&Draft>,
    ) -> Result<CommunityEntry, StoreError> {
        self.ctx_write(guild, actor, |w| w.restore_base(id, base_now))
    }
}
