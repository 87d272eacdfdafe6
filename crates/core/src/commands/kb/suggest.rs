//! Autocomplete for an entry id: what this server sees, its own entries first.

use crate::app::App;

/// Autocomplete for an entry id: `(label, id)` of entries this server sees whose title or
/// id contains what was typed; the server's own entries first. At most 25.
pub fn suggest_ids(app: &App, guild: Option<u64>, typed: &str) -> Vec<(String, String)> {
    let q = archie_text::normalize(typed);
    let vis = app.engine.visible(guild);
    let mut own: Vec<(String, String)> = Vec::new();
    let mut base: Vec<(String, String)> = Vec::new();
    for e in vis.iter() {
        let hay = archie_text::normalize(&format!("{} {}", e.title, e.id));
        if q.is_empty() || hay.contains(&q) {
            let label =
                archie_text::truncate_words(&format!("{} ({})", e.title, e.kind.as_str()), 100);
            if e.id.chars().count() > 100 {
                continue;
            }
            let slot = if archie_store::is_community_id(&e.id)
                || app.engine.knowledge().entry(&e.id).is_none_or(|b| b != e)
            {
                &mut own
            } else {
                &mut base
            };
            slot.push((label, e.id.clone()));
        }
        if own.len() >= 25 {
            break;
        }
    }
    own.extend(base);
    own.truncate(25);
    own
}
