//! Which of Discord's gateway shards this process runs: `archie serve --shards FIRST-LAST
//! --shard-count N` runs shards FIRST..=LAST of N, so several processes can share one bot
//! (Discord sends a server's events to shard `(guild_id >> 22) % N`). Without the flags
//! the process runs the whole bot, as one shard. The flags are read here into a checked
//! [`ShardRange`]; the messages name the flag and say the fix.

use std::fmt;

/// `--shards FIRST-LAST` as written (one number N means N-N); FIRST <= LAST is checked
/// when parsing, LAST < `--shard-count` by [`plan`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub first: u32,
    pub last: u32,
}

/// The shards this process runs: FIRST..=LAST of COUNT, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardRange {
    first: u32,
    last: u32,
    count: u32,
}

impl ShardRange {
    pub fn first(&self) -> u32 {
        self.first
    }

    pub fn last(&self) -> u32 {
        self.last
    }

    pub fn count(&self) -> u32 {
        self.count
    }
}

impl fmt::Display for ShardRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{} of {}", self.first, self.last, self.count)
    }
}

/// The value parser of `--shards`.
pub fn parse_span(s: &str) -> Result<Span, String> {
    let number = |part: &str| part.trim().parse::<u32>().ok();
    let (first, last) = match s.split_once('-') {
        Some((a, b)) => (number(a), number(b)),
        None => (number(s), number(s)),
    };
    let (Some(first), Some(last)) = (first, last) else {
        return Err(
            "expected FIRST-LAST, two shard numbers such as 0-3 (or one, such as 2)".into(),
        );
    };
    if first > last {
        return Err(format!(
            "the first shard {first} comes after the last {last}: write {last}-{first}"
        ));
    }
    Ok(Span { first, last })
}

/// The value parser of `--shard-count`.
pub fn parse_count(s: &str) -> Result<u32, String> {
    match s.trim().parse::<u32>() {
        Ok(0) => Err("a bot has at least one shard: use 1 or more".into()),
        Ok(n) => Ok(n),
        Err(_) => Err("expected the bot's number of shards, such as 2".into()),
    }
}

/// The shards to run from `--shards`, `--shard-count` and whether `--http` was given:
/// `None` (the whole bot, one shard) without the flags; `--shard-count N` alone means all
/// N shards. `Err` is the message for the command line.
pub fn plan(
    span: Option<Span>,
    count: Option<u32>,
    http: bool,
) -> Result<Option<ShardRange>, String> {
    if http && (span.is_some() || count.is_some()) {
        return Err(
            "--shards and --shard-count are for the gateway; the HTTP interactions \
                    endpoint (--http) has no shards: drop them, or drop --http"
                .into(),
        );
    }
    match (span, count) {
        (None, None) => Ok(None),
        (Some(s), None) => Err(format!(
            "--shards {}-{} needs --shard-count N, the bot's total number of shards (the \
             same in every process), e.g. --shard-count {}",
            s.first,
            s.last,
            s.last.saturating_add(1)
        )),
        (span, Some(count)) => {
            let span = span.unwrap_or(Span {
                first: 0,
                last: count.saturating_sub(1),
            });
            if span.last >= count {
                return Err(format!(
                    "--shards {}-{} names shard {}, but --shard-count {count} numbers the \
                     shards 0 to {}: lower the range or raise --shard-count",
                    span.first,
                    span.last,
                    span.last,
                    count - 1
                ));
            }
            Ok(Some(ShardRange {
                first: span.first,
                last: span.last,
                count,
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_a_single_shard_and_their_mistakes_parse_as_expected() {
        assert_eq!(parse_span("0-3"), Ok(Span { first: 0, last: 3 }));
        assert_eq!(parse_span("2"), Ok(Span { first: 2, last: 2 }));
        assert!(parse_span("3-1").unwrap_err().contains("write 1-3"));
        for bad in ["x", "", "-1", "1-", "1-2-3", "a-b"] {
            assert!(parse_span(bad).unwrap_err().contains("FIRST-LAST"), "{bad}");
        }
        assert_eq!(parse_count("2"), Ok(2));
        assert!(parse_count("0").unwrap_err().contains("at least one"));
        assert!(parse_count("two").is_err());
    }

    #[test]
    fn the_plan_checks_the_range_against_the_count_and_the_transport() {
        let span = |first, last| Some(Span { first, last });
        assert_eq!(plan(None, None, false), Ok(None));
        assert_eq!(plan(None, None, true), Ok(None));
        let r = plan(span(1, 1), Some(2), false).unwrap().unwrap();
        assert_eq!((r.first(), r.last(), r.count()), (1, 1, 2));
        assert_eq!(r.to_string(), "1-1 of 2");
        let all = plan(None, Some(3), false).unwrap().unwrap();
        assert_eq!((all.first(), all.last(), all.count()), (0, 2, 3));
        let err = plan(span(0, 2), Some(2), false).unwrap_err();
        assert!(err.contains("shards 0 to 1"), "{err}");
        assert!(plan(span(0, 1), None, false)
            .unwrap_err()
            .contains("needs --shard-count"));
        assert!(plan(span(0, 0), Some(1), true)
            .unwrap_err()
            .contains("drop --http"));
        assert!(plan(None, Some(1), true).unwrap_err().contains("--http"));
    }
}
