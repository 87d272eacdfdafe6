//! Property tests: hostile and damaged input never crashes Archie or leaves half a change.
//!
//! - Interaction payloads: the valid payloads the other tests send, damaged field by field
//!   (removed, null, wrong type, huge, negative, nested garbage), signed and sent to the
//!   real HTTP endpoint: the answer is a 400 or a 200 that Discord's schema accepts, never
//!   a 500, a dropped connection, or the apology for a panic caught on the blocking thread.
//! - `archie import` (awesome-md and qa-text) on random and damaged seed text: every line it
//!   cannot read is reported as `file:line:column`, and the folder afterwards is either
//!   unchanged (an error, or a dry run) or one that passes `archie check`.
//! - `/kb import` on random and damaged JSON: a syntax error names its line and column, an
//!   invalid item its position, the preview writes nothing, and a confirmed import writes
//!   exactly what the preview announced, or nothing at all.
//!
//! - The command line: any arguments are parsed or refused by clap, never a panic, and a
//!   lookup (`ask`, `stack`, `uses`, `whatis`, `compare`, `read`) with any text is answered
//!   or declined in both the text and the JSON form `archie` prints; a sample of them is
//!   run through the real binary, which never exits with a panic's 101.
//!
//! Each property runs a few hundred cases by default; `PROPTEST_CASES=N` runs N of each
//! (`custom_id`'s properties live beside it in `src/discord/custom_id.rs`).

use crate::support::*;
use archie::app::App;
use archie::commands::{execute, Caller, Command, KbCommand};
use archie::knowledge::import::{run, Format, ImportOptions};
use archie::knowledge::load_dir;
use archie::reply::Status;
use archie::store::{Actor, Store};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock};

mod cli;
mod import;
mod interactions;
mod kb_import;

// ---- damaging a JSON value (the interaction and /kb import properties) ------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Key(String),
    At(usize),
}

/// Every path in `v`, the root (empty path) first.
fn paths(v: &Value) -> Vec<Vec<Seg>> {
    fn walk(v: &Value, here: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
        out.push(here.clone());
        match v {
            Value::Object(m) => {
                for (k, child) in m {
                    here.push(Seg::Key(k.clone()));
                    walk(child, here, out);
                    here.pop();
                }
            }
            Value::Array(a) => {
                for (i, child) in a.iter().enumerate() {
                    here.push(Seg::At(i));
                    walk(child, here, out);
                    here.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, &mut Vec::new(), &mut out);
    out
}

/// What to do to one field.
#[derive(Debug, Clone)]
enum Damage {
    Remove,
    Set(Value),
    /// A string of this many characters.
    Huge(usize),
    /// Arrays nested this deep around an object.
    Nested(usize),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        3 => Just(Damage::Remove),
        2 => Just(Damage::Set(Value::Null)),
        1 => any::<bool>().prop_map(|b| Damage::Set(json!(b))),
        1 => any::<i64>().prop_map(|n| Damage::Set(json!(n))),
        1 => prop_oneof![Just(-1i64), Just(i64::MIN), Just(0)].prop_map(|n| Damage::Set(json!(n))),
        1 => Just(Damage::Set(json!(u64::MAX))),
        1 => Just(Damage::Set(json!(1e308))),
        1 => Just(Damage::Set(json!(-0.5))),
        2 => ".{0,12}".prop_map(|s| Damage::Set(json!(s))),
        1 => "-?[0-9]{1,30}".prop_map(|s| Damage::Set(json!(s))),
        1 => Just(Damage::Set(json!([]))),
        1 => Just(Damage::Set(json!({}))),
        1 => Just(Damage::Set(json!([1, "two", null, {"three": [4]}]))),
        1 => prop_oneof![Just(4_001usize), Just(100_000)].prop_map(Damage::Huge),
        1 => (1usize..200).prop_map(Damage::Nested),
    ]
}

/// `v` with the field at `path` damaged (`Remove` of the root leaves `null`).
fn damaged(v: &Value, path: &[Seg], d: &Damage) -> Value {
    let mut out = v.clone();
    let new = match d {
        Damage::Remove => None,
        Damage::Set(x) => Some(x.clone()),
        Damage::Huge(n) => Some(json!("é".repeat(*n))),
        Damage::Nested(depth) => {
            let mut x = json!({"type": 3, "custom_id": "ask:1:x"});
            for _ in 0..*depth {
                x = json!([x]);
            }
            Some(x)
        }
    };
    let Some((last, parent_path)) = path.split_last() else {
        return new.unwrap_or(Value::Null);
    };
    let mut parent = &mut out;
    for s in parent_path {
        parent = match s {
            Seg::Key(k) => &mut parent[k.as_str()],
            Seg::At(i) => &mut parent[*i],
        };
    }
    match (last, parent, new) {
        (Seg::Key(k), Value::Object(m), None) => {
            m.remove(k);
        }
        (Seg::Key(k), Value::Object(m), Some(x)) => {
            m.insert(k.clone(), x);
        }
        (Seg::At(i), Value::Array(a), None) => {
            a.remove(*i);
        }
        (Seg::At(i), Value::Array(a), Some(x)) => a[*i] = x,
        _ => {}
    }
    out
}
