//! `/compare A B`: the technologies two companies share and those only one uses, by layer.

use super::company_arg;
use super::Caller;
use crate::app::App;
use crate::reply::{data, links, plain, Block, Data, Reply, Status};
use archie_knowledge::{Detail, Kind, Layer};
use std::collections::BTreeMap;

/// Per layer: technologies both use, only the first, only the second.
type Split = (Vec<String>, Vec<String>, Vec<String>);

pub fn run(app: &App, caller: &Caller, first: &str, second: &str) -> Reply {
    let (a, b) = match (company_arg(app, first), company_arg(app, second)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(r), _) | (_, Err(r)) => return *r,
    };
    let k = app.engine.knowledge();
    let vis = app.engine.visible(caller.guild);
    let mut sides = Vec::new();
    for c in [a, b] {
        let stacks: Vec<_> = vis
            .iter()
            .filter(|e| {
                e.kind == Kind::Stack
                    && matches!(&e.detail, Detail::Stack { company_id, .. } if *company_id == c.id)
            })
            .collect();
        if stacks.iter().all(|e| e.technologies.is_empty()) {
            return Reply::invalid(format!(
                "Archie has no technology list for {}, so there is nothing to compare.",
                c.name
            ));
        }
        let techs: Vec<String> = stacks
            .iter()
            .flat_map(|e| e.technologies.iter().cloned())
            .collect();
        let sources: Vec<String> = stacks
            .iter()
            .flat_map(|e| e.sources.iter().cloned())
            .collect();
        sides.push((c.name.clone(), techs, sources));
    }
    if sides[0].0 == sides[1].0 {
        return Reply::invalid("Give two different companies to compare.");
    }
    let by_layer = split_by_layer(k, &sides[0].1, &sides[1].1);
    let (na, nb) = (sides[0].0.clone(), sides[1].0.clone());
    let mut r = Reply::new(Status::Answer, format!("{na} vs {nb}"));
    let shared: usize = by_layer.values().map(|v| v.0.len()).sum();
    r.summary = Some(format!("{shared} technologies in common."));
    let mut srcs = sides[0].2.clone();
    srcs.extend(sides[1].2.iter().cloned());
    let mut json_layers = Vec::new();
    for (layer, (both, only_a, only_b)) in &by_layer {
        let mut lines = Vec::new();
        if !both.is_empty() {
            lines.push(format!("both: {}", both.join(", ")));
        }
        if !only_a.is_empty() {
            lines.push(format!("only {na}: {}", only_a.join(", ")));
        }
        if !only_b.is_empty() {
            lines.push(format!("only {nb}: {}", only_b.join(", ")));
        }
        r.blocks.push(Block {
            heading: layer.label().into(),
            tag: None,
            at: None,
            kind: None,
            context: None,
            body: plain(lines.join("\n")),
            sources: Vec::new(),
        });
        json_layers.push(data::CompareLayer {
            layer: *layer,
            shared: both.clone(),
            only_first: only_a.clone(),
            only_second: only_b.clone(),
        });
    }
    if let Some(last) = r.blocks.last_mut() {
        last.sources = links(&srcs);
    }
    r.data = Some(Data::Compare(data::Compare {
        first: na,
        second: nb,
        layers: json_layers,
        sources: srcs,
    }));
    if let Some(Data::Compare(c)) = &r.data {
        r.picture = Some(crate::reply::Picture {
            filename: format!(
                "compare-{}-{}.png",
                archie_text::slug(&c.first),
                archie_text::slug(&c.second)
            ),
        });
    }
    r
}

/// Each layer's technologies: those both lists hold, those only the first, only the second.
fn split_by_layer(
    k: &archie_knowledge::Knowledge,
    first: &[String],
    second: &[String],
) -> BTreeMap<Layer, Split> {
    let layer_of = |t: &str| k.techs.get(t).map(|t| t.layer).unwrap_or(Layer::Other);
    let mut by_layer: BTreeMap<Layer, Split> = BTreeMap::new();
    for t in first {
        let slot = by_layer.entry(layer_of(t)).or_default();
        if second.contains(t) {
            if !slot.0.contains(t) {
                slot.0.push(t.clone());
            }
        } else if !slot.1.contains(t) {
            slot.1.push(t.clone());
        }
    }
    for t in second {
        if !first.contains(t) {
            let slot = by_layer.entry(layer_of(t)).or_default();
            if !slot.2.contains(t) {
                slot.2.push(t.clone());
            }
        }
    }
    by_layer
}
