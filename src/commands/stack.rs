//! `/stack COMPANY`: a company's technologies by layer, its links and its reading list.

use super::Caller;
use super::{company_arg, unknown};
use crate::app::App;
use crate::knowledge::{item_text, Detail, Kind};
use crate::reply::{data, links, plain, Block, Data, Link, Reply, Status};

pub fn run(app: &App, ctx: &Caller, company: &str) -> Reply {
    let c = match company_arg(app, company) {
        Ok(c) => c,
        Err(r) => return *r,
    };
    let vis = app.engine.visible(ctx.guild);
    let stacks: Vec<_> = vis
        .iter()
        .filter(|e| matches!(&e.detail, Detail::Stack { company_id, .. } if *company_id == c.id))
        .collect();
    let reading: Vec<_> = vis
        .iter()
        .filter(|e| e.kind == Kind::Reading && e.company.as_deref() == Some(c.name.as_str()))
        .collect();
    let mut r = Reply::new(Status::Answer, format!("{} technology stack", c.name));
    let mut layers_json = Vec::new();
    let mut link_list: Vec<Link> = Vec::new();
    let mut sources: Vec<String> = Vec::new();
    for e in &stacks {
        let Detail::Stack {
            layers,
            links: ls,
            remark,
            ..
        } = &e.detail
        else {
            continue;
        };
        let src = links(&e.sources);
        for g in layers {
            let items: Vec<String> = g.items.iter().map(item_text).collect();
            r.blocks.push(Block {
                heading: g.layer.label().to_string(),
                tag: None,
                at: None,
                body: plain(items.join(", ")),
                sources: src.clone(),
            });
            layers_json.push(data::StackLayer {
                layer: g.layer,
                technologies: g.items.clone(),
                sources: e.sources.clone(),
            });
        }
        if let Some(rm) = remark {
            r.blocks.push(Block {
                heading: "Note".into(),
                tag: None,
                at: None,
                body: plain(rm.clone()),
                sources: src.clone(),
            });
        }
        for l in ls {
            if !link_list.iter().any(|x| x.url == l.url) {
                link_list.push(Link {
                    title: l.title.clone(),
                    url: l.url.clone(),
                });
            }
        }
        sources.extend(e.sources.iter().cloned());
    }
    if stacks.is_empty() {
        r.summary = Some(format!(
            "Archie has no technology list for {}, only its reading list.",
            c.name
        ));
    } else {
        let techs: usize = stacks.iter().map(|e| e.technologies.len()).sum();
        r.summary = Some(format!(
            "{techs} technologies from {} source(s).",
            stacks.len()
        ));
    }
    if !link_list.is_empty() {
        let body = link_list
            .iter()
            .map(|l| l.title.clone())
            .collect::<Vec<_>>()
            .join("\n");
        r.blocks.push(Block {
            heading: "Articles".into(),
            tag: None,
            at: None,
            body: plain(body),
            sources: link_list.clone(),
        });
    }
    if !reading.is_empty() {
        let rl: Vec<Link> = reading
            .iter()
            .map(|e| Link {
                title: e.title.clone(),
                url: e.sources.first().cloned().unwrap_or_default(),
            })
            .collect();
        let body = rl
            .iter()
            .map(|l| l.title.clone())
            .collect::<Vec<_>>()
            .join("\n");
        r.blocks.push(Block {
            heading: "Reading list".into(),
            tag: None,
            at: None,
            body: plain(body),
            sources: rl,
        });
    }
    if stacks.is_empty() && reading.is_empty() {
        return unknown("company stack", &c.name, Vec::new());
    }
    r.data = Some(Data::Stack(data::Stack {
        company: c.name.clone(),
        id: c.id.clone(),
        layers: layers_json,
        links: link_list,
        reading: reading
            .iter()
            .map(|e| data::ReadingLink {
                title: e.title.clone(),
                url: e.sources.first().cloned(),
            })
            .collect(),
        sources,
    }));
    r
}
