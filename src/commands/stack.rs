//! `/stack COMPANY`: a company's technologies by layer, its links and its reading list.

use super::Caller;
use super::{company_arg, unknown};
use crate::app::App;
use crate::knowledge::{item_text, Detail, Entry, Kind};
use crate::reply::{data, links, plain, Block, Data, Link, Reply, Status};

pub fn run(app: &App, ctx: &Caller, company: &str) -> Reply {
    let c = match company_arg(app, company) {
        Ok(c) => c,
        Err(r) => return *r,
    };
    let vis = app.engine.visible(ctx.guild);
    let stacks: Vec<&Entry> = vis
        .iter()
        .filter(|e| matches!(&e.detail, Detail::Stack { company_id, .. } if *company_id == c.id))
        .collect();
    let reading: Vec<&Entry> = vis
        .iter()
        .filter(|e| e.kind == Kind::Reading && e.company.as_deref() == Some(c.name.as_str()))
        .collect();
    if stacks.is_empty() && reading.is_empty() {
        return unknown("company stack", &c.name, Vec::new());
    }
    let mut r = Reply::new(Status::Answer, format!("{} technology stack", c.name));
    let listed = layers(&mut r, &stacks);
    r.summary = Some(if stacks.is_empty() {
        format!(
            "Archie has no technology list for {}, only its reading list.",
            c.name
        )
    } else {
        let techs: usize = stacks.iter().map(|e| e.technologies.len()).sum();
        format!("{techs} technologies from {} source(s).", stacks.len())
    });
    if !listed.links.is_empty() {
        r.blocks.push(link_block("Articles", listed.links.clone()));
    }
    let reading_links: Vec<Link> = reading
        .iter()
        .map(|e| Link {
            title: e.title.clone(),
            url: e.sources.first().cloned().unwrap_or_default(),
        })
        .collect();
    if !reading_links.is_empty() {
        r.blocks.push(link_block("Reading list", reading_links));
    }
    r.data = Some(Data::Stack(data::Stack {
        company: c.name.clone(),
        id: c.id.clone(),
        layers: listed.layers,
        links: listed.links,
        reading: reading
            .iter()
            .map(|e| data::ReadingLink {
                title: e.title.clone(),
                url: e.sources.first().cloned(),
            })
            .collect(),
        sources: listed.sources,
    }));
    r
}

/// What the stacks list, for `--json`: their layers, article links and sources.
#[derive(Default)]
struct Listed {
    layers: Vec<data::StackLayer>,
    links: Vec<Link>,
    sources: Vec<String>,
}

/// One block per layer of each stack (and its remark), each citing its stack's sources.
fn layers(r: &mut Reply, stacks: &[&Entry]) -> Listed {
    let mut out = Listed::default();
    for e in stacks {
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
            r.blocks
                .push(Block::new(g.layer.label(), plain(items.join(", "))).sources(src.clone()));
            out.layers.push(data::StackLayer {
                layer: g.layer,
                technologies: g.items.clone(),
                sources: e.sources.clone(),
            });
        }
        if let Some(rm) = remark {
            r.blocks
                .push(Block::new("Note", plain(rm.clone())).sources(src.clone()));
        }
        for l in ls {
            if !out.links.iter().any(|x| x.url == l.url) {
                out.links.push(Link {
                    title: l.title.clone(),
                    url: l.url.clone(),
                });
            }
        }
        out.sources.extend(e.sources.iter().cloned());
    }
    out
}

/// A list of links: one title per line, each linked.
fn link_block(heading: &str, list: Vec<Link>) -> Block {
    let body = list
        .iter()
        .map(|l| l.title.clone())
        .collect::<Vec<_>>()
        .join("\n");
    Block::new(heading, plain(body)).sources(list)
}
