//! Who is asking and where, read from the interaction itself (both transports): the
//! server (`guild_id`, none in a DM), the member as an audit-trail actor, and whether
//! they may change the server's knowledge — Manage Server or Administrator in the
//! permissions Discord computed for them, or a role listed in `ARCHIE_MODERATOR_ROLES`.
//! Every interaction is judged on its own: a button or a modal carries no rights.

use super::fair_use::FairUse;
use super::Executor;
use crate::stash::Stash;
use archie_core::commands::Caller;
use archie_store::Actor;
use serenity::all::{GuildId, Interaction, Member, Permissions, User};
use std::sync::Arc;

/// What the transports know beyond the interaction: the moderator roles, the fair-use
/// limits and their state (shared by every clone), and what runs a parsed interaction.
#[derive(Clone)]
pub struct Options {
    /// Role ids whose members may change their server's knowledge.
    pub moderator_roles: Vec<u64>,
    /// Cooldowns and repeat suppression; off by default, on from the environment.
    pub fair_use: Arc<FairUse>,
    /// [`super::answer_incoming`] unless a test replaces it.
    pub executor: Executor,
    /// Button arguments too long for their ids: the transport's per-process state,
    /// shared by every clone of these options.
    pub stash: Arc<Stash>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            moderator_roles: Vec::new(),
            fair_use: Arc::new(FairUse::off()),
            executor: super::answer_incoming,
            stash: Arc::default(),
        }
    }
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("moderator_roles", &self.moderator_roles)
            .field("fair_use", &self.fair_use)
            .finish_non_exhaustive()
    }
}

impl Options {
    /// The options the options give (`ARCHIE_MODERATOR_ROLES`, the cooldowns and the
    /// repeat window), on the system clock.
    pub fn from_settings(s: &archie_core::config::Settings) -> Options {
        Options {
            moderator_roles: s.moderator_roles.clone(),
            fair_use: Arc::new(FairUse::new(s.fair_use, super::fair_use::system_clock())),
            ..Options::default()
        }
    }
}

/// Who sends an interaction and where: the server, the member, their rights.
pub fn caller(i: &Interaction, options: &Options) -> Caller {
    let (guild, member, user): (Option<GuildId>, Option<&Member>, Option<&User>) = match i {
        Interaction::Command(c) | Interaction::Autocomplete(c) => {
            (c.guild_id, c.member.as_deref(), Some(&c.user))
        }
        Interaction::Component(c) => (c.guild_id, c.member.as_ref(), Some(&c.user)),
        Interaction::Modal(m) => (m.guild_id, m.member.as_ref(), Some(&m.user)),
        _ => (None, None, None),
    };
    let guild = guild.map(GuildId::get);
    let user = member.map(|m| &m.user).or(user).filter(|u| u.id.get() > 1);
    Caller {
        guild,
        actor: user.map(|u| Actor::new(u.id.get(), display_name(u))),
        // Rights exist only in a server, and only as Discord reports them for this member.
        moderator: guild.is_some() && member.is_some_and(|m| is_moderator(m, options)),
        // A submitted form is typed too (a follow-up question is a new question).
        typed: matches!(i, Interaction::Command(_) | Interaction::Modal(_)),
    }
}

pub(crate) fn display_name(u: &User) -> String {
    u.global_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(&u.name)
        .to_string()
}

/// Manage Server or Administrator, or one of the moderator roles.
pub fn is_moderator(m: &Member, options: &Options) -> bool {
    let by_permission = m
        .permissions
        .is_some_and(|p| p.intersects(Permissions::MANAGE_GUILD | Permissions::ADMINISTRATOR));
    let by_role = m
        .roles
        .iter()
        .any(|r| options.moderator_roles.contains(&r.get()));
    by_permission || by_role
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn interaction(member: serde_json::Value, guild: bool) -> Interaction {
        let mut v = json!({
            "id": "1", "application_id": "2", "type": 2, "token": "t", "version": 1,
            "channel_id": "3", "locale": "en-US", "entitlements": [],
            "attachment_size_limit": 1,
            "data": {"id": "4", "name": "kb", "type": 1, "options": []},
        });
        if guild {
            v["guild_id"] = json!("5");
            v["member"] = member;
        } else {
            v["user"] = json!({"id": "6", "username": "dm-user", "discriminator": "0"});
        }
        serde_json::from_value(v).unwrap_or_else(|e| panic!("interaction: {e}"))
    }

    fn member(permissions: &str, roles: &[&str]) -> serde_json::Value {
        json!({
            "user": {"id": "6", "username": "mod", "global_name": "Mod", "discriminator": "0"},
            "roles": roles, "joined_at": "2024-01-01T00:00:00.000000+00:00",
            "deaf": false, "mute": false, "flags": 0, "permissions": permissions
        })
    }

    #[test]
    fn manage_server_or_administrator_makes_a_moderator() {
        let s = Options::default();
        for (p, expected) in [
            ("32", true),
            ("8", true),
            ("40", true),
            ("0", false),
            ("16", false),
        ] {
            let c = caller(&interaction(member(p, &[]), true), &s);
            assert_eq!(c.moderator, expected, "permissions {p}");
            assert_eq!(c.guild, Some(5));
            assert_eq!(c.actor, Some(Actor::new(6, "Mod")));
        }
    }

    #[test]
    fn a_listed_role_makes_a_moderator_and_an_unlisted_one_does_not() {
        let s = Options {
            moderator_roles: vec![77],
            ..Options::default()
        };
        assert!(caller(&interaction(member("0", &["77"]), true), &s).moderator);
        assert!(!caller(&interaction(member("0", &["78"]), true), &s).moderator);
    }

    #[test]
    fn a_direct_message_has_no_server_and_no_rights() {
        let c = caller(&interaction(json!(null), false), &Options::default());
        assert_eq!(c.guild, None);
        assert!(!c.moderator);
        assert_eq!(c.actor, Some(Actor::new(6, "dm-user")));
    }
}
