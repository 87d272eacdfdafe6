//! What the loop reports: a server's stats over a period, and its curation records as JSON.

use super::gaps::{gap_row, open_gap_count, GAP_COLUMNS};
use super::proposals::{pending_count, proposal_row, PROPOSAL_COLUMNS};
use super::*;

impl Store {
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
