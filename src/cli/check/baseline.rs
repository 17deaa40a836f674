//! Baselines: findings keyed by file, rule code and a hash of the flagged text and its line
//! (not the line number), so a line shift does not make a known finding new. Identical keys
//! are counted, so one more copy of a known problem is new.

use crate::finding::{FileReport, Finding};
use crate::report;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Serialize, Deserialize)]
pub(super) struct Entry {
    file: String,
    code: String,
    hash: String,
    /// For people reading the file; not part of the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    line: Option<u32>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    findings: Vec<Entry>,
}

/// The path a baseline keys a file by: forward slashes on every platform.
fn file_key(r: &FileReport) -> String {
    r.file.path.to_string_lossy().replace('\\', "/")
}

/// A finding's key within its file: rule code and the hash of its text.
type Key = (String, String);

fn key(r: &FileReport, f: &Finding) -> Key {
    let hash = report::stable_hash(&[report::context_text(&r.file, f).as_bytes()]);
    (f.code.to_string(), hash)
}

/// The baseline entries of one file's findings, in order.
pub(super) fn entries(r: &FileReport) -> Vec<Entry> {
    let file = file_key(r);
    r.findings
        .iter()
        .map(|f| {
            let (code, hash) = key(r, f);
            Entry {
                file: file.clone(),
                code,
                hash,
                line: Some(r.file.line_col(f.span.start as usize).line),
            }
        })
        .collect()
}

/// The baseline file of `entries` (every file's, in order).
pub(super) fn write(entries: Vec<Entry>) -> String {
    let file = File {
        version: 1,
        findings: entries,
    };
    serde_json::to_string_pretty(&file).unwrap_or_default() + "\n"
}

/// Known findings with their counts, per file. Each file takes its own part once
/// ([`Known::filter`]), so files can be filtered on any thread in any order.
pub(super) struct Known(Mutex<HashMap<String, HashMap<Key, usize>>>);

/// Reads a baseline file's text.
pub(super) fn read(text: &str) -> Result<Known, String> {
    let file: File = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if file.version != 1 {
        return Err(format!("unsupported version {}", file.version));
    }
    let mut known: HashMap<String, HashMap<Key, usize>> = HashMap::new();
    for e in file.findings {
        // A finding recorded under a rule's former code (`PL010`) is the same finding.
        let code = crate::rules::catalog::current_code(&e.code).map_or(e.code, str::to_string);
        *known
            .entry(e.file)
            .or_default()
            .entry((code, e.hash))
            .or_insert(0) += 1;
    }
    Ok(Known(Mutex::new(known)))
}

impl Known {
    /// Drops the findings of `r` the baseline knows.
    pub(super) fn filter(&self, r: &mut FileReport) {
        let mut known = match self.0.lock() {
            Ok(mut k) => k.remove(&file_key(r)),
            Err(e) => e.into_inner().remove(&file_key(r)),
        };
        let Some(known) = known.as_mut() else {
            return;
        };
        let findings = std::mem::take(&mut r.findings);
        r.findings = findings
            .into_iter()
            .filter(|f| match known.get_mut(&key(r, f)) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            })
            .collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;
    use crate::rules::RuleId;
    use crate::source::{FileKind, SourceFile, Span};

    #[test]
    fn baseline_survives_line_shifts_and_counts_copies() {
        let mk = |text: &str| {
            let file = SourceFile::new("Dockerfile", text.to_string(), FileKind::Dockerfile);
            let findings = text
                .match_indices("a:latest")
                .map(|(at, s)| {
                    Finding::new(
                        RuleId::LatestTag.code(),
                        RuleId::LatestTag.name(),
                        Severity::Warning,
                        Span::new(at, at + s.len()),
                        "m",
                    )
                })
                .collect();
            FileReport { file, findings }
        };
        let before = mk("FROM a:latest\n");
        let known = read(&write(entries(&before))).unwrap();
        let mut after = mk("# moved\n\nFROM a:latest\nFROM a:latest\n");
        known.filter(&mut after);
        assert_eq!(
            after.findings.len(),
            1,
            "one copy is known, the other is new"
        );
        assert!(read("{\"version\":2,\"findings\":[]}").is_err());
    }
}
