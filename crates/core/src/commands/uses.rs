//! `/uses TECHNOLOGY`: the companies whose stack lists it, each with its source.

use super::Caller;
use super::{push_new, tech_arg};
use crate::app::App;
use crate::reply::{data, links, plain, Block, Data, Reply, Status};
use archie_knowledge::{Detail, Kind};

pub fn run(app: &App, caller: &Caller, tech: &str) -> Reply {
    let t = match tech_arg(app, tech) {
        Ok(t) => t,
        Err(r) => return *r,
    };
    let vis = app.engine.visible(caller.guild);
    let mut r = Reply::new(Status::Answer, format!("Who uses {}", t.name));
    let mut users = Vec::new();
    // One block per company, however many of its stacks list the technology.
    let mut shown: Vec<(String, Vec<String>, Vec<String>)> = Vec::new();
    for e in vis
        .iter()
        .filter(|e| e.kind == Kind::Stack && e.technologies.contains(&t.name))
    {
        let Detail::Stack { layers, .. } = &e.detail else {
            continue;
        };
        let items: Vec<(&str, &archie_knowledge::StackItem)> = layers
            .iter()
            .flat_map(|g| g.items.iter().map(move |i| (g.layer.label(), i)))
            .filter(|(_, i)| i.tech == t.name)
            .collect();
        let company = e.company.clone().unwrap_or_default();
        let at = match shown.iter().position(|(c, _, _)| *c == company) {
            Some(i) => i,
            None => {
                shown.push((company.clone(), Vec::new(), Vec::new()));
                shown.len() - 1
            }
        };
        let (_, lines, sources) = &mut shown[at];
        let here: Vec<String> = items
            .iter()
            .map(|(layer, i)| match &i.qualifier {
                Some(q) => format!("{layer}: {q}"),
                None => layer.to_string(),
            })
            .collect();
        push_new(lines, &here);
        push_new(sources, &e.sources);
        users.push(data::User {
            company,
            spelled: items
                .iter()
                .map(|(_, i)| archie_knowledge::item_text(i))
                .collect(),
            stack: e.id.clone(),
            sources: e.sources.clone(),
        });
    }
    for (company, lines, sources) in shown {
        r.blocks
            .push(Block::new(company, plain(lines.join("\n"))).sources(links(&sources)));
    }
    let related = related(&vis, &t.name);
    r.summary = Some(if users.is_empty() {
        format!("No company stack in Archie's knowledge lists {}.", t.name)
    } else {
        let names: Vec<String> = r.blocks.iter().map(|b| b.heading.clone()).collect();
        format!(
            "{} compan{} list {}: {}.",
            names.len(),
            if names.len() == 1 { "y" } else { "ies" },
            t.name,
            names.join(", ")
        )
    });
    if !related.is_empty() {
        let body = related
            .iter()
            .map(|e| e.title.clone())
            .collect::<Vec<_>>()
            .join("\n");
        let srcs: Vec<String> = related
            .iter()
            .filter_map(|e| e.sources.first().cloned())
            .collect();
        r.blocks.push(Block {
            heading: "Related reading".into(),
            tag: None,
            at: None,
            kind: None,
            context: None,
            body: plain(body),
            sources: links(&srcs),
        });
    }
    r.data = Some(Data::Uses(data::Uses {
        technology: t.name.clone(),
        id: t.id.clone(),
        users,
        related: related
            .iter()
            .map(|e| data::Related {
                id: e.id.clone(),
                title: e.title.clone(),
                sources: e.sources.clone(),
            })
            .collect(),
    }));
    r
}

/// Reading, articles, Q&A and notes that name the technology: at most five.
fn related<'a>(
    vis: &'a archie_search::Visible<'_>,
    name: &str,
) -> Vec<&'a archie_knowledge::Entry> {
    vis.iter()
        .filter(|e| {
            matches!(
                e.kind,
                Kind::Reading | Kind::Article | Kind::Qa | Kind::Note
            ) && e.technologies.iter().any(|x| x == name)
        })
        .take(5)
        .collect()
}
