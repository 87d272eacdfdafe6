//! The stash: the transport's one piece of per-process state. A button or a form whose
//! argument does not fit Discord's 100-character id (a long question, an entry id, an
//! import preview's whole file) keeps the argument here under a short key, and the id
//! carries the key. Bounded in count and in bytes: the oldest go first, and a click whose
//! argument is gone (evicted, or the click reached another process or came after a
//! restart) is answered with "run the command again", never with a guess.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// Texts a button needs but its id cannot hold, by key.
#[derive(Debug)]
pub struct Stash {
    inner: Mutex<Kept>,
    capacity: usize,
    budget: usize,
}

#[derive(Debug, Default)]
struct Kept {
    texts: HashMap<String, String>,
    /// Keys, oldest first.
    order: VecDeque<String>,
    /// Bytes of all kept texts.
    bytes: usize,
}

impl Default for Stash {
    fn default() -> Stash {
        Stash::new(Stash::CAPACITY, Stash::BUDGET)
    }
}

impl Stash {
    /// Texts kept at most.
    pub const CAPACITY: usize = 4096;
    /// Bytes kept at most: room for a dozen import previews of the largest file `/kb
    /// import` reads, or thousands of long questions.
    pub const BUDGET: usize = 32 * 1024 * 1024;

    /// A stash of at most `capacity` texts and `budget` bytes.
    pub fn new(capacity: usize, budget: usize) -> Stash {
        Stash {
            inner: Mutex::default(),
            capacity: capacity.max(1),
            budget,
        }
    }

    /// Keeps `text` and returns its key (16 hex digits of its SHA-256). A text larger
    /// than the whole budget is not kept: its key finds nothing, as an evicted one.
    pub fn put(&self, text: &str) -> String {
        use sha2::{Digest, Sha256};
        let key = hex::encode(&Sha256::digest(text.as_bytes())[..8]);
        if text.len() > self.budget {
            return key;
        }
        let mut s = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if !s.texts.contains_key(&key) {
            while s.order.len() >= self.capacity || s.bytes + text.len() > self.budget {
                let Some(old) = s.order.pop_front() else {
                    break;
                };
                if let Some(gone) = s.texts.remove(&old) {
                    s.bytes -= gone.len();
                }
            }
            s.order.push_back(key.clone());
            s.bytes += text.len();
            s.texts.insert(key.clone(), text.to_string());
        }
        key
    }

    /// The text kept under `key`, if it is still here.
    pub fn get(&self, key: &str) -> Option<String> {
        let s = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        s.texts.get(key).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::Stash;

    #[test]
    fn the_stash_returns_what_it_keeps_and_forgets_the_oldest_beyond_its_capacity() {
        let stash = Stash::default();
        let first = stash.put("the first question");
        assert_eq!(stash.put("the first question"), first, "one key per text");
        assert_eq!(stash.get(&first).as_deref(), Some("the first question"));
        for i in 0..Stash::CAPACITY {
            stash.put(&format!("question {i}"));
        }
        assert_eq!(stash.get(&first), None, "the oldest text was evicted");
        assert_eq!(
            stash.get(&stash.put("question 5")).as_deref(),
            Some("question 5")
        );
        assert_eq!(stash.get("not-a-key"), None);
    }

    #[test]
    fn the_stash_keeps_within_its_byte_budget_and_refuses_a_text_larger_than_it() {
        let stash = Stash::new(100, 10);
        let a = stash.put("aaaa");
        let b = stash.put("bbbb");
        assert_eq!(stash.get(&a).as_deref(), Some("aaaa"));
        let c = stash.put("cccc");
        assert_eq!(stash.get(&a), None, "12 bytes exceed 10: the oldest went");
        assert_eq!(stash.get(&b).as_deref(), Some("bbbb"));
        assert_eq!(stash.get(&c).as_deref(), Some("cccc"));
        let huge = stash.put("an argument of more than ten bytes");
        assert_eq!(stash.get(&huge), None, "larger than the budget: not kept");
        assert_eq!(stash.get(&c).as_deref(), Some("cccc"), "nor did it evict");
    }
}
