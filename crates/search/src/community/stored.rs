//! What a community document stores: the row as search shows it, an [`Entry`] in its own
//! JSON (the export format, which reads back checked), or a base id hidden in the guild.

use archie_knowledge::Entry;
use serde::{Deserialize, Serialize};

/// One stored row: a shown entry, or a base id hidden in the guild.
#[derive(Serialize, Deserialize)]
pub(super) enum StoredRow {
    Live(Box<Entry>),
    Hidden(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_entry_reads_back_as_it_was_stored() {
        let k = archie_knowledge::Knowledge::load(&std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../knowledge"
        )))
        .unwrap();
        let mut seen = std::collections::HashSet::new();
        for e in &k.entries {
            let json = serde_json::to_vec(&StoredRow::Live(Box::new(e.clone()))).unwrap();
            let StoredRow::Live(back) = serde_json::from_slice(&json).unwrap() else {
                panic!("not live")
            };
            assert_eq!(&*back, e);
            seen.insert(e.kind);
        }
        assert_eq!(seen.len(), archie_knowledge::Kind::ALL.len(), "{seen:?}");
    }

    #[test]
    fn an_entry_whose_fields_belong_to_another_kind_does_not_read_back() {
        let k = archie_knowledge::Knowledge::load(&std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../knowledge"
        )))
        .unwrap();
        let article = k
            .entries
            .iter()
            .find(|e| e.kind == archie_knowledge::Kind::Article)
            .expect("an article");
        let mut json = serde_json::to_value(article).unwrap();
        json["kind"] = "note".into();
        let err = serde_json::from_value::<Entry>(json)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("note entry with the fields of a article"),
            "{err}"
        );
    }
}
