//! An independent check of Discord's documented limits on an interaction response
//! (counted in characters, as Discord documents them), and of mention safety.

use serde_json::Value;
use std::collections::HashSet;

fn chars(v: &Value) -> usize {
    v.as_str().map_or(0, |s| s.chars().count())
}

fn check_len(what: &str, v: &Value, min: usize, max: usize) -> Result<(), String> {
    if v.is_null() && min == 0 {
        return Ok(());
    }
    let Some(s) = v.as_str() else {
        return Err(format!("{what} is not a string: {v}"));
    };
    let n = s.trim().chars().count();
    if n < min || s.chars().count() > max {
        return Err(format!(
            "{what} has {n} characters (allowed {min}..={max}): {s:?}"
        ));
    }
    Ok(())
}

/// Every limit Discord enforces on what Archie sends; `mention` is the only user the
/// response may ping.
pub fn check(resp: &Value, mention: Option<&str>) -> Result<(), String> {
    let kind = resp["type"].as_u64().ok_or("no type")?;
    let d = &resp["data"];
    match kind {
        1 => return Ok(()),
        8 => {
            let choices = d["choices"].as_array().ok_or("no choices")?;
            if choices.len() > 25 {
                return Err(format!("{} choices", choices.len()));
            }
            for c in choices {
                check_len("choice name", &c["name"], 1, 100)?;
                check_len("choice value", &c["value"], 1, 100)?;
            }
            return Ok(());
        }
        4 | 7 => {}
        5 => {
            // A deferral: only flags (ephemeral), never text.
            return match d["flags"].as_u64() {
                Some(64) => check_mentions(resp, None),
                f => Err(format!("deferral flags {f:?}")),
            };
        }
        9 => return check_modal(d),
        k => return Err(format!("unexpected response type {k}")),
    }
    check_len("content", &d["content"], 0, 2000)?;
    let embeds = d["embeds"].as_array().cloned().unwrap_or_default();
    if embeds.len() > 10 {
        return Err(format!("{} embeds", embeds.len()));
    }
    let mut total = 0;
    for e in &embeds {
        check_len("title", &e["title"], 0, 256)?;
        check_len("description", &e["description"], 0, 4096)?;
        check_len("footer", &e["footer"]["text"], 0, 2048)?;
        total += chars(&e["title"]) + chars(&e["description"]) + chars(&e["footer"]["text"]);
        let fields = e["fields"].as_array().cloned().unwrap_or_default();
        if fields.len() > 25 {
            return Err(format!("{} fields", fields.len()));
        }
        for f in &fields {
            check_len("field name", &f["name"], 1, 256)?;
            check_len("field value", &f["value"], 1, 1024)?;
            total += chars(&f["name"]) + chars(&f["value"]);
        }
    }
    if total > 6000 {
        return Err(format!("embeds total {total} characters"));
    }
    let rows = d["components"].as_array().cloned().unwrap_or_default();
    if rows.len() > 5 {
        return Err(format!("{} rows", rows.len()));
    }
    let mut ids = HashSet::new();
    for r in &rows {
        let buttons = r["components"].as_array().ok_or("row without components")?;
        if r["type"] != 1 || buttons.is_empty() || buttons.len() > 5 {
            return Err(format!("bad row: {r}"));
        }
        for b in buttons {
            check_len("custom_id", &b["custom_id"], 1, 100)?;
            check_len("label", &b["label"], 1, 80)?;
            if !ids.insert(b["custom_id"].as_str().unwrap_or_default().to_string()) {
                return Err(format!("duplicate custom_id {}", b["custom_id"]));
            }
        }
    }
    check_mentions(resp, mention)
}

/// `allowed_mentions` pings nobody, or exactly `mention`; no visible text holds a live
/// `@everyone`, `@here` or mention other than the intended one.
pub fn check_mentions(resp: &Value, mention: Option<&str>) -> Result<(), String> {
    let d = &resp["data"];
    let am = &d["allowed_mentions"];
    if am["parse"] != serde_json::json!([]) {
        return Err(format!("allowed_mentions.parse is not empty: {am}"));
    }
    let users: Vec<&str> = am["users"]
        .as_array()
        .map(|a| a.iter().filter_map(|u| u.as_str()).collect())
        .unwrap_or_default();
    let roles = am["roles"].as_array().map_or(0, |a| a.len());
    if roles != 0 {
        return Err(format!("allowed_mentions.roles is not empty: {am}"));
    }
    match mention {
        None if !users.is_empty() => return Err(format!("unexpected users: {am}")),
        Some(id) if users != [id] => return Err(format!("users is not [{id}]: {am}")),
        _ => {}
    }
    let mut text = super::visible_text(resp);
    if let Some(id) = mention {
        text = text.replacen(&format!("<@{id}>"), "", 1);
    }
    for bad in ["@everyone", "@here"] {
        if text.contains(bad) {
            return Err(format!("unescaped {bad} in {text:?}"));
        }
    }
    for (i, _) in text.match_indices("<@") {
        if !text[..i].ends_with('\\') {
            return Err(format!("unescaped mention at {i} in {text:?}"));
        }
    }
    Ok(())
}

/// A modal: title 1..=45, custom_id 1..=100, 1..=5 rows of exactly one text input each
/// (type 4, style 1 or 2, label 1..=45, max_length 1..=4000, value within max_length).
pub fn check_modal(d: &Value) -> Result<(), String> {
    check_len("modal title", &d["title"], 1, 45)?;
    check_len("modal custom_id", &d["custom_id"], 1, 100)?;
    let rows = d["components"]
        .as_array()
        .ok_or("modal without components")?;
    if rows.is_empty() || rows.len() > 5 {
        return Err(format!("{} modal rows", rows.len()));
    }
    let mut ids = HashSet::new();
    for r in rows {
        let inputs = r["components"].as_array().ok_or("row without components")?;
        if r["type"] != 1 || inputs.len() != 1 {
            return Err(format!("bad modal row: {r}"));
        }
        let t = &inputs[0];
        if t["type"] != 4 || !(t["style"] == 1 || t["style"] == 2) {
            return Err(format!("not a text input: {t}"));
        }
        check_len("input label", &t["label"], 1, 45)?;
        check_len("input custom_id", &t["custom_id"], 1, 100)?;
        let max = t["max_length"].as_u64().ok_or("input without max_length")? as usize;
        if !(1..=4000).contains(&max) {
            return Err(format!("max_length {max}"));
        }
        if !t["value"].is_null() {
            check_len("input value", &t["value"], 0, max)?;
        }
        if !ids.insert(t["custom_id"].as_str().unwrap_or_default().to_string()) {
            return Err(format!("duplicate input {}", t["custom_id"]));
        }
    }
    Ok(())
}
