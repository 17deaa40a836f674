//! `shellcheck`: ShellCheck's findings on the scripts `RUN` instructions hand their shell.
//!
//! Thin on purpose. The scripts, their dialects and their maps back to the file are
//! [`shell_scripts`]; running ShellCheck (one process per file, deadlines, the cache) is
//! [`crate::external::shellcheck`]. Here each diagnostic becomes a finding whose code is its SC
//! code (see [`catalog::foreign_code`] for why), on the file bytes of its script range, with
//! ShellCheck's level as severity and its fix when every edit lands on the file's bytes exactly.

use crate::analysis::shell_scripts::{ScriptKind, ShellScript, shell_scripts};
use crate::external::cache::DiskCache;
use crate::external::shellcheck::{self, Diagnostic, Level, Outcome, Request, ShellCheck};
use crate::rules::catalog;
use crate::rules::prelude::*;
use std::collections::HashSet;

pub struct Shellcheck;

impl Rule for Shellcheck {
    fn check_dockerfile(&self, cx: &mut Context<'_>, df: &Dockerfile) {
        let Some(tree) = cx.tree() else { return };
        let scripts = shell_scripts(tree, df, cx.analysis().platform());
        if scripts.is_empty() {
            return;
        }
        let program = match ShellCheck::find(cx.options.shellcheck.as_deref()) {
            Ok(p) => p,
            Err(missing) => {
                shellcheck::note_skipped(&missing);
                return;
            }
        };
        // A file's share of ShellCheck is bounded: real Dockerfiles hand it a few dozen
        // scripts, while a generated or hostile one (30,000 RUNs) would hold a language server's
        // worker for minutes. What lies beyond the bound is said once, not per script.
        let checked = within_file_budget(&scripts);
        if let Some(first_skipped) = scripts.get(checked) {
            cx.report_with(
                Severity::Info,
                first_skipped.span,
                format!(
                    "ShellCheck is given at most {MAX_SCRIPTS_PER_FILE} scripts and {} KiB per \
                     file; this script and the {} after it were not checked",
                    MAX_BYTES_PER_FILE >> 10,
                    scripts.len() - checked - 1
                ),
            );
        }
        let scripts = &scripts[..checked];
        let requests: Vec<Request<'_>> = scripts
            .iter()
            .map(|s| Request {
                script: s.text(),
                shell: s.dialect.as_str(),
                declared: &s.declared,
            })
            .collect();
        let outcomes = program.check(&requests, &DiskCache::user("shellcheck"));
        let mut seen = HashSet::new();
        let mut failed: Option<(Span, String, usize)> = None;
        for (script, outcome) in scripts.iter().zip(outcomes) {
            match outcome {
                Outcome::Checked(diagnostics) => {
                    for d in diagnostics.iter() {
                        report(cx, script, d, df.escape, &mut seen);
                    }
                }
                // One finding for a run of failures (a ShellCheck that times out on a batch
                // fails every script in it), at the first, counting the rest.
                Outcome::Failed(why) => match &mut failed {
                    Some((_, _, more)) => *more += 1,
                    None => failed = Some((script.span, why, 0)),
                },
            }
        }
        if let Some((span, why, more)) = failed {
            let rest = match more {
                0 => String::new(),
                1 => " (and 1 more script)".to_string(),
                n => format!(" (and {n} more scripts)"),
            };
            cx.report_with(
                Severity::Info,
                span,
                format!(
                    "ShellCheck could not check this script ({why}); its checks were skipped{rest}"
                ),
            );
        }
    }
}

/// Scripts of one file given to ShellCheck, at most.
const MAX_SCRIPTS_PER_FILE: usize = 500;
/// Script bytes of one file given to ShellCheck, at most.
const MAX_BYTES_PER_FILE: usize = 512 << 10;

/// How many of `scripts`, from the first, fit the file's budget.
fn within_file_budget(scripts: &[ShellScript]) -> usize {
    let mut bytes = 0usize;
    for (i, s) in scripts.iter().enumerate() {
        bytes = bytes.saturating_add(s.text().len());
        if i >= MAX_SCRIPTS_PER_FILE || bytes > MAX_BYTES_PER_FILE {
            return i;
        }
    }
    scripts.len()
}

/// Reports one diagnostic, unless excluded or already reported at the same bytes (a heredoc fed
/// to a shell is checked both as a here-document and as a script).
fn report(
    cx: &mut Context<'_>,
    script: &ShellScript,
    d: &Diagnostic,
    escape: char,
    seen: &mut HashSet<(&'static str, Span)>,
) {
    let Some((code, _)) = catalog::foreign_code(&format!("SC{}", d.code)) else {
        return;
    };
    if cx
        .options
        .shellcheck_exclude
        .iter()
        .any(|x| x.eq_ignore_ascii_case(code))
    {
        return;
    }
    let (Some(start), Some(end)) = (
        script.offset(d.start.line, d.start.column),
        script.offset(d.end.line, d.end.column),
    ) else {
        return;
    };
    let span = script.file_span(start, end.max(start));
    if !seen.insert((code, span)) {
        return;
    }
    let fix = fix(script, d, code, escape);
    let finding = cx.report_with(severity(d.level), span, d.message.clone());
    finding.code = code;
    finding.fix = fix;
}

fn severity(level: Level) -> Severity {
    match level {
        Level::Error => Severity::Error,
        Level::Warning => Severity::Warning,
        Level::Info => Severity::Info,
        Level::Style => Severity::Style,
    }
}

/// ShellCheck's suggested fix as file edits, when each replacement lands on exactly the script
/// bytes it replaces and inserts nothing that would change how the Dockerfile is read (a line
/// break, or the escape character in a `RUN` line). Unsafe: ShellCheck's fixes change what the
/// script does (that is their point).
fn fix(script: &ShellScript, d: &Diagnostic, code: &str, escape: char) -> Option<Fix> {
    if d.fix.is_empty() {
        return None;
    }
    let mut edits = Vec::with_capacity(d.fix.len());
    for r in &d.fix {
        if r.text.contains(['\n', '\r'])
            || (script.kind == ScriptKind::Command && r.text.contains(escape))
        {
            return None;
        }
        let start = script.offset(r.start.line, r.start.column)?;
        let end = script.offset(r.end.line, r.end.column)?;
        let span = script.exact_file_span(start, end)?;
        edits.push(Edit::replace(span, r.text.clone()));
    }
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    // Two edits at one place have an order ShellCheck decides; offer nothing rather than guess.
    if edits.windows(2).any(|w| w[1].span.start < w[0].span.end || w[1].span.start == w[0].span.start) {
        return None;
    }
    Some(Fix {
        description: format!("apply ShellCheck's suggestion for {code}"),
        applicability: Applicability::Unsafe,
        edits,
    })
}
