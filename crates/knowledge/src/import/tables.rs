//! The TOML tables an import appends, shaped like the folder's files (`files.rs`) and
//! serialised in the same field order.

use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize)]
pub(super) struct CompanyOut {
    pub(super) id: String,
    pub(super) name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) aliases: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) url: Option<String>,
}

#[derive(Serialize)]
pub(super) struct TechOut {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) layer: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) aliases: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) url: Option<String>,
    #[serde(skip_serializing_if = "is_true")]
    pub(super) detect: bool,
}

fn is_true(b: &bool) -> bool {
    *b
}

#[derive(Serialize)]
pub(super) struct QaOut {
    pub(super) id: String,
    pub(super) question: String,
    pub(super) answer: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) company: Option<String>,
    pub(super) sources: Vec<String>,
}

#[derive(Serialize)]
pub(super) struct ReadingOut {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) url: String,
    pub(super) section: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) topic: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) company: Option<String>,
}

#[derive(Serialize)]
pub(super) struct StackOut {
    pub(super) id: String,
    pub(super) company: String,
    pub(super) sources: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) remark: Option<String>,
    pub(super) layers: BTreeMap<&'static str, Vec<String>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) link: Vec<LinkOut>,
}

#[derive(Serialize, Clone)]
pub(super) struct LinkOut {
    pub(super) title: String,
    pub(super) url: String,
}
