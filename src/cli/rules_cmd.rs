//! `plimsoll rules [--format json]` and `plimsoll explain RULE`: the embedded catalog.

use super::{ExitStatus, ExplainArgs, RulesArgs, RulesFormat};
use crate::rules::{RuleMeta, catalog};
use serde::Serialize;
use std::io::Write;

/// One rule as `plimsoll rules --format json` prints it.
#[derive(Serialize)]
pub struct RuleJson<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub severity: &'a str,
    pub summary: &'a str,
    pub fixable: bool,
    pub aliases: &'a [&'a str],
    pub file_kinds: Vec<&'static str>,
    pub default: bool,
    pub family: &'a str,
    pub category: &'a str,
    pub lifecycle: &'a str,
}

impl<'a> From<&'a RuleMeta> for RuleJson<'a> {
    fn from(r: &'a RuleMeta) -> RuleJson<'a> {
        RuleJson {
            code: r.code,
            name: r.name,
            severity: r.severity.as_str(),
            summary: r.summary,
            fixable: r.fixable,
            aliases: r.aliases,
            file_kinds: r.file_kinds.iter().map(|k| k.as_str()).collect(),
            default: r.default_enabled,
            family: r.family.name,
            category: r.category.as_str(),
            lifecycle: r.lifecycle.as_str(),
        }
    }
}

pub fn rules(args: RulesArgs) -> ExitStatus {
    let all = catalog::all();
    let out = match args.format {
        RulesFormat::Json => {
            let list: Vec<RuleJson> = all.iter().map(RuleJson::from).collect();
            match serde_json::to_string_pretty(&list) {
                Ok(s) => s + "\n",
                Err(e) => return super::fail(e),
            }
        }
        RulesFormat::Human => table(all),
    };
    print(&out)
}

/// The human table: code, name and severity in columns as wide as their longest entry, then
/// the summary and the notes.
fn table(all: &[RuleMeta]) -> String {
    let width = |f: fn(&RuleMeta) -> usize| all.iter().map(f).max().unwrap_or(0);
    let code_w = width(|r| r.code.chars().count());
    let name_w = width(|r| r.name.chars().count());
    let sev_w = width(|r| r.severity.as_str().len());
    let mut s = String::new();
    for r in all {
        let off = if r.default_enabled {
            ""
        } else {
            " (off by default)"
        };
        let fix = if r.fixable { " [fix]" } else { "" };
        s.push_str(&format!(
            "{:<code_w$}  {:<name_w$}  {:<sev_w$}  {}{}{}\n",
            r.code,
            r.name,
            r.severity.as_str(),
            r.summary,
            fix,
            off
        ));
    }
    s
}

pub fn explain(args: ExplainArgs) -> ExitStatus {
    let Some(r) = catalog::lookup(&args.rule) else {
        return super::fail(format!(
            "no rule named {:?} (see `plimsoll rules`)",
            args.rule
        ));
    };
    let kinds: Vec<&str> = r.file_kinds.iter().map(|k| k.as_str()).collect();
    let mut out = format!(
        "{} ({})\nseverity: {}  file kinds: {}  fixable: {}  enabled by default: {}\n",
        r.name,
        r.code,
        r.severity,
        kinds.join(", "),
        if r.fixable { "yes" } else { "no" },
        if r.default_enabled { "yes" } else { "no" },
    );
    if !r.aliases.is_empty() {
        out.push_str(&format!("aliases: {}\n", r.aliases.join(", ")));
    }
    out.push('\n');
    out.push_str(r.body());
    if !out.ends_with('\n') {
        out.push('\n');
    }
    print(&out)
}

fn print(s: &str) -> ExitStatus {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(s.as_bytes()).and_then(|_| stdout.flush()) {
        Ok(()) => ExitStatus::Success,
        // A closed pipe (`plimsoll rules | head`) is not an error worth reporting.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitStatus::Success,
        Err(e) => super::fail(e),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_table_lines_up() {
        let table = super::table(crate::rules::catalog::all());
        // Each summary starts where every other does: after three padded columns.
        let starts: std::collections::BTreeSet<usize> = table
            .lines()
            .zip(crate::rules::catalog::all())
            .map(|(line, r)| line.find(r.summary).expect("summary on its line"))
            .collect();
        assert_eq!(starts.len(), 1, "{table}");
    }
}
