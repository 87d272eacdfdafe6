//! Proposals: entries or edits members propose, kept for review until a moderator approves
//! (a normal write whose revision names both people) or rejects them; and whether a server
//! takes proposals at all.

use super::{clean_note, corrupt, from_json, refused, to_json};
use crate::backend::{from_sql_id, gid, int, text, Backend, Cells, Param};
use crate::{Actor, CommunityEntry, Draft, Store, StoreError};
use serde::Serialize;

/// Pending proposals one member may hold in one server.
pub const MAX_PENDING_PER_MEMBER: i64 = 5;
/// Pending proposals one server may hold.
pub const MAX_PENDING_PER_SERVER: i64 = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProposalState {
    Pending,
    Approved,
    Rejected,
}

impl ProposalState {
    pub fn as_str(self) -> &'static str {
        match self {
            ProposalState::Pending => "pending",
            ProposalState::Approved => "approved",
            ProposalState::Rejected => "rejected",
        }
    }

    fn parse(s: &str) -> Option<ProposalState> {
        match s {
            "pending" => Some(ProposalState::Pending),
            "approved" => Some(ProposalState::Approved),
            "rejected" => Some(ProposalState::Rejected),
            _ => None,
        }
    }
}

/// A member's proposed new entry (`entry_id` None) or edit of an entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proposal {
    pub id: i64,
    pub guild: u64,
    pub entry_id: Option<String>,
    pub draft: Draft,
    pub proposer_id: u64,
    pub proposer_name: String,
    pub state: ProposalState,
    pub reason: Option<String>,
    pub reviewer_name: Option<String>,
    /// The entry the approval wrote.
    pub result_id: Option<String>,
    pub created_at: i64,
    pub decided_at: Option<i64>,
}

pub(super) const PROPOSAL_COLUMNS: &str =
    "id, guild_id, entry_id, draft, proposer_id, proposer_name, state,
    reason, reviewer_name, result_id, created_at, decided_at";

pub(super) fn proposal_row(r: &Cells) -> Result<Proposal, StoreError> {
    let state = r.text(6)?;
    Ok(Proposal {
        id: r.int(0)?,
        guild: from_sql_id(r.int(1)?),
        entry_id: r.opt_text(2)?,
        draft: from_json("proposed draft", &r.text(3)?)?,
        proposer_id: from_sql_id(r.int(4)?),
        proposer_name: r.text(5)?,
        state: ProposalState::parse(&state).ok_or_else(|| corrupt("proposal state", state))?,
        reason: r.opt_text(7)?,
        reviewer_name: r.opt_text(8)?,
        result_id: r.opt_text(9)?,
        created_at: r.int(10)?,
        decided_at: r.opt_int(11)?,
    })
}

pub(super) fn pending_count(b: &mut dyn Backend, guild: u64) -> Result<i64, StoreError> {
    b.count(
        "SELECT COUNT(*) FROM proposals WHERE guild_id = $1 AND state = 'pending'",
        &[gid(guild)],
    )
}

impl Store {
    /// Whether members of `guild` may propose entries (on unless its moderators said no).
    pub fn proposals_open(&self, guild: u64) -> Result<bool, StoreError> {
        self.read(|b| proposals_open(b, guild))
    }

    /// Turns proposals on or off in `guild`.
    pub fn set_proposals_open(&self, guild: u64, open: bool) -> Result<(), StoreError> {
        self.write(|b, _| {
            b.exec(
                "INSERT INTO guild_settings (guild_id, proposals_off) VALUES ($1, $2)
                 ON CONFLICT (guild_id) DO UPDATE SET proposals_off = excluded.proposals_off",
                &[gid(guild), int(i64::from(!open))],
            )?;
            Ok(())
        })
    }

    /// Keeps a member's proposal (a new entry, or an edit of `entry_id`) for review.
    pub fn propose(
        &self,
        guild: u64,
        proposer: &Actor,
        entry_id: Option<&str>,
        draft: &Draft,
    ) -> Result<Proposal, StoreError> {
        crate::validate::check_shape(draft)?;
        self.write(|b, now| {
            if !proposals_open(b, guild)? {
                return Err(refused(
                    "This server's moderators have turned proposals off.",
                ));
            }
            let mine = b.count("SELECT COUNT(*) FROM proposals WHERE guild_id = $1 AND proposer_id = $2 AND state = 'pending'",
                &[gid(guild), gid(proposer.id)],
            )?;
            if mine >= MAX_PENDING_PER_MEMBER {
                return Err(refused(format!(
                    "You already have {mine} proposals waiting for review (at most \
                     {MAX_PENDING_PER_MEMBER}); see /kb proposals."
                )));
            }
            let all = pending_count(b, guild)?;
            if all >= MAX_PENDING_PER_SERVER {
                return Err(refused(
                    "This server has too many proposals waiting for review; try again later.",
                ));
            }
            let rows = b.query(
                &format!(
                    "INSERT INTO proposals (guild_id, entry_id, draft, proposer_id, proposer_name,
                        state, created_at)
                     VALUES ($1, $2, $3, $4, $5, 'pending', $6) RETURNING {PROPOSAL_COLUMNS}"
                ),
                &[
                    gid(guild),
                    Param::Text(entry_id),
                    text(&to_json(draft)?),
                    gid(proposer.id),
                    text(&proposer.name),
                    int(now),
                ],
            )?;
            rows.first()
                .map(proposal_row)
                .transpose()?
                .ok_or_else(|| StoreError::Corrupt("no row for a new proposal".into()))
        })
    }

    /// One proposal of `guild`.
    pub fn proposal(&self, guild: u64, proposal: i64) -> Result<Option<Proposal>, StoreError> {
        self.read(|b| fetch_proposal(b, guild, proposal))
    }

    /// Pending proposals of `guild`, oldest first, and how many there are.
    pub fn pending_proposals(
        &self,
        guild: u64,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<Proposal>, i64), StoreError> {
        self.read(|b| {
            let total = pending_count(b, guild)?;
            let rows = b.query(
                &format!(
                    "SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE guild_id = $1 AND state = 'pending'
                     ORDER BY id LIMIT $2 OFFSET $3"
                ),
                &[gid(guild), int(limit), int(offset)],
            )?;
            Ok((rows.iter().map(proposal_row).collect::<Result<_, _>>()?, total))
        })
    }

    /// A member's proposals in `guild`, newest first.
    pub fn proposals_of(
        &self,
        guild: u64,
        member: u64,
        limit: i64,
    ) -> Result<Vec<Proposal>, StoreError> {
        self.read(|b| {
            let rows = b.query(
                &format!(
                    "SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE guild_id = $1 AND proposer_id = $2
                     ORDER BY id DESC LIMIT $3"
                ),
                &[gid(guild), gid(member), int(limit)],
            )?;
            rows.iter().map(proposal_row).collect()
        })
    }

    /// Writes a pending proposal through the normal write path (an add, or an edit of its
    /// entry, `base_before` as for [`Store::edit`]) and marks it approved, in one
    /// transaction: the revision's actor is the approver, its note names the proposer.
    pub fn approve(
        &self,
        guild: u64,
        approver: &Actor,
        proposal: i64,
        base_before: Option<&Draft>,
    ) -> Result<(Proposal, CommunityEntry), StoreError> {
        let p = self
            .proposal(guild, proposal)?
            .ok_or_else(|| refused(format!("There is no proposal #{proposal} in this server.")))?;
        let note = format!(
            "proposal #{} by {} ({})",
            p.id, p.proposer_name, p.proposer_id
        );
        self.noted_write(guild, approver, Some(&note), |w| {
            let now = w.now;
            decide(
                w.b,
                guild,
                proposal,
                ProposalState::Approved,
                None,
                approver,
                now,
            )?;
            let e = match p.entry_id.as_deref() {
                None => w.add(&p.draft, None)?,
                Some(entry) => w.edit(entry, &p.draft, base_before)?,
            };
            w.b.exec(
                "UPDATE proposals SET result_id = $1 WHERE id = $2",
                &[text(&e.id), int(proposal)],
            )?;
            let p = fetch_proposal(w.b, guild, proposal)?
                .ok_or_else(|| StoreError::Corrupt("an approved proposal vanished".into()))?;
            Ok((p, e))
        })
    }

    /// Rejects a pending proposal, with an optional reason its proposer will see.
    pub fn reject(
        &self,
        guild: u64,
        reviewer: &Actor,
        proposal: i64,
        reason: Option<&str>,
    ) -> Result<Proposal, StoreError> {
        let reason = reason.and_then(clean_note);
        self.write(|b, now| {
            decide(
                b,
                guild,
                proposal,
                ProposalState::Rejected,
                reason.as_deref(),
                reviewer,
                now,
            )?;
            fetch_proposal(b, guild, proposal)?
                .ok_or_else(|| StoreError::Corrupt("a rejected proposal vanished".into()))
        })
    }
}

fn proposals_open(b: &mut dyn Backend, guild: u64) -> Result<bool, StoreError> {
    let off = b
        .query(
            "SELECT proposals_off FROM guild_settings WHERE guild_id = $1",
            &[gid(guild)],
        )?
        .first()
        .map(|r| r.int(0))
        .transpose()?;
    Ok(off.unwrap_or(0) == 0)
}

fn fetch_proposal(
    b: &mut dyn Backend,
    guild: u64,
    proposal: i64,
) -> Result<Option<Proposal>, StoreError> {
    b.query(
        &format!("SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE id = $1 AND guild_id = $2"),
        &[int(proposal), gid(guild)],
    )?
    .first()
    .map(proposal_row)
    .transpose()
}

fn decide(
    b: &mut dyn Backend,
    guild: u64,
    proposal: i64,
    state: ProposalState,
    reason: Option<&str>,
    reviewer: &Actor,
    now: i64,
) -> Result<(), StoreError> {
    let p = fetch_proposal(b, guild, proposal)?
        .ok_or_else(|| refused(format!("There is no proposal #{proposal} in this server.")))?;
    if p.state != ProposalState::Pending {
        return Err(refused(format!(
            "Proposal #{proposal} was already {}.",
            p.state.as_str()
        )));
    }
    b.exec(
        "UPDATE proposals SET state = $1, reason = $2, reviewer_id = $3, reviewer_name = $4,
            decided_at = $5 WHERE id = $6 AND guild_id = $7",
        &[
            text(state.as_str()),
            Param::Text(reason),
            gid(reviewer.id),
            text(&reviewer.name),
            int(now),
            int(proposal),
            gid(guild),
        ],
    )?;
    Ok(())
}
