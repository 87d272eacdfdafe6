//! `/whatis TECHNOLOGY`: what a technology is, who uses it, where that comes from.

use super::Caller;
use super::{tech_arg, unknown};
use crate::app::App;
use crate::reply::{data, links, plain, Block, Data, Reply, Status};
use archie_knowledge::Detail;

pub fn run(app: &App, caller: &Caller, tech: &str) -> Reply {
    let t = match tech_arg(app, tech) {
        Ok(t) => t,
        Err(r) => return *r,
    };
    let k = app.engine.knowledge();
    let vis = app.engine.visible(caller.guild);
    let Some(e) = vis.entry(&t.id) else {
        return unknown("technology in this server", &t.name, Vec::new());
    };
    let Detail::Tech {
        layer,
        group,
        description,
        used_by,
    } = &e.detail
    else {
        return unknown("technology", &t.name, Vec::new());
    };
    let mut r = Reply::new(Status::Answer, e.title.clone());
    // A server's override replaces the glossary text.
    let edited = k.entry(&e.id).is_some_and(|b| b.text != e.text);
    let what = match description.as_ref().filter(|_| !edited) {
        Some(d) => d.clone(),
        None => format!(
            "The sources describe {} nowhere; they list it under {}.",
            e.title,
            layer.label().to_lowercase()
        ),
    };
    r.blocks.push(Block {
        heading: "What it is".into(),
        tag: group.clone(),
        at: None,
        kind: None,
        context: None,
        body: plain(what),
        sources: links(&e.sources),
    });
    // The glossary's aliases and the spellings the stacks' sources use: the only place a
    // member sees them (everywhere else shows the canonical name).
    let mut spellings: Vec<String> = e
        .aliases
        .iter()
        .filter(|a| a.to_lowercase() != t.name.to_lowercase())
        .cloned()
        .collect();
    for s in vis.iter() {
        if let Detail::Stack { layers, .. } = &s.detail {
            for i in layers.iter().flat_map(|g| &g.items) {
                let known = |x: &String| x.to_lowercase() == i.raw.to_lowercase();
                if i.tech == t.name
                    && i.raw.to_lowercase() != t.name.to_lowercase()
                    && !spellings.iter().any(known)
                {
                    spellings.push(i.raw.clone());
                }
            }
        }
    }
    if !spellings.is_empty() {
        r.blocks
            .push(Block::new("Other spellings", plain(spellings.join(", "))));
    }
    if !used_by.is_empty() {
        r.blocks.push(Block {
            heading: "Used by".into(),
            tag: None,
            at: None,
            kind: None,
            context: None,
            body: plain(used_by.join(", ")),
            sources: Vec::new(),
        });
    }
    r.data = Some(Data::WhatIs(data::WhatIs {
        technology: e.title.clone(),
        id: e.id.clone(),
        layer: *layer,
        group: group.clone(),
        description: description.clone(),
        aliases: e.aliases.clone(),
        used_by: used_by.clone(),
        sources: e.sources.clone(),
    }));
    r
}
