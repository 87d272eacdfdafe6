//! Quizzes and the answers members give, per server, as durable as entries: a quiz's
//! buttons work after a restart, a member answers each quiz once, and scores are counted
//! from the answers.

use super::backend::{from_sql_id, gid, int, Param};
use super::{Actor, Store, StoreError};
use archie_knowledge::quiz::QuizQuestion;

/// What one answer did.
#[derive(Debug, Clone, PartialEq)]
pub struct QuizOutcome {
    pub question: QuizQuestion,
    /// The choice the member made (their first, when they had answered before).
    pub choice: usize,
    /// False when the member had answered already (nothing was recorded).
    pub first: bool,
    pub right: i64,
    pub answered: i64,
}

/// A member's place on a server's leaderboard.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Score {
    /// A string: Discord ids exceed what JSON numbers hold exactly in many parsers.
    pub member_id: String,
    pub name: String,
    pub right: i64,
    pub answered: i64,
}

fn decode(json: &str) -> Result<QuizQuestion, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("quiz: {e}")))
}

impl Store {
    /// Keeps a quiz asked in `guild` (0 outside a server); its id.
    pub fn new_quiz(&self, guild: u64, q: &QuizQuestion) -> Result<i64, StoreError> {
        let json = serde_json::to_string(q).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.write(|b, now| {
            b.query(
                "INSERT INTO quizzes (guild_id, question, created_at) VALUES ($1, $2, $3)
                 RETURNING id",
                &[gid(guild), Param::Text(Some(&json)), int(now)],
            )?
            .first()
            .ok_or_else(|| StoreError::Corrupt("no id for a new quiz".into()))?
            .int(0)
        })
    }

    /// A quiz of `guild`, with its answer.
    pub fn quiz(&self, guild: u64, quiz: i64) -> Result<Option<QuizQuestion>, StoreError> {
        self.read(|b| {
            b.query(
                "SELECT question FROM quizzes WHERE id = $1 AND guild_id = $2",
                &[int(quiz), gid(guild)],
            )?
            .first()
            .map(|r| decode(&r.text(0)?))
            .transpose()
        })
    }

    /// Records `member`'s answer to a quiz of `guild`, once: a second answer changes
    /// nothing and reports the first.
    pub fn answer_quiz(
        &self,
        guild: u64,
        quiz: i64,
        member: &Actor,
        choice: usize,
    ) -> Result<QuizOutcome, StoreError> {
        self.write(|b, now| {
            let q = b
                .query(
                    "SELECT question FROM quizzes WHERE id = $1 AND guild_id = $2",
                    &[int(quiz), gid(guild)],
                )?
                .first()
                .map(|r| r.text(0))
                .transpose()?
                .ok_or_else(|| StoreError::Refused("That quiz is not from here.".into()))?;
            let question = decode(&q)?;
            if choice >= question.choices.len() {
                return Err(StoreError::Refused(
                    "That choice is not in the quiz.".into(),
                ));
            }
            let earlier = b
                .query(
                    "SELECT choice FROM quiz_answers WHERE quiz_id = $1 AND member_id = $2",
                    &[int(quiz), gid(member.id)],
                )?
                .first()
                .map(|r| r.int(0))
                .transpose()?;
            if earlier.is_none() {
                b.exec(
                    "INSERT INTO quiz_answers
                        (quiz_id, guild_id, member_id, member_name, choice, correct, at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    &[
                        int(quiz),
                        gid(guild),
                        gid(member.id),
                        Param::Text(Some(&member.name)),
                        int(choice as i64),
                        int(i64::from(choice == question.answer)),
                        int(now),
                    ],
                )?;
            }
            let counts = b.query(
                "SELECT COUNT(*), CAST(COALESCE(SUM(correct), 0) AS BIGINT) FROM quiz_answers
                 WHERE quiz_id = $1",
                &[int(quiz)],
            )?;
            let (answered, right) = match counts.first() {
                Some(r) => (r.int(0)?, r.int(1)?),
                None => (0, 0),
            };
            Ok(QuizOutcome {
                question,
                choice: earlier.map_or(choice, |c| c as usize),
                first: earlier.is_none(),
                right,
                answered,
            })
        })
    }

    /// The members of `guild` with the most right answers (then the fewest answered).
    pub fn leaderboard(&self, guild: u64, limit: i64) -> Result<Vec<Score>, StoreError> {
        self.read(|b| {
            let rows = b.query(
                "SELECT member_id, MAX(member_name), CAST(SUM(correct) AS BIGINT),
                        COUNT(*)
                 FROM quiz_answers WHERE guild_id = $1 GROUP BY member_id
                 HAVING SUM(correct) > 0",
                &[gid(guild)],
            )?;
            let mut scores = rows
                .iter()
                .map(|r| {
                    Ok(Score {
                        member_id: from_sql_id(r.int(0)?).to_string(),
                        name: r.text(1)?,
                        right: r.int(2)?,
                        answered: r.int(3)?,
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            // Names compare bytewise, whatever the database's collation.
            scores.sort_by(|a, b| {
                b.right
                    .cmp(&a.right)
                    .then(a.answered.cmp(&b.answered))
                    .then(a.name.cmp(&b.name))
            });
            scores.truncate(usize::try_from(limit).unwrap_or(0));
            Ok(scores)
        })
    }
}
