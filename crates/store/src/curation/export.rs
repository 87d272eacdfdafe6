//! Everything of the curation loop a server holds (gaps, proposals, votes without who
//! voted), for `/kb export`.

use super::gaps::{gap_row, GAP_COLUMNS};
use super::proposals::{proposal_row, PROPOSAL_COLUMNS};
use super::{corrupt, from_json, Gap, Proposal, Vote};
use crate::backend::gid;
use crate::{Store, StoreError};
use serde::Serialize;

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

impl Store {
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
