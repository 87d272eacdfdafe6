//! `/help`: what Archie knows and how to ask.

use super::Caller;
use crate::app::App;
use crate::reply::{plain, Block, Reply, Status};
use archie_knowledge::Kind;

pub fn run(app: &App, _ctx: &Caller) -> Reply {
    let k = app.engine.knowledge();
    let mut r = Reply::new(
        Status::Answer,
        "Archie — how real companies build their systems",
    );
    r.summary = Some(format!(
        "I know {} company stacks, {} technologies, {} Q&A, {} article passages, {} notes and {} reading-list links. Every answer carries its source.",
        k.count(Kind::Stack), k.count(Kind::Tech), k.count(Kind::Qa), k.count(Kind::Article), k.count(Kind::Note), k.count(Kind::Reading)
    ));
    let cmds = [
        (
            "/ask question",
            "anything in plain words: what does Twitter use for backend?",
        ),
        (
            "/stack company",
            "a company's technologies by layer, with links",
        ),
        ("/uses technology", "which companies use it"),
        ("/whatis technology", "what a technology is"),
        (
            "/compare first second",
            "what two companies share and what sets them apart",
        ),
        ("/read topic", "articles worth reading on a topic"),
        (
            "👍 / 👎, /kb propose",
            "rate an answer, or propose an entry for this server's moderators to review",
        ),
    ];
    for (c, d) in cmds {
        r.blocks.push(Block {
            heading: c.into(),
            tag: None,
            at: None,
            kind: None,
            context: None,
            body: plain(d),
            sources: Vec::new(),
        });
    }
    r
}
