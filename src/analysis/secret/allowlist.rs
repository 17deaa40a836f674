//! The user's secret allow-list (`RuleOptions::secret_allowlist`): literal values, or regular
//! expressions written `/…/`. Compiled once per distinct list and shared between files.

use regex::RegexSet;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

/// Values never reported as secrets.
#[derive(Clone, Debug, Default)]
pub struct Allowlist {
    literals: Vec<String>,
    patterns: Option<RegexSet>,
}

impl Allowlist {
    /// Builds the list. An entry written `/…/` is a regex matched anywhere in the value; an
    /// invalid regex is kept as a literal so that a typo never widens what is allowed.
    pub fn new(entries: &[String]) -> Allowlist {
        let mut literals = Vec::new();
        let mut regexes = Vec::new();
        for e in entries {
            match e.strip_prefix('/').and_then(|r| r.strip_suffix('/')) {
                Some(r) if !r.is_empty() && regex::Regex::new(r).is_ok() => {
                    regexes.push(r.to_string())
                }
                _ => literals.push(e.clone()),
            }
        }
        let patterns = if regexes.is_empty() {
            None
        } else {
            RegexSet::new(&regexes).ok()
        };
        Allowlist { literals, patterns }
    }

    /// The compiled list for `entries`, built at most once per distinct list in a run.
    pub fn cached(entries: &[String]) -> Arc<Allowlist> {
        static EMPTY: LazyLock<Arc<Allowlist>> = LazyLock::new(|| Arc::new(Allowlist::default()));
        static CACHE: LazyLock<Mutex<HashMap<Vec<String>, Arc<Allowlist>>>> =
            LazyLock::new(|| Mutex::new(HashMap::new()));
        if entries.is_empty() {
            return Arc::clone(&EMPTY);
        }
        let Ok(mut cache) = CACHE.lock() else {
            return Arc::new(Allowlist::new(entries));
        };
        Arc::clone(
            cache
                .entry(entries.to_vec())
                .or_insert_with(|| Arc::new(Allowlist::new(entries))),
        )
    }

    /// Whether `value` is allowed (equal to a literal entry, or matching a regex entry).
    pub fn allows(&self, value: &str) -> bool {
        self.literals.iter().any(|l| l == value)
            || self.patterns.as_ref().is_some_and(|p| p.is_match(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_and_regexes() {
        let a = Allowlist::new(&[
            "hunter2".to_string(),
            "/^test-[0-9]+$/".to_string(),
            "/[unclosed/".to_string(),
        ]);
        assert!(a.allows("hunter2"));
        assert!(!a.allows("hunter22"));
        assert!(a.allows("test-42"));
        assert!(!a.allows("test-x"));
        assert!(a.allows("/[unclosed/"));
        assert!(!Allowlist::default().allows(""));
    }

    #[test]
    fn cache_shares_compiled_lists() {
        let entries = vec!["/a+/".to_string()];
        let one = Allowlist::cached(&entries);
        let two = Allowlist::cached(&entries);
        assert!(Arc::ptr_eq(&one, &two));
        assert!(one.allows("baaa"));
    }
}
