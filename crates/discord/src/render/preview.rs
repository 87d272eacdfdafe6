//! A preview for people: any interaction response Archie sends (its JSON) as an HTML card
//! in the manner of Discord's dark theme — content, embeds with their colour bar, author
//! line, linked title, description, fields and footer, and buttons — with the markdown
//! subset Archie writes (bold, italics, links, escapes) and mentions and timestamps shown
//! as text. Everything from the response is HTML-escaped: a preview never runs what it
//! shows. `archie preview RESPONSE.json` prints it; a headless browser turns it into a
//! picture.

use serde_json::Value;

const PAGE_CSS: &str = "body{margin:0;padding:16px;background:#313338;color:#dbdee1;\
font:15px/1.375 'gg sans','Noto Sans','Helvetica Neue',Helvetica,Arial,sans-serif}\
.msg{max-width:520px}.content{margin-bottom:4px}.embed{display:flex;background:#2b2d31;\
border-radius:4px;overflow:hidden;margin-top:4px}.bar{width:4px;flex:none}\
.inner{padding:8px 16px 16px 12px;min-width:0}.author{font-size:14px;font-weight:600;\
margin-top:8px;color:#f2f3f5}.title{font-weight:600;margin-top:8px;color:#00a8fc}\
.title.plain{color:#f2f3f5}.desc{margin-top:8px;white-space:pre-wrap;font-size:14px}\
.field{margin-top:8px;font-size:14px}.fname{font-weight:600;color:#f2f3f5}\
.fvalue{white-space:pre-wrap}.footer{margin-top:8px;font-size:12px;color:#b5bac1}\
a{color:#00a8fc;text-decoration:none}.row{margin-top:8px;display:flex;gap:8px}\
.button{padding:2px 16px;border-radius:3px;font-size:14px;font-weight:500;color:#fff;\
line-height:32px}.s1{background:#5865f2}.s2{background:#4e5058}.s3{background:#248046}.s4{background:#da373c}\
.disabled{opacity:.5}.ephemeral{font-size:12px;color:#949ba4;margin-top:4px}\
.modal{background:#313338;border:1px solid #1e1f22;border-radius:8px;padding:16px}\
.label{font-size:12px;font-weight:700;text-transform:uppercase;color:#b5bac1;margin-top:12px}\
.input{background:#1e1f22;border-radius:3px;padding:8px;white-space:pre-wrap;min-height:20px}";

/// The HTML page for one interaction response.
pub fn html(response: &Value) -> String {
    let data = &response["data"];
    let mut body = String::new();
    if response["type"] == 9 {
        body.push_str(&modal(data));
    } else {
        body.push_str("<div class=\"msg\">");
        if let Some(c) = data["content"].as_str() {
            body.push_str(&format!("<div class=\"content\">{}</div>", markdown(c)));
        }
        for e in data["embeds"].as_array().into_iter().flatten() {
            body.push_str(&embed(e));
        }
        for row in data["components"].as_array().into_iter().flatten() {
            body.push_str("<div class=\"row\">");
            for b in row["components"].as_array().into_iter().flatten() {
                let style = b["style"].as_u64().unwrap_or(2);
                let disabled = if b["disabled"] == true {
                    " disabled"
                } else {
                    ""
                };
                body.push_str(&format!(
                    "<span class=\"button s{style}{disabled}\">{}</span>",
                    escape(b["label"].as_str().unwrap_or_default())
                ));
            }
            body.push_str("</div>");
        }
        if data["flags"].as_u64().is_some_and(|f| f & 64 != 0) {
            body.push_str("<div class=\"ephemeral\">Only you can see this</div>");
        }
        body.push_str("</div>");
    }
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><style>{PAGE_CSS}</style></head>\
         <body>{body}</body></html>"
    )
}

fn embed(e: &Value) -> String {
    let colour = e["color"]
        .as_u64()
        .map_or("#1e1f22".to_string(), |c| format!("#{c:06x}"));
    let mut inner = String::new();
    if let Some(a) = e["author"]["name"].as_str() {
        inner.push_str(&format!("<div class=\"author\">{}</div>", escape(a)));
    }
    if let Some(t) = e["title"].as_str() {
        match e["url"].as_str() {
            Some(u) => inner.push_str(&format!(
                "<div class=\"title\"><a href=\"{}\">{}</a></div>",
                escape(u),
                markdown(t)
            )),
            None => inner.push_str(&format!("<div class=\"title plain\">{}</div>", markdown(t))),
        }
    }
    if let Some(d) = e["description"].as_str() {
        inner.push_str(&format!("<div class=\"desc\">{}</div>", markdown(d)));
    }
    for f in e["fields"].as_array().into_iter().flatten() {
        inner.push_str(&format!(
            "<div class=\"field\"><div class=\"fname\">{}</div><div class=\"fvalue\">{}</div></div>",
            markdown(f["name"].as_str().unwrap_or_default()),
            markdown(f["value"].as_str().unwrap_or_default())
        ));
    }
    if let Some(t) = e["footer"]["text"].as_str() {
        inner.push_str(&format!("<div class=\"footer\">{}</div>", escape(t)));
    }
    format!(
        "<div class=\"embed\"><div class=\"bar\" style=\"background:{colour}\"></div>\
         <div class=\"inner\">{inner}</div></div>"
    )
}

fn modal(data: &Value) -> String {
    let mut out = format!(
        "<div class=\"modal\"><div class=\"fname\">{}</div>",
        escape(data["title"].as_str().unwrap_or_default())
    );
    for row in data["components"].as_array().into_iter().flatten() {
        for t in row["components"].as_array().into_iter().flatten() {
            out.push_str(&format!(
                "<div class=\"label\">{}</div><div class=\"input\">{}</div>",
                escape(t["label"].as_str().unwrap_or_default()),
                escape(t["value"].as_str().unwrap_or_default())
            ));
        }
    }
    out.push_str("</div>");
    out
}

/// HTML-escapes text.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The markdown subset Archie writes, as HTML: `\` escapes, `**bold**`, `*italics*`,
/// `[text](url)`; `<t:UNIX:…>` as the time in UTC and `<@id>` as "@member" (no ping in a
/// picture). Everything else is text.
fn markdown(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let (mut bold, mut italic) = (false, false);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let rest: String = chars[i..].iter().take(40).collect();
        if c == '\\' && i + 1 < chars.len() {
            out.push_str(&escape(&chars[i + 1].to_string()));
            i += 2;
        } else if rest.starts_with("**") {
            out.push_str(if bold { "</b>" } else { "<b>" });
            bold = !bold;
            i += 2;
        } else if c == '*' {
            out.push_str(if italic { "</i>" } else { "<i>" });
            italic = !italic;
            i += 1;
        } else if let Some((len, html)) = link(&chars[i..]).or_else(|| tag(&chars[i..])) {
            out.push_str(&html);
            i += len;
        } else {
            out.push_str(&escape(&c.to_string()));
            i += 1;
        }
    }
    if italic {
        out.push_str("</i>");
    }
    if bold {
        out.push_str("</b>");
    }
    out
}

/// `[text](url)` at the start of `s`: its length and its HTML.
fn link(s: &[char]) -> Option<(usize, String)> {
    if s.first() != Some(&'[') {
        return None;
    }
    let close = s.iter().position(|&c| c == ']')?;
    if s.get(close + 1) != Some(&'(') {
        return None;
    }
    let end = close + 2 + s[close + 2..].iter().position(|&c| c == ')')?;
    let text: String = s[1..close].iter().collect();
    let url: String = s[close + 2..end].iter().collect();
    if !archie_knowledge::is_http_url(&url) {
        return None;
    }
    Some((
        end + 1,
        format!("<a href=\"{}\">{}</a>", escape(&url), markdown(&text)),
    ))
}

/// `<t:UNIX[:style]>` or `<@id>` at the start of `s`: its length and its text.
fn tag(s: &[char]) -> Option<(usize, String)> {
    if s.first() != Some(&'<') {
        return None;
    }
    let end = s.iter().take(40).position(|&c| c == '>')?;
    let inner: String = s[1..end].iter().collect();
    if let Some(t) = inner.strip_prefix("t:") {
        let secs: i64 = t.split(':').next()?.parse().ok()?;
        return Some((end + 1, archie_core::reply::utc(secs)?));
    }
    if let Some(id) = inner.strip_prefix('@') {
        if id.chars().all(|c| c.is_ascii_digit()) && !id.is_empty() {
            return Some((end + 1, "<span class=\"fname\">@member</span>".into()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_response_becomes_a_card_with_its_embed_fields_and_buttons() {
        let r = json!({"type": 4, "data": {
            "content": "<@123>",
            "embeds": [{"author": {"name": "Article · Instagram"}, "title": "Data storage",
                "url": "https://example.com/a", "color": 0xEB459E,
                "description": "Uses **PostgreSQL** \\*really\\* — [post](https://example.com/p)",
                "fields": [{"name": "Related", "value": "at <t:1700000000:f>", "inline": false}],
                "footer": {"text": "Page 1 of 2"}}],
            "components": [{"type": 1, "components": [{"type": 2, "style": 2, "label": "Next ▶",
                "custom_id": "ask:1:q", "disabled": false}]}],
            "allowed_mentions": {"parse": []}}});
        let page = html(&r);
        for part in [
            "Article · Instagram",
            "<a href=\"https://example.com/a\">Data storage</a>",
            "<b>PostgreSQL</b>",
            "*really*",
            "<a href=\"https://example.com/p\">post</a>",
            "2023-11-14 22:13 UTC",
            "Page 1 of 2",
            "Next ▶",
            "@member",
            "#eb459e",
        ] {
            assert!(page.contains(part), "{part} in {page}");
        }
        assert!(!page.contains("123"), "no user id shown: {page}");
    }

    #[test]
    fn text_from_a_response_can_never_become_markup() {
        let r = json!({"type": 4, "data": {"embeds": [{"title": "<script>alert(1)</script>",
            "description": "<img src=x onerror=alert(1)> [x](javascript:\"><script>)",
            "fields": []}], "flags": 64}});
        let page = html(&r);
        assert!(
            !page.contains("<script>") && !page.contains("<img"),
            "{page}"
        );
        assert!(page.contains("Only you can see this"));
    }

    #[test]
    fn a_modal_shows_its_fields_and_values() {
        let r = json!({"type": 9, "data": {"custom_id": "kbform:add:note", "title": "New note entry",
            "components": [{"type": 1, "components": [{"type": 4, "custom_id": "title",
                "style": 1, "label": "Title", "value": "<b>x</b>"}]}]}});
        let page = html(&r);
        assert!(page.contains("New note entry") && page.contains("Title"));
        assert!(page.contains("&lt;b&gt;x&lt;/b&gt;"), "{page}");
    }
}
