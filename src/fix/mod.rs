//! Applying fixes: merging edits without overlap, re-linting to a fixed point, unified diffs, and
//! atomic writes that never clobber a file changed on disk since it was read.
//!
//! Edits replace byte ranges; every byte outside them is kept (CRLF, tabs, comments, YAML layout).
//! A [`Fix`] is all-or-nothing: either every edit of it is applied or none is.
//!
//! - [`apply_fixes`]: one pass; a fix overlapping an accepted one waits for the next pass.
//! - [`fix_until_stable`]: passes until re-linting offers nothing applicable (bounded).
//! - [`fix_file`]: the above plus a write ([`crate::fsio::rewrite`]), for `check --fix` /
//!   `--diff`.
//! - [`diff`]: unified diffs, with secrets kept out of them.
//! - [`pin`]: `plimsoll pin`'s plans as registry targets; finding sites and computing the edits
//!   is [`crate::analysis::pin`].

use crate::finding::{Applicability, Edit, Finding, Fix, Severity};
use crate::fsio::{FileSnapshot, Roots, WriteError, rewrite};

pub mod diff;
pub mod pin;

pub use diff::{unified_diff, unified_diff_masked};

/// The result of one pass of [`apply_fixes`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    /// The text with the accepted fixes applied.
    pub text: String,
    /// Indices (into the input slice) of the fixes that were applied.
    pub applied: Vec<usize>,
    /// Indices of fixes left for a later pass because they overlap an accepted fix.
    pub deferred: Vec<usize>,
    /// Indices of fixes that can never apply: an edit outside the text, off a character boundary,
    /// or edits of one fix that overlap each other.
    pub invalid: Vec<usize>,
}

/// Whether two edits conflict. Two insertions at one offset conflict (their order would be a
/// guess), as does an insertion strictly inside a replaced range; touching ranges do not.
fn conflicts(a: &Edit, b: &Edit) -> bool {
    let (a, b) = (a.span, b.span);
    if a.is_empty() && b.is_empty() {
        return a.start == b.start;
    }
    if a.is_empty() {
        return b.start < a.start && a.start < b.end;
    }
    if b.is_empty() {
        return a.start < b.start && b.start < a.end;
    }
    a.start < b.end && b.start < a.end
}

fn edit_is_valid(text: &str, e: &Edit) -> bool {
    let (s, t) = (e.span.start as usize, e.span.end as usize);
    s <= t && t <= text.len() && text.is_char_boundary(s) && text.is_char_boundary(t)
}

fn fix_is_valid(text: &str, fix: &Fix) -> bool {
    if !fix.edits.iter().all(|e| edit_is_valid(text, e)) {
        return false;
    }
    let mut edits: Vec<&Edit> = fix.edits.iter().collect();
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    edits.windows(2).all(|w| !conflicts(w[0], w[1]))
}

/// Applies `edits`, which must be valid for `text` and free of conflicts, keeping every other byte.
pub fn apply_edits(text: &str, edits: &[Edit]) -> String {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    // Insertions at an offset go before a replacement starting there.
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len());
    let mut pos = 0usize;
    for e in sorted {
        let (s, t) = (e.span.start as usize, e.span.end as usize);
        if s < pos {
            continue; // unreachable for conflict-free input; never slice backwards
        }
        out.push_str(text.get(pos..s).unwrap_or(""));
        out.push_str(&e.replacement);
        pos = t;
    }
    out.push_str(text.get(pos..).unwrap_or(""));
    out
}

/// One pass: accepts fixes in order (earlier first) unless one of their edits conflicts with an
/// edit already accepted; those are deferred to the next pass.
pub fn apply_fixes(text: &str, fixes: &[Fix]) -> Applied {
    let mut accepted: Vec<Edit> = Vec::new();
    let mut applied = Vec::new();
    let mut deferred = Vec::new();
    let mut invalid = Vec::new();
    for (i, fix) in fixes.iter().enumerate() {
        if !fix_is_valid(text, fix) {
            invalid.push(i);
            continue;
        }
        let clash = fix
            .edits
            .iter()
            .any(|e| accepted.iter().any(|a| conflicts(a, e)));
        if clash {
            deferred.push(i);
            continue;
        }
        // A fix whose edits change nothing still counts as applied (it is satisfied).
        accepted.extend(fix.edits.iter().cloned());
        applied.push(i);
    }
    Applied {
        text: apply_edits(text, &accepted),
        applied,
        deferred,
        invalid,
    }
}

/// Which fixes a run applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixMode {
    /// `--fix`: safe fixes only.
    Safe,
    /// `--fix --unsafe-fixes`: every fix.
    Unsafe,
}

impl FixMode {
    pub fn allows(self, a: Applicability) -> bool {
        match self {
            FixMode::Safe => a == Applicability::Safe,
            FixMode::Unsafe => true,
        }
    }
}

/// The result of [`fix_until_stable`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixOutcome {
    pub text: String,
    /// Number of passes that applied at least one fix.
    pub passes: usize,
    /// Fixes applied over all passes.
    pub applied: usize,
    /// True when another pass would not change the text (a fixed point was reached).
    pub converged: bool,
}

/// Default bound on passes: fixes that keep producing new fixes (a rule bug) stop here.
pub const MAX_PASSES: usize = 10;

/// Applies `fixes` to `text`, then calls `relint` on the new text for the next pass's fixes, until
/// no applicable fix remains, a pass changes nothing, or `max_passes` passes have run.
pub fn fix_until_stable(
    text: &str,
    fixes: Vec<Fix>,
    mode: FixMode,
    max_passes: usize,
    mut relint: impl FnMut(&str) -> Vec<Fix>,
) -> FixOutcome {
    let mut current = text.to_string();
    let mut fixes: Vec<Fix> = fixes
        .into_iter()
        .filter(|f| mode.allows(f.applicability))
        .collect();
    let mut passes = 0;
    let mut applied = 0;
    loop {
        if fixes.is_empty() {
            return FixOutcome {
                text: current,
                passes,
                applied,
                converged: true,
            };
        }
        if passes >= max_passes {
            break;
        }
        // Fixes that would change nothing are dropped so they cannot block others forever.
        fixes.retain(|f| !is_noop(&current, f));
        let pass = apply_fixes(&current, &fixes);
        if pass.applied.is_empty() {
            // Only invalid fixes remain: another pass cannot change the text.
            return FixOutcome {
                text: current,
                passes,
                applied,
                converged: true,
            };
        }
        passes += 1;
        applied += pass.applied.len();
        current = pass.text;
        fixes = relint(&current)
            .into_iter()
            .filter(|f| mode.allows(f.applicability))
            .collect();
    }
    FixOutcome {
        text: current,
        passes,
        applied,
        converged: false,
    }
}

/// The fixes carried by `findings`, in order.
pub fn fixes_of(findings: &[crate::finding::Finding]) -> Vec<Fix> {
    findings.iter().filter_map(|f| f.fix.clone()).collect()
}

/// What [`fix_file`] did with a file.
#[derive(Debug)]
pub enum FileFixed {
    /// No applicable fix changed the text.
    Unchanged,
    /// `--diff`: the text would change (the outcome holds it); nothing written.
    Preview,
    /// The fixed text was written.
    Written,
    /// The fixed text could not be written (changed on disk, read-only, I/O); nothing changed.
    Failed(WriteError),
    /// The fixed text failed the check it must pass before it is written or shown (it no longer
    /// parses, or a fix made something worse): why. Nothing was written.
    Refused(String),
}

/// Where [`fix_file`] puts a fixed text.
#[derive(Clone, Copy, Debug)]
pub enum FixTo<'a> {
    /// `--diff`: nowhere (the caller prints a diff of the outcome).
    Preview,
    /// The file itself, with [`rewrite`], never outside these roots.
    Disk(&'a Roots),
}

/// `check --fix` / `--diff` for one file: applies `fixes` (those `mode` allows) to a fixed point,
/// re-linting with `relint`, then puts the result where `to` says. `text` must be the exact
/// decoding of `snapshot.bytes` (never fix a lossily decoded file).
pub fn fix_file(
    snapshot: &FileSnapshot,
    text: &str,
    fixes: Vec<Fix>,
    mode: FixMode,
    to: FixTo<'_>,
    relint: impl FnMut(&str) -> Vec<Fix>,
) -> (FixOutcome, FileFixed) {
    fix_file_checked(snapshot, text, fixes, mode, to, relint, |_| Ok(()))
}

/// [`fix_file`], with the fixed text passed to `accept` before it is written or diffed: an
/// `Err` (see [`check_fixed`]) writes nothing and is [`FileFixed::Refused`].
pub fn fix_file_checked(
    snapshot: &FileSnapshot,
    text: &str,
    fixes: Vec<Fix>,
    mode: FixMode,
    to: FixTo<'_>,
    relint: impl FnMut(&str) -> Vec<Fix>,
    accept: impl FnOnce(&str) -> Result<(), String>,
) -> (FixOutcome, FileFixed) {
    let outcome = fix_until_stable(text, fixes, mode, MAX_PASSES, relint);
    if outcome.text == text {
        return (outcome, FileFixed::Unchanged);
    }
    if let Err(why) = accept(&outcome.text) {
        return (outcome, FileFixed::Refused(why));
    }
    let result = match to {
        FixTo::Preview => FileFixed::Preview,
        FixTo::Disk(roots) => match rewrite(snapshot, outcome.text.as_bytes(), roots) {
            Ok(()) => FileFixed::Written,
            Err(e) => FileFixed::Failed(e),
        },
    };
    (outcome, result)
}

/// The check a fixed text passes before it is written: it parses wherever the original did
/// (no new syntax error), and no finding appears in it that is more severe than the worst
/// finding whose fix was applicable (`fixed_severity`): a fix must not trade a problem for a
/// worse one. Findings are matched by rule and flagged text, not position, since fixes move
/// text. `Err` says why, for the user.
pub fn check_fixed(
    kind: crate::source::FileKind,
    before: (&str, &[Finding]),
    after: (&str, &[Finding]),
    fixed_severity: Option<Severity>,
) -> Result<(), String> {
    let (old_errors, new_errors) = (syntax_errors(kind, before.0), syntax_errors(kind, after.0));
    if let Some((span, message)) = new_errors.into_iter().nth(old_errors.len()) {
        let line = crate::source::LineIndex::new(after.0)
            .line_col(span.start as usize, after.0)
            .line;
        return Err(format!(
            "the fixed text would not parse (line {line}: {message})"
        ));
    }
    let Some(limit) = fixed_severity else {
        return Ok(());
    };
    let key = |text: &str, f: &Finding| {
        (
            f.code,
            f.span
                .text(text)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        )
    };
    let mut known: std::collections::HashMap<_, usize> = std::collections::HashMap::new();
    for f in before.1 {
        *known.entry(key(before.0, f)).or_default() += 1;
    }
    for f in after.1 {
        match known.get_mut(&key(after.0, f)) {
            Some(n) if *n > 0 => *n -= 1,
            _ if f.severity > limit => {
                let line = crate::source::LineIndex::new(after.0)
                    .line_col(f.span.start as usize, after.0)
                    .line;
                return Err(format!(
                    "a fix would bring in {} [{}] ({}) at line {line}, worse than what it fixes",
                    f.code, f.name, f.severity
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

/// The syntax errors of `text` read as `kind`, in order.
fn syntax_errors(kind: crate::source::FileKind, text: &str) -> Vec<(crate::source::Span, String)> {
    use crate::source::FileKind;
    match kind {
        FileKind::Dockerfile => {
            // BuildKit's parser reads any word as an instruction; `docker build` then stops at
            // one it does not know (`unknown instruction: apt-get`), so such a word counts.
            let tree = crate::syntax::dockerfile::parse(text);
            let unknown = tree
                .instructions
                .iter()
                .filter(|i| i.kind == crate::syntax::dockerfile::InstructionKind::Unknown)
                .map(|i| {
                    let word = i.keyword.text(text);
                    (i.keyword, format!("unknown instruction `{word}`"))
                });
            let mut errors: Vec<_> = tree
                .errors
                .iter()
                .map(|e| (e.span, e.message.clone()))
                .chain(unknown)
                .collect();
            errors.sort_by_key(|(span, _)| span.start);
            errors
        }
        FileKind::Compose => crate::syntax::compose::yaml::parse(text)
            .errors
            .into_iter()
            .filter(|e| e.kind == crate::syntax::compose::YamlErrorKind::Syntax)
            .map(|e| (e.span, e.message))
            .collect(),
        FileKind::Env => Vec::new(),
    }
}

/// Whether every edit of `fix` replaces text with the same text.
fn is_noop(text: &str, fix: &Fix) -> bool {
    fix.edits
        .iter()
        .all(|e| text.get(e.span.range()) == Some(e.replacement.as_str()))
}

#[cfg(test)]
mod tests;
