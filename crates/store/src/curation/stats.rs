//! A server's curation figures over a period: questions, answers, votes per kind of
//! answer, and what waits (open gaps, pending proposals).

use super::gaps::open_gap_count;
use super::proposals::pending_count;
use crate::backend::{gid, int};
use crate::{Store, StoreError};
use serde::Serialize;

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
}
