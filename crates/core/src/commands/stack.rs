//! `/stack COMPANY`: a company's technologies by layer, its links and its reading list.

use super::Caller;
use super::{company_arg, push_new, unknown};
use crate::app::App;
use crate::reply::{data, links, plain, Block, Data, Link, Reply, Status};
use archie_knowledge::{
    item_shown, remark_beyond_layers, Detail, Entry, Kind, Layer, NameTable, StackItem, Tech,
};

pub fn run(app: &App, caller: &Caller, company: &str) -> Reply {
    let c = match company_arg(app, company) {
        Ok(c) => c,
        Err(r) => return *r,
    };
    let vis = app.engine.visible(caller.guild);
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
    let listed = layers(&mut r, &stacks, &app.engine.knowledge().techs);
    r.summary = Some(if stacks.is_empty() {
        format!(
            "Archie has no technology list for {}, only its reading list.",
            c.name
        )
    } else {
        let techs: usize = listed.layers.iter().map(|l| l.technologies.len()).sum();
        let n = listed.sources.len();
        format!(
            "{techs} technologies in {} layers, from {n} source{}.",
            listed.layers.len(),
            if n == 1 { "" } else { "s" }
        )
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
    if !listed.sources.is_empty() {
        r.blocks.push(link_block("Sources", links(&listed.sources)));
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
    if let Some(Data::Stack(s)) = r.data.as_ref().filter(|_| !stacks.is_empty()) {
        r.picture = Some(crate::reply::Picture {
            filename: format!("stack-{}.png", archie_text::slug(&s.company)),
        });
    }
    r
}

/// What the stacks list, for `--json`: their layers, article links and sources.
#[derive(Default)]
struct Listed {
    layers: Vec<data::StackLayer>,
    links: Vec<Link>,
    sources: Vec<String>,
}

/// One technology of the merged stack: its canonical name and what its sources say of it.
struct Merged {
    item: StackItem,
    notes: Vec<String>,
    sources: Vec<String>,
}

/// The company's stacks as one: a block per layer in the usual order, each technology
/// once under its canonical name with the notes its sources give, what the stacks'
/// remarks say beyond the layers (a remark line that only lists technologies the layers
/// show is not repeated), and their sources once, at the end.
fn layers(r: &mut Reply, stacks: &[&Entry], techs: &NameTable<Tech>) -> Listed {
    let mut out = Listed::default();
    // Slot `i` holds the technologies of `Layer::ALL[i]`: layers come out in their order.
    let mut by_layer: Vec<Vec<Merged>> = Layer::ALL.iter().map(|_| Vec::new()).collect();
    let mut remarks: Vec<String> = Vec::new();
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
        for g in layers {
            let Some(slot) = Layer::ALL.iter().position(|l| *l == g.layer) else {
                continue;
            };
            let slot = &mut by_layer[slot];
            for it in &g.items {
                let m = match slot.iter().position(|m| m.item.tech == it.tech) {
                    Some(i) => &mut slot[i],
                    None => {
                        slot.push(Merged {
                            item: it.clone(),
                            notes: Vec::new(),
                            sources: Vec::new(),
                        });
                        slot.last_mut().expect("just pushed")
                    }
                };
                if let Some(q) = &it.qualifier {
                    add_note(&mut m.notes, q);
                }
                push_new(&mut m.sources, &e.sources);
            }
        }
        push_new(&mut remarks, remark.as_slice());
        for l in ls {
            if !out.links.iter().any(|x| x.url == l.url) {
                out.links.push(l.clone());
            }
        }
        push_new(&mut out.sources, &e.sources);
    }
    for (layer, items) in Layer::ALL.into_iter().zip(by_layer) {
        if items.is_empty() {
            continue;
        }
        let mut sources: Vec<String> = Vec::new();
        let technologies: Vec<StackItem> = items
            .into_iter()
            .map(|m| {
                push_new(&mut sources, &m.sources);
                // The sources' notes, together, as the item's qualifier.
                StackItem {
                    qualifier: (!m.notes.is_empty()).then(|| m.notes.join("; ")),
                    ..m.item
                }
            })
            .collect();
        let shown: Vec<String> = technologies.iter().map(item_shown).collect();
        r.blocks
            .push(Block::new(layer.label(), plain(shown.join(", "))));
        out.layers.push(data::StackLayer {
            layer,
            technologies,
            sources,
        });
    }
    let shown: Vec<&str> = out
        .layers
        .iter()
        .flat_map(|l| &l.technologies)
        .map(|t| t.tech.as_str())
        .collect();
    let notes = remark_beyond_layers(&remarks, &shown, techs);
    if !notes.is_empty() {
        r.blocks.push(Block::new("Notes", plain(notes.join("\n"))));
    }
    out
}

/// Adds a source's note on a technology unless another note already says it ("software
/// RAID" beside "software RAID over EBS"); a note that says more replaces the shorter one.
fn add_note(notes: &mut Vec<String>, note: &str) {
    let lc = note.to_lowercase();
    if notes.iter().any(|n| n.to_lowercase().contains(&lc)) {
        return;
    }
    notes.retain(|n| !lc.contains(&n.to_lowercase()));
    notes.push(note.to_string());
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
