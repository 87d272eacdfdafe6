//! The slash-command definitions Archie registers with Discord, and the option names
//! the interaction parser reads back. Both transports and `archie commands --json` use
//! these, so a definition and its parser cannot drift apart.

use serenity::all::{
    CommandOptionType, CommandType, CreateCommand, CreateCommandOption, InteractionContext,
};

/// The commands' names: the definitions below, the parser and the button ids use these.
pub const ASK: &str = "ask";
pub const STACK: &str = "stack";
pub const USES: &str = "uses";
pub const WHATIS: &str = "whatis";
pub const COMPARE: &str = "compare";
pub const READ: &str = "read";
pub const HELP: &str = "help";
pub const QUIZ: &str = "quiz";
/// `/quiz`'s subcommands.
pub const QUESTION_SUB: &str = "question";
pub const LEADERBOARD: &str = "leaderboard";
/// The message command (Apps → Find an answer on any message).
pub const FIND_ANSWER: &str = "Find an answer";
/// `/kb`'s subcommands.
pub const ADD: &str = "add";
pub const EDIT: &str = "edit";
pub const REMOVE: &str = "remove";
pub const SHOW: &str = "show";
pub const HISTORY: &str = "history";
pub const REVERT: &str = "revert";
pub const EXPORT: &str = "export";
pub const IMPORT: &str = "import";
/// `/kb export`'s option: what to export, and its choices.
pub const WHAT: &str = "what";
pub const WHAT_ENTRIES: &str = "entries";
pub const WHAT_CURATION: &str = "curation";
pub const GAPS: &str = "gaps";
pub const REVIEW: &str = "review";
pub const PROPOSE: &str = "propose";
pub const PROPOSALS: &str = "proposals";
pub const STATS: &str = "stats";
pub const ACCEPT_PROPOSALS: &str = "accept-proposals";
pub const WATCH: &str = "watch";
pub const UNWATCH: &str = "unwatch";
pub const CHANNEL: &str = "channel";

pub const QUESTION: &str = "question";
pub const PRIVATE: &str = "private";
pub const FOR: &str = "for";
pub const COMPANY: &str = "company";
pub const TECHNOLOGY: &str = "technology";
pub const FIRST: &str = "first";
pub const SECOND: &str = "second";
pub const TOPIC: &str = "topic";
/// `/kb` and its options.
pub const KB: &str = "kb";
pub const ID: &str = "id";
pub const KIND: &str = "kind";
pub const REVISION: &str = "revision";
pub const FILE: &str = "file";
pub const DAYS: &str = "days";
pub const ENABLED: &str = "enabled";
/// The kinds `/kb add` offers, as Discord choices.
pub const KINDS: [&str; 6] = ["qa", "note", "article", "reading", "stack", "tech"];
/// Longest entry id an option accepts.
pub const MAX_ID: u16 = 100;

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

fn sub(name: &str, description: &str) -> CreateCommandOption {
    CreateCommandOption::new(CommandOptionType::SubCommand, name, description)
}

fn entry_id(required: bool) -> CreateCommandOption {
    CreateCommandOption::new(
        CommandOptionType::String,
        ID,
        "The entry (start typing its title)",
    )
    .required(required)
    .min_length(1)
    .max_length(MAX_ID)
    .set_autocomplete(true)
}

/// `/kb`: moderators curate this server's knowledge. `default_member_permissions`
/// (Manage Server) only hides it in the client; rights are checked by Archie on every
/// write. Offered in servers only.
fn kb() -> CreateCommand {
    let mut kind = CreateCommandOption::new(CommandOptionType::String, KIND, "What kind of entry")
        .required(true)
        .max_length(16);
    for k in KINDS {
        kind = kind.add_string_choice(k, k);
    }
    let mut propose_kind =
        CreateCommandOption::new(CommandOptionType::String, KIND, "A new entry of this kind")
            .max_length(16);
    for k in KINDS {
        propose_kind = propose_kind.add_string_choice(k, k);
    }
    // Open to every member: the curation loop (votes, proposals, stats) is theirs, and
    // each moderator step is refused on Archie's side to anyone without the rights.
    CreateCommand::new(KB)
        .description("This server's knowledge: propose, review, curate")
        .dm_permission(false)
        .contexts(vec![InteractionContext::Guild])
        .add_option(sub(ADD, "Add an entry (opens a form)").add_sub_option(kind))
        .add_option(
            sub(EDIT, "Edit an entry (opens a pre-filled form)").add_sub_option(entry_id(true)),
        )
        .add_option(
            sub(REMOVE, "Remove an entry from this server's answers")
                .add_sub_option(entry_id(true)),
        )
        .add_option(
            sub(SHOW, "Show an entry and its latest changes").add_sub_option(entry_id(true)),
        )
        .add_option(sub(HISTORY, "Who changed what, newest first").add_sub_option(entry_id(false)))
        .add_option(
            sub(REVERT, "Bring an entry back to an earlier revision")
                .add_sub_option(entry_id(true))
                .add_sub_option(
                    CreateCommandOption::new(
                        CommandOptionType::Integer,
                        REVISION,
                        "The revision number shown by /kb history",
                    )
                    .required(true)
                    .min_int_value(1),
                ),
        )
        .add_option(
            sub(
                EXPORT,
                "This server's entries, or its curation records, as a JSON file",
            )
            .add_sub_option(
                CreateCommandOption::new(
                    CommandOptionType::String,
                    WHAT,
                    "entries (the default), or curation: gaps, proposals and votes",
                )
                .max_length(16)
                .add_string_choice(WHAT_ENTRIES, WHAT_ENTRIES)
                .add_string_choice(WHAT_CURATION, WHAT_CURATION),
            ),
        )
        .add_option(sub(
            GAPS,
            "Questions asked here without a good answer (moderators)",
        ))
        .add_option(sub(REVIEW, "Review members' proposals (moderators)"))
        .add_option(
            sub(
                PROPOSE,
                "Propose a new entry, or an edit of one (opens a form)",
            )
            .add_sub_option(propose_kind)
            .add_sub_option(entry_id(false)),
        )
        .add_option(sub(PROPOSALS, "Your proposals and what became of them"))
        .add_option(
            sub(STATS, "Questions, answers, ratings, gaps and proposals").add_sub_option(
                CreateCommandOption::new(CommandOptionType::Integer, DAYS, "Period in days (30)")
                    .min_int_value(1)
                    .max_int_value(3650),
            ),
        )
        .add_option(
            sub(WATCH, "Answer new posts in a forum channel (moderators)").add_sub_option(forum()),
        )
        .add_option(
            sub(
                UNWATCH,
                "Stop answering new posts in a forum channel (moderators)",
            )
            .add_sub_option(forum()),
        )
        .add_option(
            sub(
                ACCEPT_PROPOSALS,
                "Let members propose entries, or not (moderators)",
            )
            .add_sub_option(
                CreateCommandOption::new(
                    CommandOptionType::Boolean,
                    ENABLED,
                    "Whether members may propose",
                )
                .required(true),
            ),
        )
        .add_option(
            sub(
                IMPORT,
                "Add or update entries from a JSON file (preview first)",
            )
            .add_sub_option(
                CreateCommandOption::new(
                    CommandOptionType::Attachment,
                    FILE,
                    "A JSON file as /kb export writes it",
                )
                .required(true),
            ),
        )
}

fn quiz() -> CreateCommand {
    let mut topic = CreateCommandOption::new(
        CommandOptionType::String,
        TOPIC,
        "A part of a stack, e.g. caching",
    )
    .max_length(MAX_NAME);
    for t in [
        "languages",
        "data stores",
        "caching",
        "queues",
        "search",
        "monitoring",
        "deployment",
    ] {
        topic = topic.add_string_choice(t, t);
    }
    let names = |name: &str, description: &str| {
        CreateCommandOption::new(CommandOptionType::String, name, description)
            .max_length(MAX_NAME)
            .set_autocomplete(true)
    };
    CreateCommand::new(QUIZ)
        .description("A multiple-choice question on how companies build, and the scores")
        .add_option(
            CreateCommandOption::new(
                CommandOptionType::SubCommand,
                QUESTION_SUB,
                "A new question; anyone here may answer once",
            )
            .add_sub_option(names(COMPANY, "About this company"))
            .add_sub_option(names(TECHNOLOGY, "About this technology"))
            .add_sub_option(topic)
            .add_sub_option(CreateCommandOption::new(
                CommandOptionType::Boolean,
                PRIVATE,
                "Only you see the question",
            )),
        )
        .add_option(CreateCommandOption::new(
            CommandOptionType::SubCommand,
            LEADERBOARD,
            "Who answered the most quiz questions right here",
        ))
}

/// Every command, in the order `/help` lists them.
pub fn definitions() -> Vec<CreateCommand> {
    vec![
        delivery(
            CreateCommand::new(ASK)
                .description("Ask a software-architecture question")
                .add_option(text(
                    QUESTION,
                    "For example: what does Twitter use for backend?",
                    MAX_QUESTION,
                )),
        ),
        delivery(
            CreateCommand::new(STACK)
                .description("A company's technology stack by layer, with sources")
                .add_option(names(COMPANY, "The company, e.g. Instagram")),
        ),
        delivery(
            CreateCommand::new(USES)
                .description("Which companies use a technology")
                .add_option(names(TECHNOLOGY, "The technology, e.g. Redis")),
        ),
        delivery(
            CreateCommand::new(WHATIS)
                .description("What a technology is")
                .add_option(names(TECHNOLOGY, "The technology, e.g. Cassandra")),
        ),
        delivery(
            CreateCommand::new(COMPARE)
                .description("What two companies' stacks share and what sets them apart")
                .add_option(names(FIRST, "The first company"))
                .add_option(names(SECOND, "The second company")),
        ),
        delivery(
            CreateCommand::new(READ)
                .description("Articles worth reading on a topic")
                .add_option(text(TOPIC, "A topic, e.g. caching or sharding", MAX_NAME)),
        ),
        delivery(CreateCommand::new(HELP).description("What Archie knows and how to ask")),
        quiz(),
        kb(),
        // A message command has a name, an empty description and no options.
        CreateCommand::new(FIND_ANSWER)
            .kind(CommandType::Message)
            .description(""),
    ]
}

/// The definitions as the JSON array Discord receives.
pub fn definitions_json() -> serde_json::Value {
    serde_json::to_value(definitions()).unwrap_or_else(|_| serde_json::Value::Array(Vec::new()))
}

/// A forum channel option (`/kb watch`, `/kb unwatch`).
fn forum() -> CreateCommandOption {
    CreateCommandOption::new(CommandOptionType::Channel, CHANNEL, "A forum channel")
        .channel_types(vec![serenity::all::ChannelType::Forum])
        .required(true)
}
