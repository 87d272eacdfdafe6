//! The fair-use limits an operator sets (`ARCHIE_*_COOLDOWN`, `ARCHIE_REPEAT_WINDOW`);
//! the transport applies them.

/// `count` uses per `per_secs` seconds, per member and server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub count: u32,
    pub per_secs: u64,
}

/// The limits; `None` (or a zero window) turns that one off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// `/ask` (`ARCHIE_ASK_COOLDOWN`).
    pub ask: Option<Rate>,
    /// `/stack`, `/uses`, `/whatis`, `/compare`, `/read` together (`ARCHIE_LOOKUP_COOLDOWN`).
    pub lookup: Option<Rate>,
    /// `/kb` changes (`ARCHIE_KB_COOLDOWN`).
    pub kb: Option<Rate>,
    /// How long an answered question is remembered per channel (`ARCHIE_REPEAT_WINDOW`).
    pub repeat_secs: u64,
}

impl Limits {
    /// What a busy server accepts: 5 `/ask` per 30 s, 10 lookups per 30 s, 10 `/kb`
    /// changes per minute, repeats within 5 minutes linked.
    pub const DEFAULT: Limits = Limits {
        ask: Some(Rate {
            count: 5,
            per_secs: 30,
        }),
        lookup: Some(Rate {
            count: 10,
            per_secs: 30,
        }),
        kb: Some(Rate {
            count: 10,
            per_secs: 60,
        }),
        repeat_secs: 300,
    };
    /// No cooldowns and no repeat suppression.
    pub const OFF: Limits = Limits {
        ask: None,
        lookup: None,
        kb: None,
        repeat_secs: 0,
    };
}
