//! What the differential tests against other linters share (hadolint, dclint): the peer checks
//! each plimsoll rule lists as aliases, the committed list of explained differences, and the
//! comparison of both tools' findings by (check, file, line).

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use serde_json::Value;

/// A finding as both tools are compared: (peer check, file, line).
pub type Key = (String, String, u32);

/// One explained difference of the committed list.
#[derive(Debug)]
pub struct Listed {
    /// `<tool>-only` or `plimsoll-only`.
    pub side: String,
    pub reason: String,
    /// Its line in the list.
    pub line_no: usize,
}

/// plimsoll rule code -> the aliases of its that `is_peer` accepts (the peer tool's check ids),
/// read from `plimsoll rules --format json` as users' comparisons read it. With `default_only`,
/// rules off by default are left out: both tools are then compared as they run unconfigured.
pub fn aliases_by_rule(
    default_only: bool,
    is_peer: impl Fn(&str) -> bool,
) -> BTreeMap<String, Vec<String>> {
    let out = Command::new(super::plimsoll_bin())
        .args(["rules", "--format", "json"])
        .output()
        .expect("run plimsoll rules");
    assert!(out.status.success(), "plimsoll rules failed");
    let rules: Value = serde_json::from_slice(&out.stdout).expect("rules JSON");
    let mut map = BTreeMap::new();
    for rule in rules.as_array().expect("an array of rules") {
        if default_only && rule["default"] == Value::Bool(false) {
            continue;
        }
        let code = rule["code"].as_str().expect("code").to_string();
        let peers: Vec<String> = rule["aliases"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter(|a| is_peer(a))
            .map(str::to_string)
            .collect();
        if !peers.is_empty() {
            map.insert(code, peers);
        }
    }
    map
}

/// The differences listed in `path`: `CHECK FILE LINE SIDE REASON explanation…` a line, `#`
/// starting a comment. SIDE is `<tool>-only` or `plimsoll-only`; REASON one of `reasons`.
pub fn read_differences(path: &str, tool: &str, reasons: &[&str]) -> BTreeMap<Key, Listed> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let tool_only = format!("{tool}-only");
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.split_whitespace();
        let (Some(check), Some(file), Some(no), Some(side), Some(reason)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            panic!(
                "{path}:{}: expected `CHECK FILE LINE SIDE REASON why`",
                i + 1
            );
        };
        assert!(
            side == tool_only || side == "plimsoll-only",
            "{path}:{}: side is `{tool_only}` or `plimsoll-only`, not `{side}`",
            i + 1
        );
        assert!(
            reasons.contains(&reason),
            "{path}:{}: reason is one of {reasons:?}, not `{reason}`",
            i + 1
        );
        assert!(
            parts.next().is_some(),
            "{path}:{}: say why after the reason",
            i + 1
        );
        let no: u32 = no
            .parse()
            .unwrap_or_else(|_| panic!("{path}:{}: `{no}` is not a line", i + 1));
        let listed = Listed {
            side: side.to_string(),
            reason: reason.to_string(),
            line_no: i + 1,
        };
        let previous = out.insert((check.to_string(), file.to_string(), no), listed);
        assert!(previous.is_none(), "{path}:{}: listed twice", i + 1);
    }
    out
}

/// Compares `theirs` (the peer tool's findings of `checks`) with `ours` (plimsoll's under the
/// same check ids), prints the agreement per check, and fails on a disagreement `listed` does
/// not explain and on a listed difference that no longer happens.
pub fn assert_explained(
    tool: &str,
    differences: &str,
    checks: &BTreeSet<&str>,
    theirs: &BTreeSet<Key>,
    ours: &BTreeSet<Key>,
    listed: &BTreeMap<Key, Listed>,
) {
    let tool_only = format!("{tool}-only");
    let mut unexplained = Vec::new();
    let mut per_check: BTreeMap<&str, [usize; 3]> =
        checks.iter().map(|c| (*c, [0, 0, 0])).collect();
    let mut seen_listed = BTreeSet::new();
    for key in theirs.union(ours) {
        let (slot, side) = match (theirs.contains(key), ours.contains(key)) {
            (true, true) => (0, ""),
            (true, false) => (1, tool_only.as_str()),
            _ => (2, "plimsoll-only"),
        };
        if let Some(c) = per_check.get_mut(key.0.as_str()) {
            c[slot] += 1;
        }
        if slot == 0 {
            continue;
        }
        match listed.get(key) {
            Some(l) if l.side == side => {
                seen_listed.insert(key.clone());
            }
            _ => unexplained.push(format!("{} {} {} {side}", key.0, key.1, key.2)),
        }
    }
    let stale: Vec<String> = listed
        .iter()
        .filter(|(key, _)| !seen_listed.contains(*key))
        .map(|(key, l)| {
            format!(
                "line {}: {} {} {} {} ({})",
                l.line_no, key.0, key.1, key.2, l.side, l.reason
            )
        })
        .collect();
    let width = checks.iter().map(|c| c.len()).max().unwrap_or(0).max(5);
    eprintln!(
        "{:<width$} {:>6} {:>14} {:>14}",
        "check", "both", tool_only, "plimsoll-only"
    );
    for (check, [both, t, p]) in &per_check {
        eprintln!("{check:<width$} {both:>6} {t:>14} {p:>14}");
    }
    assert!(
        unexplained.is_empty() && stale.is_empty(),
        "{} disagreement(s) with {tool} not listed in {differences} (add each with its reason, or fix plimsoll):\n{}\n\n{} listed difference(s) that no longer happen (remove them):\n{}",
        unexplained.len(),
        unexplained.join("\n"),
        stale.len(),
        stale.join("\n"),
    );
}
