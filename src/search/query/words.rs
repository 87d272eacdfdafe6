//! The words of a question that say something about its form rather than its subject:
//! stopwords, the words of reading and stack requests, and the words that hint at a layer.

use crate::knowledge::Layer;

/// Words that say nothing about the subject of a question.
pub const STOPWORDS: &[&str] = &[
    "a", "about", "an", "and", "any", "are", "as", "at", "be", "by", "can", "could", "did", "do",
    "does", "doing", "for", "from", "get", "give", "has", "have", "how", "i", "in", "into", "is",
    "it", "its", "let", "me", "much", "many", "my", "of", "on", "or", "our", "s", "should", "so",
    "some", "tell", "that", "the", "their", "them", "there", "these", "they", "this", "to", "up",
    "us", "was", "we", "were", "what", "whats", "when", "where", "which", "who", "whom", "why",
    "will", "with", "would", "you", "your", "please", "show", "list", "find", "know", "want",
    "need", "use", "uses", "used", "using",
];

pub(super) const READING_WORDS: &[&str] = &[
    "article",
    "articles",
    "read",
    "reading",
    "readings",
    "paper",
    "papers",
    "talk",
    "talks",
    "book",
    "books",
    "blog",
    "blogs",
    "post",
    "posts",
    "resources",
    "links",
    "learn",
    "learning",
    "case",
    "study",
    "studies",
];

/// Words that only qualify a reading request ("any good writeups", "recommend a solid
/// talk"): dropped from its topic, like the reading words themselves.
pub(super) const READING_QUALIFIERS: &[&str] = &[
    "good",
    "great",
    "best",
    "nice",
    "solid",
    "interesting",
    "useful",
    "recommend",
    "recommended",
    "recommendation",
    "recommendations",
    "suggest",
    "suggestions",
    "worth",
];

pub(super) const STACK_WORDS: &[&str] = &[
    "stack",
    "stacks",
    "tech",
    "technology",
    "technologies",
    "built",
    "build",
    "run",
    "runs",
    "backend",
    "architecture",
    "infrastructure",
    "infra",
    "tools",
    "tool",
    "software",
    "database",
    "databases",
    "db",
    "storage",
    "cache",
    "caching",
    "queue",
    "queues",
    "monitoring",
    "deploy",
    "deployment",
    "deployments",
    "hosting",
    "host",
    "hosted",
    "server",
    "servers",
    "language",
    "languages",
    "framework",
    "frameworks",
    "load",
    "balancer",
    "balancing",
    "proxy",
    "search",
    "jobs",
    "messaging",
    "logging",
    "os",
    "cloud",
    "data",
    "datastore",
    "nosql",
    "sql",
    "open",
    "source",
    "power",
    "powers",
];

pub fn is_stopword(w: &str) -> bool {
    STOPWORDS.contains(&w)
}

// Long only because each layer's hint words are listed one per line.
pub(super) fn layer_hints(words: &[String]) -> Vec<Layer> {
    let mut out = Vec::new();
    let has = |ws: &[&str]| words.iter().any(|w| ws.contains(&w.as_str()));
    let mut add = |l: Layer, cond: bool| {
        if cond && !out.contains(&l) {
            out.push(l)
        }
    };
    add(
        Layer::Data,
        has(&[
            "database",
            "databases",
            "db",
            "storage",
            "store",
            "datastore",
            "sql",
            "nosql",
            "persistence",
        ]),
    );
    add(Layer::Cache, has(&["cache", "caching", "cached"]));
    add(
        Layer::Queue,
        has(&[
            "queue",
            "queues",
            "jobs",
            "job",
            "messaging",
            "async",
            "workers",
            "tasks",
        ]),
    );
    add(Layer::Search, has(&["search", "indexing", "fulltext"]));
    add(
        Layer::Monitoring,
        has(&[
            "monitoring",
            "monitor",
            "metrics",
            "logging",
            "logs",
            "alerting",
            "alerts",
        ]),
    );
    add(
        Layer::Deploy,
        has(&[
            "deploy",
            "deployment",
            "deployments",
            "deploying",
            "ci",
            "automation",
            "provisioning",
        ]),
    );
    add(
        Layer::Hosting,
        has(&[
            "hosting",
            "host",
            "hosted",
            "cloud",
            "os",
            "infrastructure",
            "infra",
            "aws",
        ]),
    );
    add(
        Layer::Web,
        has(&[
            "balancer",
            "balancing",
            "proxy",
            "webserver",
            "http",
            "frontend",
        ]),
    );
    add(
        Layer::Language,
        has(&[
            "language",
            "languages",
            "framework",
            "frameworks",
            "backend",
            "written",
        ]),
    );
    out
}
