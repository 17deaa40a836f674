//! `split-run`: consecutive `RUN`s in one stage that could be one layer. The fix joins
//! the second onto the first with `&& \`.

use crate::rules::prelude::*;

pub struct SplitRun;

impl Rule for SplitRun {
    fn check_dockerfile(&self, cx: &mut Context<'_>, df: &Dockerfile) {
        let text = cx.text();
        for stage in &df.stages {
            let Some(instrs) = df.instrs.get(stage.instrs.clone()) else {
                continue;
            };
            for pair in instrs.windows(2) {
                let [first, second] = pair else { continue };
                if !mergeable(first) || !mergeable(second) || !same_flags(first, second) {
                    continue;
                }
                let finding = cx.report(
                    second.keyword_span,
                    "this RUN directly follows another RUN: join them with `&&` to make one layer",
                );
                finding.fix = merge_fix(first, second, text);
            }
        }
    }
}

/// A shell-form RUN without heredocs (a heredoc RUN is already one layer and has no simple
/// join).
fn mergeable(i: &Instr) -> bool {
    i.kind == InstructionKind::Run
        && !i.is_exec_form()
        && i.heredocs.is_empty()
        && !i.rest.text.trim().is_empty()
}

/// Flags (`--mount`, `--network`, `--security`) apply to the whole RUN, so only RUNs with the
/// same flags can be joined without changing what each command sees.
fn same_flags(a: &Instr, b: &Instr) -> bool {
    a.flags.len() == b.flags.len()
        && a.flags.iter().zip(&b.flags).all(|(x, y)| {
            x.name.eq_ignore_ascii_case(&y.name)
                && x.value.as_ref().map(|v| &v.text) == y.value.as_ref().map(|v| &v.text)
        })
}

/// Append ` && \` to the first command and turn the second RUN keyword into indentation. Lines
/// between them (comments) stay: BuildKit drops comment lines inside a continuation. No fix when
/// the first command ends in a way `&&` cannot follow (`;`, `&`, a comment) or blank lines
/// separate them (an empty continuation line is deprecated).
fn merge_fix(first: &Instr, second: &Instr, text: &str) -> Option<Fix> {
    let cmd = first.rest.text.trim_end();
    if cmd.ends_with([';', '&', '|', '\\']) || has_comment(cmd) {
        return None;
    }
    let between = text.get(first.rest.span.end as usize..second.keyword_span.start as usize)?;
    let lines: Vec<&str> = between.split('\n').collect();
    let middle = lines.get(1..lines.len().saturating_sub(1)).unwrap_or(&[]);
    if middle.iter().any(|l| l.trim().is_empty()) {
        return None;
    }
    let indent_end = second.rest.span.start as usize;
    let written = text.get(first.rest.span.range())?;
    let first_end = first.rest.span.start as usize + written.trim_end().len();
    Some(Fix {
        description: "join the two RUN instructions with `&& \\`".into(),
        applicability: Applicability::Safe,
        edits: vec![
            Edit::insert(first_end, " && \\"),
            Edit::replace(
                Span::new(second.keyword_span.start as usize, indent_end),
                "    ",
            ),
        ],
    })
}

/// Whether a shell command line holds a `#` comment (a `#` starting a word, outside quotes).
fn has_comment(cmd: &str) -> bool {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    let mut escaped = false;
    for c in cmd.chars() {
        if escaped {
            escaped = false;
            prev = c;
            continue;
        }
        match (quote, c) {
            (Some('\''), '\'') => quote = None,
            (Some('\''), _) => {}
            (_, '\\') => escaped = true,
            (Some('"'), '"') => quote = None,
            (None, '\'' | '"') => quote = Some(c),
            (None, '#') if prev.is_whitespace() || prev == ';' || prev == '&' => return true,
            _ => {}
        }
        prev = c;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::has_comment;

    #[test]
    fn finds_shell_comments_only() {
        assert!(has_comment("make # build"));
        assert!(!has_comment("echo '#' \"a #b\" c#d"));
        assert!(!has_comment("echo \\# x"));
    }
}
