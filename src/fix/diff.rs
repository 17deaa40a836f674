//! Unified diffs of a fix or a pin, and diffs that never print a secret.
//!
//! A diff shows the user's own bytes, so that it can be applied with `patch` or `git apply`; it
//! must still never print a span the secret scanner flagged. [`unified_diff_masked`] does both
//! where it can: a context line holding a secret is left out of the hunk (a hunk's context may
//! be uneven, and both tools accept that; the hunk is split where such a line falls between two
//! changes), so the patch still applies. Only a changed line that itself holds a secret has the
//! secret replaced by its redaction; the patch then no longer applies to that line, and a line
//! before the `---` header (which both tools skip) says so.

use crate::finding::redact;
use crate::source::Span;
use similar::{ChangeTag, TextDiff};

/// Lines of context around each change, as `diff -u` prints.
const CONTEXT: usize = 3;

/// The first line of a diff whose changed lines had secrets masked.
pub const MASKED_NOTE: &str =
    "# plimsoll: secrets in changed lines are masked; this patch does not apply to those lines";

/// A unified diff (3 lines of context) from `old` to `new`, labelled `a/<label>` and
/// `b/<label>`; empty when the texts are equal.
pub fn unified_diff(label: &str, old: &str, new: &str) -> String {
    unified_diff_masked(label, old, new, &[], &[])
}

/// One line of the diff.
struct Line<'t> {
    tag: ChangeTag,
    text: &'t str,
    /// Byte offset of the line in the text it comes from (old for `-` and context, new for `+`).
    start: usize,
}

/// [`unified_diff`] that prints no byte of `old_secrets` (spans of `old`) or `new_secrets`
/// (spans of `new`): context lines holding one are left out, changed lines have it masked.
pub fn unified_diff_masked(
    label: &str,
    old: &str,
    new: &str,
    old_secrets: &[Span],
    new_secrets: &[Span],
) -> String {
    if old == new {
        return String::new();
    }
    let diff = TextDiff::from_lines(old, new);
    let mut lines = Vec::new();
    let (mut old_at, mut new_at) = (0usize, 0usize);
    for change in diff.iter_all_changes() {
        let text = change.value();
        let start = match change.tag() {
            ChangeTag::Insert => new_at,
            _ => old_at,
        };
        match change.tag() {
            ChangeTag::Equal => {
                old_at += text.len();
                new_at += text.len();
            }
            ChangeTag::Delete => old_at += text.len(),
            ChangeTag::Insert => new_at += text.len(),
        }
        lines.push(Line {
            tag: change.tag(),
            text,
            start,
        });
    }
    let secrets_of = |l: &Line<'_>| -> Vec<Span> {
        let spans = if l.tag == ChangeTag::Insert {
            new_secrets
        } else {
            old_secrets
        };
        let end = l.start + l.text.len();
        spans
            .iter()
            .filter(|s| (s.start as usize) < end && (s.end as usize) > l.start && !s.is_empty())
            .copied()
            .collect()
    };
    let secret: Vec<bool> = lines.iter().map(|l| !secrets_of(l).is_empty()).collect();
    let changed = |i: usize| lines[i].tag != ChangeTag::Equal;
    // Which lines the hunks hold: every change, and up to CONTEXT equal lines on each side of
    // one, stopping at a line holding a secret.
    let mut keep = vec![false; lines.len()];
    for i in 0..lines.len() {
        if !changed(i) {
            continue;
        }
        keep[i] = true;
        for j in (i.saturating_sub(CONTEXT)..i).rev() {
            if changed(j) || secret[j] {
                break;
            }
            keep[j] = true;
        }
        for j in i + 1..(i + 1 + CONTEXT).min(lines.len()) {
            if changed(j) || secret[j] {
                break;
            }
            keep[j] = true;
        }
    }
    let mut out = String::new();
    let mut masked_any = false;
    let (mut old_line, mut new_line) = (1usize, 1usize);
    let mut i = 0;
    while i < lines.len() {
        if !keep[i] {
            match lines[i].tag {
                ChangeTag::Equal => {
                    old_line += 1;
                    new_line += 1;
                }
                ChangeTag::Delete => old_line += 1,
                ChangeTag::Insert => new_line += 1,
            }
            i += 1;
            continue;
        }
        let run_end = (i..lines.len()).find(|&j| !keep[j]).unwrap_or(lines.len());
        let run = &lines[i..run_end];
        let olds = run.iter().filter(|l| l.tag != ChangeTag::Insert).count();
        let news = run.iter().filter(|l| l.tag != ChangeTag::Delete).count();
        out.push_str(&format!(
            "@@ -{} +{} @@\n",
            range(old_line, olds),
            range(new_line, news)
        ));
        for l in run {
            let sign = match l.tag {
                ChangeTag::Equal => ' ',
                ChangeTag::Delete => '-',
                ChangeTag::Insert => '+',
            };
            out.push(sign);
            let spans = secrets_of(l);
            if spans.is_empty() {
                out.push_str(l.text);
            } else {
                masked_any = true;
                out.push_str(&mask_line(l.text, l.start, &spans));
            }
            if !l.text.ends_with('\n') {
                out.push_str("\n\\ No newline at end of file\n");
            }
        }
        old_line += olds;
        new_line += news;
        i = run_end;
    }
    let header = format!("--- a/{label}\n+++ b/{label}\n");
    if masked_any {
        format!("{MASKED_NOTE}\n{header}{out}")
    } else {
        format!("{header}{out}")
    }
}

/// `start,count` of a hunk side as `diff -u` writes it: a side with no lines names the line
/// before the hunk, and a count of one is left out.
fn range(first: usize, count: usize) -> String {
    match count {
        0 => format!("{},0", first - 1),
        1 => format!("{first}"),
        n => format!("{first},{n}"),
    }
}

/// The line (starting at byte `start` of its text) with each secret span redacted.
fn mask_line(line: &str, start: usize, spans: &[Span]) -> String {
    let mut sorted = spans.to_vec();
    sorted.sort();
    // The line terminator is never masked: the diff must keep its lines.
    let body = line.trim_end_matches('\n').trim_end_matches('\r').len();
    let mut out = String::with_capacity(line.len());
    let mut pos = 0;
    for s in sorted {
        let a = (s.start as usize).saturating_sub(start).min(body);
        let b = (s.end as usize).saturating_sub(start).min(body);
        let a = a.max(pos);
        if a >= b || !line.is_char_boundary(a) || !line.is_char_boundary(b) {
            continue;
        }
        out.push_str(&line[pos..a]);
        // A secret that began on an earlier line (a key block) shows nothing of this line.
        if (s.start as usize) < start {
            out.push('…');
        } else {
            out.push_str(&redact(&line[a..b]));
        }
        pos = b;
    }
    out.push_str(&line[pos..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_diffs_match_diff_u() {
        let d = unified_diff("Dockerfile", "FROM a\nRUN x\n", "FROM a@sha256:1\nRUN x\n");
        assert_eq!(
            d,
            "--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1,2 +1,2 @@\n-FROM a\n+FROM a@sha256:1\n RUN x\n"
        );
        assert_eq!(unified_diff("f", "a\n", "a\n"), "");
        let d = unified_diff("f", "a", "b");
        assert!(d.contains("-a\n\\ No newline at end of file\n+b\n\\ No newline"));
        let d = unified_diff("f", "", "x\n");
        assert!(d.contains("@@ -0,0 +1 @@\n+x\n"), "{d}");
    }

    #[test]
    fn context_lines_with_secrets_are_left_out() {
        let old = "a\nTOKEN=ghp_secretsecret\nb\nFROM x\nc\n";
        let new = "a\nTOKEN=ghp_secretsecret\nb\nFROM x@sha256:1\nc\n";
        let at = old.find("ghp_").unwrap();
        let s = Span::new(at, at + "ghp_secretsecret".len());
        let d = unified_diff_masked("f", old, new, &[s], &[s]);
        assert!(!d.contains("ghp_"), "{d}");
        assert_eq!(
            d,
            "--- a/f\n+++ b/f\n@@ -3,3 +3,3 @@\n b\n-FROM x\n+FROM x@sha256:1\n c\n"
        );
    }

    #[test]
    fn changed_lines_with_secrets_are_masked_and_the_header_says_so() {
        let old = "ENV TOKEN=ghp_secretsecret\n";
        let new = "ENV TOKEN=ghp_secretsecret \n";
        let s = Span::new(10, 26);
        let d = unified_diff_masked("f", old, new, &[s], &[s]);
        assert!(d.starts_with(MASKED_NOTE), "{d}");
        assert!(d.contains("-ENV TOKEN=ghp_…\n+ENV TOKEN=ghp_… \n"), "{d}");
    }
}
