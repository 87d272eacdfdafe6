//! The slash-command definitions Archie registers with Discord, and the option names
//! the interaction parser reads back. Both transports and `archie commands --json` use
//! these, so a definition and its parser cannot drift apart.

use serenity::all::{CommandOptionType, CreateCommand, CreateCommandOption};

pub const QUESTION: &str = "question";
pub const PRIVATE: &str = "private";
pub const FOR: &str = "for";
pub const COMPANY: &str = "company";
pub const TECHNOLOGY: &str = "technology";
pub const FIRST: &str = "first";
pub const SECOND: &str = "second";
pub const TOPIC: &str = "topic";

/// Longest question Discord lets a user type into `/ask`.
pub const MAX_QUESTION: u16 = 300;
/// Longest company, technology or topic name.
pub const MAX_NAME: u16 = 100;

fn text(name: &str, description: &str, max: u16) -> CreateCommandOption {
    CreateCommandOption::new(CommandOptionType::String, name, description)
        .required(true)
        .min_length(1)
        .max_length(max)
}

fn names(name: &str, description: &str) -> CreateCommandOption {
    text(name, description, MAX_NAME).set_autocomplete(true)
}

/// `private` and `for`, the options every answering command takes.
fn delivery(cmd: CreateCommand) -> CreateCommand {
    cmd.add_option(CreateCommandOption::new(
        CommandOptionType::Boolean,
        PRIVATE,
        "Only you see the answer",
    ))
    .add_option(CreateCommandOption::new(
        CommandOptionType::User,
        FOR,
        "Mention this member in the answer",
    ))
}

/// Every command, in the order `/help` lists them.
pub fn definitions() -> Vec<CreateCommand> {
    vec![
        delivery(
            CreateCommand::new("ask")
                .description("Ask a software-architecture question")
                .add_option(text(
                    QUESTION,
                    "For example: what does Twitter use for backend?",
                    MAX_QUESTION,
                )),
        ),
        delivery(
            CreateCommand::new("stack")
                .description("A company's technology stack by layer, with sources")
                .add_option(names(COMPANY, "The company, e.g. Instagram")),
        ),
        delivery(
            CreateCommand::new("uses")
                .description("Which companies use a technology")
                .add_option(names(TECHNOLOGY, "The technology, e.g. Redis")),
        ),
        delivery(
            CreateCommand::new("whatis")
                .description("What a technology is")
                .add_option(names(TECHNOLOGY, "The technology, e.g. Cassandra")),
        ),
        delivery(
            CreateCommand::new("compare")
                .description("What two companies' stacks share and what sets them apart")
                .add_option(names(FIRST, "The first company"))
                .add_option(names(SECOND, "The second company")),
        ),
        delivery(
            CreateCommand::new("read")
                .description("Articles worth reading on a topic")
                .add_option(text(TOPIC, "A topic, e.g. caching or sharding", MAX_NAME)),
        ),
        delivery(CreateCommand::new("help").description("What Archie knows and how to ask")),
    ]
}

/// The definitions as the JSON array Discord receives.
pub fn definitions_json() -> serde_json::Value {
    serde_json::to_value(definitions()).unwrap_or_else(|_| serde_json::Value::Array(Vec::new()))
}
