//! The curation loop's records, kept per server beside the entries and as durable:
//!
//! - **asks**: every question asked in a server, whether it was answered, the kind of the
//!   best answer and the ids shown (what stats count and votes point at);
//! - **votes**: one 👍 or 👎 per member and answer, the member kept only as a key (an
//!   HMAC of their id with the store's own secret), so a second click changes the vote
//!   without the store knowing who voted;
//! - **gaps**: unanswered questions and answers voted 👎, similar questions folded into
//!   one gap with a count, until a moderator answers or dismisses it;
//! - **proposals**: entries or edits members propose, not searchable until a moderator
//!   approves them (the approval is a normal write whose revision names both people);
//! - **settings**: whether a server takes proposals.
//!
//! Every statement is written once for both backends ([`Backend::exec`], [`Backend::query`]);
//! every change commits before the caller acknowledges it.

use super::backend::{from_sql_id, gid, int, text, Backend, Cells, Param};
use super::{Actor, CommunityEntry, Draft, Store, StoreError};
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};

/// Pending proposals one member may hold in one server.
pub const MAX_PENDING_PER_MEMBER: i64 = 5;
/// Pending proposals one server may hold.
pub const MAX_PENDING_PER_SERVER: i64 = 500;
/// Open gaps one server keeps; questions beyond it still count in the stats.
pub const MAX_OPEN_GAPS: i64 = 1000;
/// "What was missing" notes kept on one gap (the first ones).
const MAX_NOTES: usize = 20;
/// Longest "what was missing" note, and longest rejection reason.
pub const MAX_NOTE_CHARS: usize = 500;
/// Share of topic terms two questions with the same names must have in common to be one gap.
const FOLD_OVERLAP: f32 = 0.5;

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn to_json<T: Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| corrupt("json", e))
}

fn from_json<T: for<'de> Deserialize<'de>>(what: &str, s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| corrupt(what, e))
}

/// One question asked in a server.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AskRecord {
    pub id: i64,
    pub guild: u64,
    pub question: String,
    pub answered: bool,
    /// The kind of the best answer shown.
    pub kind: Option<String>,
    /// The ids of the entries shown.
    pub shown: Vec<String>,
    pub at: i64,
}

/// A member's opinion of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Vote {
    Up,
    Down,
}

impl Vote {
    pub fn as_str(self) -> &'static str {
        match self {
            Vote::Up => "up",
            Vote::Down => "down",
        }
    }

    fn parse(s: &str) -> Option<Vote> {
        match s {
            "up" => Some(Vote::Up),
            "down" => Some(Vote::Down),
            _ => None,
        }
    }
}

/// What a question is about, as the search understands it: the names it mentions and its
/// topic terms (analyzed). Two questions with the same names and most terms in common are
/// one gap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Signature {
    pub names: Vec<String>,
    pub terms: Vec<String>,
}

impl Signature {
    pub fn new(mut names: Vec<String>, mut terms: Vec<String>) -> Signature {
        names.sort();
        names.dedup();
        terms.sort();
        terms.dedup();
        Signature { names, terms }
    }

    /// Whether a question of this signature is the same gap as one of `other`'s.
    pub fn same_gap(&self, other: &Signature) -> bool {
        if self.names != other.names {
            return false;
        }
        if self.terms.is_empty() || other.terms.is_empty() {
            return self.terms == other.terms && !self.names.is_empty();
        }
        let shared = self
            .terms
            .iter()
            .filter(|t| other.terms.binary_search(t).is_ok())
            .count();
        let union = self.terms.len() + other.terms.len() - shared;
        shared as f32 / union as f32 >= FOLD_OVERLAP
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GapState {
    Open,
    Answered,
    Dismissed,
}

impl GapState {
    pub fn as_str(self) -> &'static str {
        match self {
            GapState::Open => "open",
            GapState::Answered => "answered",
            GapState::Dismissed => "dismissed",
        }
    }

    fn parse(s: &str) -> Option<GapState> {
        match s {
            "open" => Some(GapState::Open),
            "answered" => Some(GapState::Answered),
            "dismissed" => Some(GapState::Dismissed),
            _ => None,
        }
    }
}

/// A question (or several alike) Archie could not answer well in a server.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gap {
    pub id: i64,
    pub guild: u64,
    /// The first wording asked.
    pub question: String,
    #[serde(skip)]
    pub signature: Signature,
    /// How many times it was asked unanswered or voted 👎.
    pub asked: i64,
    pub state: GapState,
    /// What members said was missing.
    pub notes: Vec<String>,
    /// The entry that answered it.
    pub entry_id: Option<String>,
    pub first_at: i64,
    pub last_at: i64,
}

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

/// A server's curation figures over a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    pub since: i64,
    pub asked: i64,
    pub answered: i64,
    /// 👍 and 👎 per kind of the best answer, by kind.
    pub votes: Vec<KindVotes>,
    pub open_gaps: i64,
    pub pending_proposals: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindVotes {
    pub kind: String,
    pub up: i64,
    pub down: i64,
}

/// Everything of the loop a server holds, for `/kb export` (votes without member keys).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurationExport {
    pub gaps: Vec<Gap>,
    pub proposals: Vec<Proposal>,
    pub votes: Vec<ExportedVote>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportedVote {
    pub question: String,
    pub shown: Vec<String>,
    pub vote: Vote,
    pub note: Option<String>,
    pub at: i64,
}

const ASK_COLUMNS: &str = "id, guild_id, question, answered, kind, shown, at";

fn ask_row(r: &Cells) -> Result<AskRecord, StoreError> {
    Ok(AskRecord {
        id: r.int(0)?,
        guild: from_sql_id(r.int(1)?),
        question: r.text(2)?,
        answered: r.int(3)? != 0,
        kind: r.opt_text(4)?,
        shown: from_json("ask's shown ids", &r.text(5)?)?,
        at: r.int(6)?,
    })
}

const GAP_COLUMNS: &str =
    "id, guild_id, question, signature, asked, state, notes, entry_id, first_at, last_at";

fn gap_row(r: &Cells) -> Result<Gap, StoreError> {
    let state = r.text(5)?;
    Ok(Gap {
        id: r.int(0)?,
        guild: from_sql_id(r.int(1)?),
        question: r.text(2)?,
        signature: from_json("gap signature", &r.text(3)?)?,
        asked: r.int(4)?,
        state: GapState::parse(&state).ok_or_else(|| corrupt("gap state", state))?,
        notes: from_json("gap notes", &r.text(6)?)?,
        entry_id: r.opt_text(7)?,
        first_at: r.int(8)?,
        last_at: r.int(9)?,
    })
}

const PROPOSAL_COLUMNS: &str = "id, guild_id, entry_id, draft, proposer_id, proposer_name, state,
    reason, reviewer_name, result_id, created_at, decided_at";

fn proposal_row(r: &Cells) -> Result<Proposal, StoreError> {
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

fn fetch_ask(b: &mut dyn Backend, guild: u64, ask: i64) -> Result<Option<AskRecord>, StoreError> {
    b.query(
        &format!("SELECT {ASK_COLUMNS} FROM asks WHERE id = $1 AND guild_id = $2"),
        &[int(ask), gid(guild)],
    )?
    .first()
    .map(ask_row)
    .transpose()
}

/// The ask `ask` of `guild`, or the refusal for a foreign or forged id.
fn guild_ask(b: &mut dyn Backend, guild: u64, ask: i64) -> Result<AskRecord, StoreError> {
    fetch_ask(b, guild, ask)?.ok_or_else(|| refused("That answer is not from this server."))
}

fn open_gap_count(b: &mut dyn Backend, guild: u64) -> Result<i64, StoreError> {
    b.count(
        "SELECT COUNT(*) FROM gaps WHERE guild_id = $1 AND state = 'open'",
        &[gid(guild)],
    )
}

fn pending_count(b: &mut dyn Backend, guild: u64) -> Result<i64, StoreError> {
    b.count(
        "SELECT COUNT(*) FROM proposals WHERE guild_id = $1 AND state = 'pending'",
        &[gid(guild)],
    )
}

/// The guild's open gap a question of `sig` belongs to, and how many are open.
fn alike_gap(
    b: &mut dyn Backend,
    guild: u64,
    sig: &Signature,
) -> Result<(Option<Gap>, usize), StoreError> {
    let open = b.query(
        &format!(
            "SELECT {GAP_COLUMNS} FROM gaps WHERE guild_id = $1 AND state = 'open' ORDER BY id"
        ),
        &[gid(guild)],
    )?;
    for r in &open {
        let g = gap_row(r)?;
        if g.signature.same_gap(sig) {
            return Ok((Some(g), open.len()));
        }
    }
    Ok((None, open.len()))
}

/// Keeps `note` on the gap (the first [`MAX_NOTES`]).
fn add_note(b: &mut dyn Backend, g: &mut Gap, note: &str, now: i64) -> Result<(), StoreError> {
    if g.notes.len() < MAX_NOTES {
        g.notes.push(note.to_string());
    }
    b.exec(
        "UPDATE gaps SET notes = $1, last_at = $2 WHERE id = $3",
        &[text(&to_json(&g.notes)?), int(now), int(g.id)],
    )?;
    Ok(())
}

fn refused(msg: impl Into<String>) -> StoreError {
    StoreError::Refused(msg.into())
}

/// Counts a question in the server's gaps: folded into the open gap it resembles (its
/// count and last time raised, `note` added), or a new gap. Returns the gap's id (`None`
/// when the server already holds [`MAX_OPEN_GAPS`] open ones).
fn raise_gap(
    b: &mut dyn Backend,
    guild: u64,
    question: &str,
    sig: &Signature,
    note: Option<&str>,
    now: i64,
) -> Result<Option<i64>, StoreError> {
    let (alike, open) = alike_gap(b, guild, sig)?;
    if let Some(mut g) = alike {
        b.exec(
            "UPDATE gaps SET asked = asked + 1, last_at = $1 WHERE id = $2",
            &[int(now), int(g.id)],
        )?;
        if let Some(n) = note {
            add_note(b, &mut g, n, now)?;
        }
        return Ok(Some(g.id));
    }
    if open as i64 >= MAX_OPEN_GAPS {
        tracing::warn!(
            guild,
            "open gaps at their limit; a new one was not recorded"
        );
        return Ok(None);
    }
    let notes: Vec<&str> = note.into_iter().collect();
    let rows = b.query(
        "INSERT INTO gaps (guild_id, question, signature, asked, state, notes, first_at, last_at)
         VALUES ($1, $2, $3, 1, 'open', $4, $5, $5) RETURNING id",
        &[
            gid(guild),
            text(question),
            text(&to_json(sig)?),
            text(&to_json(&notes)?),
            int(now),
        ],
    )?;
    rows.first().map(|r| r.int(0)).transpose()
}

/// A note as kept: trimmed, at most [`MAX_NOTE_CHARS`], `None` when empty.
pub fn clean_note(note: &str) -> Option<String> {
    let n = archie_text::truncate_words(note.trim(), MAX_NOTE_CHARS);
    (!n.is_empty()).then_some(n)
}

impl Store {
    /// The key a member's votes are kept under: an HMAC-SHA-256 of their id with this
    /// store's secret, so votes dedupe without the store holding who voted.
    pub fn member_key(&self, member: u64) -> Result<String, StoreError> {
        let secret = match self.member_secret.get() {
            Some(s) => s.clone(),
            None => {
                let s = self.read(|b| {
                    let rows = b.query("SELECT value FROM meta WHERE key = 'member_key'", &[])?;
                    rows.first()
                        .map(|r| r.text(0))
                        .transpose()?
                        .ok_or_else(|| StoreError::Corrupt("the store has no member key".into()))
                })?;
                self.member_secret.get_or_init(|| s).clone()
            }
        };
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
            .map_err(|e| corrupt("member key", e))?;
        mac.update(format!("member:{member}").as_bytes());
        Ok(hex::encode(&mac.finalize().into_bytes()[..16]))
    }

    /// Records a question asked in `guild`; an unanswered one also raises a gap. Returns
    /// the ask's id (what the answer's vote buttons carry); the question's `signature` is
    /// computed only for that gap. Nobody is told it was saved,
    /// so it commits without waiting for the disk (see `write_relaxed`): an answer never
    /// waits for a flush.
    pub fn record_ask(
        &self,
        guild: u64,
        question: &str,
        qkey: &str,
        kind: Option<&str>,
        shown: &[String],
        signature: impl FnOnce() -> Signature,
    ) -> Result<i64, StoreError> {
        let id = new_ask_id();
        let signature = shown.is_empty().then(signature);
        self.record_ask_as(id, guild, question, qkey, kind, shown, signature)?;
        Ok(id)
    }

    /// [`Store::record_ask`] under an id chosen by the caller ([`new_ask_id`]): the
    /// question log gives a question its id before it is written. `signature`: what an
    /// unanswered question is about (its gap).
    #[allow(clippy::too_many_arguments)]
    pub fn record_ask_as(
        &self,
        id: i64,
        guild: u64,
        question: &str,
        qkey: &str,
        kind: Option<&str>,
        shown: &[String],
        signature: Option<Signature>,
    ) -> Result<(), StoreError> {
        self.write_relaxed(|b, now| {
            let answered = !shown.is_empty();
            b.exec(
                "INSERT INTO asks (id, guild_id, qkey, question, answered, kind, shown, at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[
                    int(id),
                    gid(guild),
                    text(qkey),
                    text(question),
                    int(i64::from(answered)),
                    Param::Text(kind),
                    text(&to_json(&shown)?),
                    int(now),
                ],
            )?;
            if let (false, Some(sig)) = (answered, &signature) {
                raise_gap(b, guild, question, sig, None, now)?;
            }
            Ok(())
        })
    }

    /// The latest ask of this question in `guild` (another page of the same answer).
    pub fn last_ask(&self, guild: u64, qkey: &str) -> Result<Option<i64>, StoreError> {
        self.read(|b| {
            let rows = b.query(
                "SELECT MAX(id) FROM asks WHERE guild_id = $1 AND qkey = $2",
                &[gid(guild), text(qkey)],
            )?;
            Ok(rows.first().map(|r| r.opt_int(0)).transpose()?.flatten())
        })
    }

    /// One ask of `guild` (another server's ask is not found).
    pub fn ask_record(&self, guild: u64, ask: i64) -> Result<Option<AskRecord>, StoreError> {
        self.read(|b| fetch_ask(b, guild, ask))
    }

    /// Records `member`'s vote on an ask of `guild` (a second vote replaces the first).
    /// A member's first 👎 raises a gap for the question (its `signature` is computed only
    /// then). Returns the vote it replaced.
    pub fn vote(
        &self,
        guild: u64,
        ask: i64,
        member: &str,
        vote: Vote,
        signature: impl FnOnce() -> Signature,
    ) -> Result<Option<Vote>, StoreError> {
        self.write(|b, now| {
            let a = guild_ask(b, guild, ask)?;
            let earlier = b.query(
                "SELECT vote, raised FROM votes WHERE ask_id = $1 AND member_key = $2",
                &[int(ask), text(member)],
            )?;
            let before = earlier
                .first()
                .map(|r| r.text(0))
                .transpose()?
                .and_then(|v| Vote::parse(&v));
            // A member's 👎 raises the gap once, however often they change their mind.
            let raised = earlier.first().map(|r| r.int(1)).transpose()?.unwrap_or(0) != 0;
            let raise = vote == Vote::Down && !raised;
            b.exec(
                "INSERT INTO votes (guild_id, ask_id, member_key, vote, raised, at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (ask_id, member_key)
                 DO UPDATE SET vote = excluded.vote, raised = excluded.raised, at = excluded.at",
                &[
                    gid(guild),
                    int(ask),
                    text(member),
                    text(vote.as_str()),
                    int(i64::from(raised || raise)),
                    int(now),
                ],
            )?;
            if raise {
                raise_gap(b, guild, &a.question, &signature(), None, now)?;
            }
            Ok(before)
        })
    }

    /// Adds what was missing to `member`'s 👎 on an ask (and to the gap it raised).
    pub fn vote_note(
        &self,
        guild: u64,
        ask: i64,
        member: &str,
        note: &str,
        sig: &Signature,
    ) -> Result<(), StoreError> {
        let note = clean_note(note);
        self.write(|b, now| {
            let a = guild_ask(b, guild, ask)?;
            let changed = b.exec(
                "UPDATE votes SET note = $1 WHERE ask_id = $2 AND member_key = $3 AND vote = 'down'",
                &[Param::Text(note.as_deref()), int(ask), text(member)],
            )?;
            if changed == 0 {
                return Err(refused("Vote 👎 on the answer first."));
            }
            if let Some(n) = note.as_deref() {
                // The 👎 counted the gap already: only the note is added here.
                match alike_gap(b, guild, sig)?.0 {
                    Some(mut g) => add_note(b, &mut g, n, now)?,
                    None => {
                        raise_gap(b, guild, &a.question, sig, Some(n), now)?;
                    }
                }
            }
            Ok(())
        })
    }

    /// Open gaps of `guild`, most asked first (then oldest), and how many there are.
    pub fn open_gaps(
        &self,
        guild: u64,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<Gap>, i64), StoreError> {
        self.read(|b| {
            let total = open_gap_count(b, guild)?;
            let rows = b.query(
                &format!(
                    "SELECT {GAP_COLUMNS} FROM gaps WHERE guild_id = $1 AND state = 'open'
                     ORDER BY asked DESC, id LIMIT $2 OFFSET $3"
                ),
                &[gid(guild), int(limit), int(offset)],
            )?;
            Ok((rows.iter().map(gap_row).collect::<Result<_, _>>()?, total))
        })
    }

    /// One gap of `guild`, in any state.
    pub fn gap(&self, guild: u64, gap: i64) -> Result<Option<Gap>, StoreError> {
        self.read(|b| {
            b.query(
                &format!("SELECT {GAP_COLUMNS} FROM gaps WHERE id = $1 AND guild_id = $2"),
                &[int(gap), gid(guild)],
            )?
            .first()
            .map(gap_row)
            .transpose()
        })
    }

    /// Closes an open gap of `guild` without an entry.
    pub fn dismiss_gap(&self, guild: u64, actor: &Actor, gap: i64) -> Result<Gap, StoreError> {
        self.write(|b, now| {
            close_gap(b, guild, gap, GapState::Dismissed, None, actor, now)?;
            fetch_gap(b, guild, gap)
        })
    }

    /// Adds `draft` as a new entry answering an open gap of `guild`, and closes the gap, in
    /// one transaction; the entry's revision names the gap.
    pub fn answer_gap(
        &self,
        guild: u64,
        actor: &Actor,
        gap: i64,
        draft: &Draft,
    ) -> Result<CommunityEntry, StoreError> {
        let g = self
            .gap(guild, gap)?
            .ok_or_else(|| refused(format!("There is no gap #{gap} in this server.")))?;
        let note = format!(
            "answers gap #{gap}: {}",
            archie_text::truncate_words(&g.question, 200)
        );
        self.noted_write(guild, actor, Some(&note), |w| {
            let e = w.add(draft, None)?;
            let now = w.now;
            close_gap(w.b, guild, gap, GapState::Answered, Some(&e.id), actor, now)?;
            Ok(e)
        })
    }

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
        super::validate::check_shape(draft)?;
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

    /// The server's figures since `since` (unix seconds): questions, answers, votes per
    /// kind of answer, and what waits now (open gaps, pending proposals).
    pub fn stats(&self, guild: u64, since: i64) -> Result<Stats, StoreError> {
        self.read(|b| {
            let asked = b.count(
                "SELECT COUNT(*) FROM asks WHERE guild_id = $1 AND at >= $2",
                &[gid(guild), int(since)],
            )?;
            let answered = b.count(
                "SELECT COUNT(*) FROM asks WHERE guild_id = $1 AND at >= $2 AND answered = 1",
                &[gid(guild), int(since)],
            )?;
            let rows = b.query(
                "SELECT a.kind,
                        CAST(SUM(CASE WHEN v.vote = 'up' THEN 1 ELSE 0 END) AS BIGINT),
                        CAST(SUM(CASE WHEN v.vote = 'down' THEN 1 ELSE 0 END) AS BIGINT)
                 FROM votes v JOIN asks a ON a.id = v.ask_id
                 WHERE v.guild_id = $1 AND v.at >= $2 AND a.kind IS NOT NULL
                 GROUP BY a.kind ORDER BY a.kind",
                &[gid(guild), int(since)],
            )?;
            let votes = rows
                .iter()
                .map(|r| {
                    Ok(KindVotes {
                        kind: r.text(0)?,
                        up: r.int(1)?,
                        down: r.int(2)?,
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            let open_gaps = open_gap_count(b, guild)?;
            let pending_proposals = pending_count(b, guild)?;
            Ok(Stats {
                since,
                asked,
                answered,
                votes,
                open_gaps,
                pending_proposals,
            })
        })
    }

    /// The server's gaps, proposals and votes (without who voted), for an export.
    pub fn curation_export(&self, guild: u64) -> Result<CurationExport, StoreError> {
        self.read(|b| {
            let gaps = b
                .query(
                    &format!("SELECT {GAP_COLUMNS} FROM gaps WHERE guild_id = $1 ORDER BY id"),
                    &[gid(guild)],
                )?
                .iter()
                .map(gap_row)
                .collect::<Result<_, _>>()?;
            let proposals = b
                .query(
                    &format!(
                        "SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE guild_id = $1 ORDER BY id"
                    ),
                    &[gid(guild)],
                )?
                .iter()
                .map(proposal_row)
                .collect::<Result<_, _>>()?;
            let mut votes = Vec::new();
            for r in b.query(
                "SELECT a.question, a.shown, v.vote, v.note, v.at FROM votes v
                 JOIN asks a ON a.id = v.ask_id WHERE v.guild_id = $1 ORDER BY v.at, a.id",
                &[gid(guild)],
            )? {
                let vote = r.text(2)?;
                votes.push(ExportedVote {
                    question: r.text(0)?,
                    shown: from_json("ask's shown ids", &r.text(1)?)?,
                    vote: Vote::parse(&vote).ok_or_else(|| corrupt("vote", vote))?,
                    note: r.opt_text(3)?,
                    at: r.int(4)?,
                });
            }
            Ok(CurationExport {
                gaps,
                proposals,
                votes,
            })
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

fn fetch_gap(b: &mut dyn Backend, guild: u64, gap: i64) -> Result<Gap, StoreError> {
    b.query(
        &format!("SELECT {GAP_COLUMNS} FROM gaps WHERE id = $1 AND guild_id = $2"),
        &[int(gap), gid(guild)],
    )?
    .first()
    .map(gap_row)
    .transpose()?
    .ok_or_else(|| refused(format!("There is no gap #{gap} in this server.")))
}

fn close_gap(
    b: &mut dyn Backend,
    guild: u64,
    gap: i64,
    state: GapState,
    entry: Option<&str>,
    actor: &Actor,
    now: i64,
) -> Result<(), StoreError> {
    let g = fetch_gap(b, guild, gap)?;
    if g.state != GapState::Open {
        return Err(refused(format!(
            "Gap #{gap} is already {}.",
            g.state.as_str()
        )));
    }
    b.exec(
        "UPDATE gaps SET state = $1, entry_id = $2, closed_by = $3, closed_at = $4
         WHERE id = $5 AND guild_id = $6",
        &[
            text(state.as_str()),
            Param::Text(entry),
            gid(actor.id),
            int(now),
            int(gap),
            gid(guild),
        ],
    )?;
    Ok(())
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

/// A new ask id: milliseconds since 2024 above 22 random bits, so ids grow with time (the
/// latest ask of a question has the largest id) and processes never need to agree on one.
pub fn new_ask_id() -> i64 {
    const EPOCH_MS: u128 = 1_704_067_200_000;
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis().saturating_sub(EPOCH_MS)) as i64;
    (ms << 22) | i64::from(rand::random::<u32>() & 0x3f_ffff)
}
