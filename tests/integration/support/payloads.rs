//! Discord's documented interaction payloads, as the tests send them: pings, slash
//! commands and their options, autocomplete, buttons, modals, and `/kb`'s forms and files,
//! from a member, a moderator or a direct message.

use serde_json::{json, Value};

pub const APP_ID: &str = "111111111111111111";
pub const ASKER: &str = "222222222222222222";
pub const GUILD: &str = "333333333333333333";
pub const CHANNEL: &str = "444444444444444444";

fn user(id: &str) -> Value {
    json!({"id": id, "username": "asker", "discriminator": "0", "global_name": "Asker", "avatar": null})
}

/// The fields every interaction carries (Discord's documented shape, guild context).
fn base(kind: u8, id: u64, data: Value) -> Value {
    json!({
        "id": id.to_string(),
        "application_id": APP_ID,
        "type": kind,
        "data": data,
        "guild_id": GUILD,
        "channel_id": CHANNEL,
        "channel": {"id": CHANNEL, "type": 0},
        "member": {
            "user": user(ASKER), "roles": [], "joined_at": "2024-01-01T00:00:00.000000+00:00",
            "deaf": false, "mute": false, "flags": 0, "permissions": "0"
        },
        "token": format!("tok{id}"),
        "version": 1,
        "locale": "en-US",
        "guild_locale": "en-US",
        "app_permissions": "0",
        "entitlements": [],
        "authorizing_integration_owners": {"0": GUILD},
        "context": 0,
        "attachment_size_limit": 8388608
    })
}

pub fn ping() -> Value {
    json!({"id": "1", "application_id": APP_ID, "type": 1, "token": "tok1", "version": 1})
}

/// A slash command (type 2, CHAT_INPUT) with its options as `[{name, type, value}]`.
pub fn command(id: u64, name: &str, options: Value) -> Value {
    base(
        2,
        id,
        json!({"id": "555555555555555555", "name": name, "type": 1, "options": options}),
    )
}

/// The author of the messages "Find an answer" is used on.
pub const AUTHOR: &str = "666666666666666666";

/// Apps → Find an answer (type 2, data type 3, MESSAGE) on a message by [`AUTHOR`]
/// holding `content`, resolved as Discord sends it.
pub fn find_answer(id: u64, content: &str) -> Value {
    let message = "777777777777777770";
    base(
        2,
        id,
        json!({
            "id": "555555555555555556", "name": "Find an answer", "type": 3,
            "target_id": message,
            "resolved": {"messages": {message: {
                "id": message, "channel_id": CHANNEL, "guild_id": GUILD,
                "author": {"id": AUTHOR, "username": "author", "discriminator": "0",
                           "global_name": "Ada", "avatar": null},
                "content": content, "timestamp": "2026-11-20T10:00:00.000000+00:00",
                "edited_timestamp": null, "tts": false, "mention_everyone": false,
                "mentions": [], "mention_roles": [], "attachments": [], "embeds": [],
                "pinned": false, "type": 0, "flags": 0, "components": []
            }}}
        }),
    )
}

/// The custom ids of a quiz message's choice buttons, in order.
pub fn quiz_buttons(r: &Value) -> Vec<String> {
    r["data"]["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|b| b["custom_id"].as_str().map(str::to_string))
        .filter(|id| id.starts_with("quiz:"))
        .collect()
}

/// The quiz id a choice button answers.
pub fn quiz_id(button: &str) -> i64 {
    button
        .strip_prefix("quiz:")
        .and_then(|r| r.split('.').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("not a quiz button: {button}"))
}

pub fn string_opt(name: &str, value: &str) -> Value {
    json!({"name": name, "type": 3, "value": value})
}

pub fn bool_opt(name: &str, value: bool) -> Value {
    json!({"name": name, "type": 5, "value": value})
}

pub fn user_opt(name: &str, id: &str) -> Value {
    json!({"name": name, "type": 6, "value": id})
}

/// Autocomplete (type 4): the focused option holds what was typed so far.
pub fn autocomplete(id: u64, name: &str, option: &str, typed: &str) -> Value {
    base(
        4,
        id,
        json!({"id": "555555555555555555", "name": name, "type": 1,
               "options": [{"name": option, "type": 3, "value": typed, "focused": true}]}),
    )
}

/// A button click (type 3) on a message whose embeds are `embeds`.
pub fn button(id: u64, custom_id: &str, embeds: Value) -> Value {
    let mut v = base(3, id, json!({"custom_id": custom_id, "component_type": 2}));
    v["message"] = json!({
        "id": "666666666666666666", "channel_id": CHANNEL, "author": user(APP_ID),
        "content": "", "timestamp": "2024-01-01T00:00:00.000000+00:00",
        "edited_timestamp": null, "tts": false, "mention_everyone": false, "mentions": [],
        "mention_roles": [], "attachments": [], "embeds": embeds, "pinned": false, "type": 0,
        "flags": 0, "components": []
    });
    v
}

/// `/ask question:q` sent by `who`.
pub fn ask_as(id: u64, q: &str, who: &Who) -> Value {
    by(command(id, "ask", json!([string_opt("question", q)])), who)
}

/// An answer with embeds (not a refusal or a slow-down sentence).
pub fn answered(resp: &Value) -> bool {
    resp["type"] == 4
        && resp["data"]["embeds"]
            .as_array()
            .is_some_and(|e| !e.is_empty())
}

/// A response's plain `content`.
pub fn content(resp: &Value) -> String {
    resp["data"]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The apology for a panic caught while answering: private, pinging nobody.
pub fn assert_apology(resp: &Value) {
    assert_eq!(resp["type"], 4);
    assert_eq!(resp["data"]["flags"], 64);
    assert_eq!(resp["data"]["allowed_mentions"], json!({"parse": []}));
    assert!(
        content(resp).starts_with("Sorry, something went wrong"),
        "{resp:#}"
    );
}

/// All text a user sees in a response: content, and every embed's texts.
pub fn visible_text(resp: &Value) -> String {
    let d = &resp["data"];
    let mut out = String::new();
    out.push_str(d["content"].as_str().unwrap_or_default());
    for e in d["embeds"].as_array().into_iter().flatten() {
        for k in ["title", "description"] {
            out.push('\n');
            out.push_str(e[k].as_str().unwrap_or_default());
        }
        for f in e["fields"].as_array().into_iter().flatten() {
            out.push('\n');
            out.push_str(f["name"].as_str().unwrap_or_default());
            out.push('\n');
            out.push_str(f["value"].as_str().unwrap_or_default());
        }
        out.push('\n');
        out.push_str(e["footer"]["text"].as_str().unwrap_or_default());
    }
    out
}

// ---- /kb: moderators, servers, forms and files -------------------------------------

pub const MODERATOR: &str = "888888888888888881";
pub const MEMBER: &str = "888888888888888882";
pub const ROLE_MOD: &str = "999999999999999991";
pub const GUILD_B: &str = "333333333333333334";

/// Who sends an interaction: a member of a server (permissions as Discord computed
/// them, roles) or a user in a DM (`guild: None`).
#[derive(Debug, Clone)]
pub struct Who {
    pub guild: Option<String>,
    pub user: String,
    pub name: String,
    pub permissions: String,
    pub roles: Vec<String>,
}

impl Who {
    /// A member with Manage Server in `guild`.
    pub fn moderator(guild: &str) -> Who {
        Who {
            guild: Some(guild.into()),
            user: MODERATOR.into(),
            name: "Moira".into(),
            permissions: "32".into(),
            roles: Vec::new(),
        }
    }

    /// A member without rights in `guild`.
    pub fn member(guild: &str) -> Who {
        Who {
            guild: Some(guild.into()),
            user: MEMBER.into(),
            name: "Mel".into(),
            permissions: "0".into(),
            roles: Vec::new(),
        }
    }

    /// A member without permissions whose role is `role`.
    pub fn with_role(guild: &str, role: &str) -> Who {
        Who {
            roles: vec![role.into()],
            name: "Rolf".into(),
            user: "888888888888888883".into(),
            ..Who::member(guild)
        }
    }

    /// A member without rights in `guild`, with their own id and name.
    pub fn named(guild: &str, user: &str, name: &str) -> Who {
        Who {
            user: user.into(),
            name: name.into(),
            ..Who::member(guild)
        }
    }

    /// A user in a direct message: no guild, `user` instead of `member`.
    pub fn dm() -> Who {
        Who {
            guild: None,
            ..Who::moderator(GUILD)
        }
    }
}

/// `payload` as sent by `who`.
pub fn by(mut v: Value, who: &Who) -> Value {
    let user = json!({"id": who.user, "username": who.name.to_lowercase(),
                      "discriminator": "0", "global_name": who.name, "avatar": null});
    let obj = v.as_object_mut().expect("an interaction object");
    match &who.guild {
        Some(g) => {
            obj.insert("guild_id".into(), json!(g));
            obj.insert(
                "member".into(),
                json!({
                    "user": user, "roles": who.roles,
                    "joined_at": "2024-01-01T00:00:00.000000+00:00",
                    "deaf": false, "mute": false, "flags": 0, "permissions": who.permissions
                }),
            );
            obj.remove("user");
            obj.insert("context".into(), json!(0));
        }
        None => {
            obj.remove("guild_id");
            obj.remove("member");
            obj.insert("user".into(), user);
            obj.insert("context".into(), json!(1));
            obj.insert("channel".into(), json!({"id": CHANNEL, "type": 1}));
        }
    }
    v
}

/// `/kb <sub>` with the subcommand's options.
pub fn kb(id: u64, sub: &str, options: Value) -> Value {
    command(
        id,
        "kb",
        json!([{"name": sub, "type": 1, "options": options}]),
    )
}

pub fn int_opt(name: &str, value: i64) -> Value {
    json!({"name": name, "type": 4, "value": value})
}

/// Autocomplete on `/kb <sub>`'s `option`.
pub fn kb_autocomplete(id: u64, sub: &str, option: &str, typed: &str) -> Value {
    base(
        4,
        id,
        json!({"id": "555555555555555555", "name": "kb", "type": 1,
               "options": [{"name": sub, "type": 1, "options": [
                   {"name": option, "type": 3, "value": typed, "focused": true}]}]}),
    )
}

/// `/kb import file:` with the attachment Discord resolved (its `url` is fetched).
pub fn kb_import(id: u64, url: &str, size: usize) -> Value {
    let mut v = kb(
        id,
        "import",
        json!([{"name": "file", "type": 11, "value": "1234"}]),
    );
    v["data"]["resolved"] = json!({"attachments": {"1234": {
        "id": "1234", "filename": "kb.json", "size": size, "url": url, "proxy_url": url,
        "content_type": "application/json"
    }}});
    v
}

/// A modal submission (type 5): `fields` as `(custom_id, value)`, one per row.
pub fn modal_submit(id: u64, custom_id: &str, fields: &[(&str, &str)]) -> Value {
    let rows: Vec<Value> = fields
        .iter()
        .map(|(k, v)| json!({"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]}))
        .collect();
    base(5, id, json!({"custom_id": custom_id, "components": rows}))
}

/// The five fields of a `/kb` form.
pub fn entry_fields<'a>(
    title: &'a str,
    text: &'a str,
    company: &'a str,
    technologies: &'a str,
    sources: &'a str,
) -> [(&'static str, &'a str); 5] {
    [
        ("title", title),
        ("text", text),
        ("company", company),
        ("technologies", technologies),
        ("sources", sources),
    ]
}

/// The `/kb add` form for note number `n`, saved by `who` (a distinct title and source per
/// `n`): the change the fair-use tests repeat until the cooldown refuses it.
pub fn note_submission(id: u64, n: u64, who: &Who) -> Value {
    let title = format!("Lesson number {n} from the outage review");
    let source = format!("https://example.com/lessons/{n}");
    by(
        modal_submit(
            id,
            "kbform:add:note",
            &entry_fields(
                &title,
                "Write the postmortem within a week.",
                "",
                "",
                &source,
            ),
        ),
        who,
    )
}

/// Whether a `/kb` answer says an entry was added.
pub fn added(resp: &Value) -> bool {
    resp["data"]["embeds"][0]["title"]
        .as_str()
        .is_some_and(|t| t.starts_with("Added kb-"))
}

/// How many revisions the test server (`GUILD`) has in `app`'s store.
pub fn revisions_in_guild(app: &archie::app::App) -> u64 {
    app.store
        .as_ref()
        .expect("an app with a store")
        .revision_count(GUILD.parse().unwrap(), None)
        .unwrap()
}
