//! Code actions: a finding's fix, "ignore this rule on this line", and "pin image digest".

use super::backend;
use super::backend::Linted;
use super::convert::{self, text_edit};
use super::hover::{self, ImageRef};
use crate::finding::{Applicability, Finding};
use crate::source::{FileKind, SourceFile, Span};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Diagnostic, TextEdit, Uri, WorkspaceEdit,
};
use std::collections::HashMap;

fn overlaps(a: Span, b: Span) -> bool {
    a.start <= b.end && b.start <= a.end
}

fn workspace_edit(uri: &Uri, edits: Vec<TextEdit>) -> WorkspaceEdit {
    WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..WorkspaceEdit::default()
    }
}

fn wanted(only: Option<&[CodeActionKind]>, kind: &CodeActionKind) -> bool {
    only.is_none_or(|only| {
        only.iter().any(|o| {
            kind.as_str() == o.as_str() || kind.as_str().starts_with(&format!("{}.", o.as_str()))
        })
    })
}

/// Quick fixes and ignore comments for the findings touching `range`.
pub fn finding_actions(
    linted: &Linted,
    uri: &Uri,
    range: Span,
    only: Option<&[CodeActionKind]>,
) -> Vec<CodeActionOrCommand> {
    let mut out = Vec::new();
    if !wanted(only, &CodeActionKind::QUICKFIX) {
        return out;
    }
    let file = &linted.report.file;
    for finding in linted
        .report
        .findings
        .iter()
        .filter(|f| overlaps(f.span, range))
    {
        let diag: Diagnostic = convert::diagnostic(file, uri, finding);
        if let Some(fix) = &finding.fix {
            let unsafe_note = match fix.applicability {
                Applicability::Safe => "",
                Applicability::Unsafe => " (unsafe)",
            };
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!(
                    "{}{unsafe_note}",
                    convert::safe_text(file, finding, &fix.description)
                ),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diag.clone()]),
                edit: Some(workspace_edit(
                    uri,
                    fix.edits.iter().map(|e| text_edit(file, e)).collect(),
                )),
                is_preferred: Some(fix.applicability == Applicability::Safe),
                ..CodeAction::default()
            }));
        }
        out.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: format!("Ignore {} ({}) on this line", finding.code, finding.name),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diag]),
            edit: Some(workspace_edit(
                uri,
                vec![ignore_edit(file, &linted.statements, finding)],
            )),
            ..CodeAction::default()
        }));
    }
    out
}

/// First line (0-based) of the statement holding 0-based `line`: the innermost of the engine's
/// statement ranges (1-based, inclusive) when it has them, else (Dockerfile) the first line of a
/// backslash continuation.
fn statement_start(file: &SourceFile, statements: &[(u32, u32)], line: usize) -> usize {
    let one_based = line as u32 + 1;
    if let Some((start, _)) = statements
        .iter()
        .filter(|(s, e)| *s <= one_based && one_based <= *e)
        .min_by_key(|(s, e)| e - s)
    {
        return start.saturating_sub(1) as usize;
    }
    if file.kind != FileKind::Dockerfile {
        return line;
    }
    let text = &*file.text;
    let mut start = line;
    while start > 0 {
        let prev = file
            .line_index
            .line_range(start - 1, text)
            .map_or("", |r| &text[r]);
        if !prev.trim_end().ends_with('\\') {
            break;
        }
        start -= 1;
    }
    start
}

/// `# plimsoll ignore=CODE` above the finding's statement, indented like it; added to an
/// existing plimsoll ignore comment on the line above when there is one.
pub fn ignore_edit(file: &SourceFile, statements: &[(u32, u32)], finding: &Finding) -> TextEdit {
    let text = &*file.text;
    let line = statement_start(
        file,
        statements,
        file.line_index.line_of(finding.span.start as usize),
    );
    let range = file.line_index.line_range(line, text).unwrap_or(0..0);
    let content = &text[range.clone()];
    if line > 0
        && let Some(prev) = file.line_index.line_range(line - 1, text)
    {
        let prev_text = &text[prev.clone()];
        let trimmed = prev_text.trim_start();
        if let Some(list) = trimmed.strip_prefix("# plimsoll ignore=") {
            let list_end = list.find(char::is_whitespace).unwrap_or(list.len());
            let at = prev.end - (trimmed.len() - "# plimsoll ignore=".len()) + list_end;
            return text_edit(
                file,
                &crate::finding::Edit::insert(at, format!(",{}", finding.code)),
            );
        }
    }
    let indent = &content[..content.len() - content.trim_start().len()];
    let newline = if text[range.end..].starts_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    text_edit(
        file,
        &crate::finding::Edit::insert(
            range.start,
            format!("{indent}# plimsoll ignore={}{newline}", finding.code),
        ),
    )
}

/// Image references touching `range` that a digest would pin.
pub fn pinnable(file: &SourceFile, range: Span) -> Vec<ImageRef> {
    hover::image_refs(file)
        .into_iter()
        .filter(|r| overlaps(r.span, range) && !r.has_variables())
        .filter(|r| backend::parse_image(&r.text).is_some_and(|p| p.digest.is_none() && !p.scratch))
        .collect()
}

/// "Pin image digest" for an image whose digest `resolve` found.
pub fn pin_action(
    file: &SourceFile,
    uri: &Uri,
    image: &ImageRef,
    digest: &str,
) -> CodeActionOrCommand {
    let short: String = digest.chars().take("sha256:".len() + 12).collect();
    CodeActionOrCommand::CodeAction(CodeAction {
        title: format!("Pin image digest: {}@{short}…", image.text),
        kind: Some(CodeActionKind::QUICKFIX),
        edit: Some(workspace_edit(
            uri,
            vec![text_edit(
                file,
                &crate::finding::Edit::replace(image.span, format!("{}@{digest}", image.text)),
            )],
        )),
        ..CodeAction::default()
    })
}

pub fn wants_pin(only: Option<&[CodeActionKind]>) -> bool {
    wanted(only, &CodeActionKind::QUICKFIX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Edit, Fix, Severity};
    use crate::rules::RuleId;
    use lsp_types::{Position, Range};

    fn report(text: &str, findings: Vec<Finding>) -> Linted {
        Linted {
            report: crate::finding::FileReport {
                file: SourceFile::new("/w/Dockerfile", text, FileKind::Dockerfile),
                findings,
            },
            statements: Vec::new(),
        }
    }

    fn uri() -> Uri {
        "file:///w/Dockerfile".parse().unwrap()
    }

    /// The BuildKit checks' fixes reach the editor as quick fixes, through the same lint the
    /// language server runs.
    #[test]
    fn buildkit_check_fixes_are_quick_fixes() {
        let text = "from alpine:3.20 AS Build\nCOPY a \\\n\n  /a\nENV K v\nEXPOSE 80/TCP\nMAINTAINER me\nFROM --platform=$TARGETPLATFORM alpine:3.20\nCMD run --now\n";
        let file = SourceFile::new("/w/Dockerfile", text, FileKind::Dockerfile);
        let linted =
            backend::lint_document(&file, &crate::rules::settings::LintSettings::default());
        let whole = Span::new(0, text.len());
        let actions = finding_actions(&linted, &uri(), whole, None);
        let fixes: Vec<(String, bool)> = actions
            .iter()
            .filter_map(|a| match a {
                CodeActionOrCommand::CodeAction(a) if !a.title.starts_with("Ignore") => {
                    Some((a.title.clone(), a.edit.is_some()))
                }
                _ => None,
            })
            .collect();
        for (name, wanted) in [
            ("consistent-instruction-casing", "write `FROM`"),
            ("from-as-casing", "write `as`"),
            ("stage-name-casing", "lower-case the stage name to `build`"),
            ("no-empty-continuation", "delete the empty line"),
            ("legacy-key-value-format", "write `key=value`"),
            ("expose-proto-casing", "write `tcp`"),
            ("maintainer-deprecated", "replace MAINTAINER with LABEL"),
            ("redundant-target-platform", "remove `--platform` (unsafe)"),
            ("json-args-recommended", "write the CMD as JSON"),
        ] {
            assert!(
                fixes.iter().any(|(t, edit)| t.starts_with(wanted) && *edit),
                "{name}: no quick fix titled `{wanted}` among {fixes:?}"
            );
        }
    }

    #[test]
    fn offers_fix_and_ignore_for_touching_findings() {
        let text = "FROM debian:latest\nRUN a\n";
        let span = Span::new(5, 18);
        let f = Finding::new(
            RuleId::LatestTag.code(),
            RuleId::LatestTag.name(),
            Severity::Warning,
            span,
            "latest",
        )
        .with_fix(Fix {
            description: "Use debian:stable-slim".into(),
            applicability: Applicability::Unsafe,
            edits: vec![Edit::replace(Span::new(12, 18), "stable-slim")],
        });
        let r = report(text, vec![f]);
        let actions = finding_actions(&r, &uri(), Span::new(6, 6), None);
        let titles: Vec<_> = actions
            .iter()
            .map(|a| match a {
                CodeActionOrCommand::CodeAction(a) => a.title.clone(),
                CodeActionOrCommand::Command(c) => c.title.clone(),
            })
            .collect();
        assert_eq!(
            titles,
            [
                "Use debian:stable-slim (unsafe)",
                "Ignore PL101 (latest-tag) on this line"
            ]
        );
        let CodeActionOrCommand::CodeAction(fix) = &actions[0] else {
            panic!("not an action")
        };
        let edits = &fix.edit.as_ref().unwrap().changes.as_ref().unwrap()[&uri()];
        assert_eq!(
            edits[0].range,
            Range::new(Position::new(0, 12), Position::new(0, 18))
        );
        assert!(finding_actions(&r, &uri(), Span::new(20, 22), None).is_empty());
        let refactor_only = [CodeActionKind::REFACTOR];
        assert!(finding_actions(&r, &uri(), span, Some(&refactor_only)).is_empty());
    }

    #[test]
    fn ignore_goes_above_the_statement_indented_with_its_line_ending() {
        let text = "FROM a\r\n  RUN x \\\r\n    && curl y\r\n";
        let at = text.find("curl").unwrap();
        let f = Finding::new(
            RuleId::SplitRun.code(),
            RuleId::SplitRun.name(),
            Severity::Style,
            Span::new(at, at + 4),
            "m",
        );
        let r = report(text, vec![]);
        let e = ignore_edit(&r.report.file, &[], &f);
        assert_eq!(e.range.start, Position::new(1, 0));
        assert_eq!(e.range.start, e.range.end);
        assert_eq!(e.new_text, "  # plimsoll ignore=PL301\r\n");
    }

    #[test]
    fn ignore_uses_the_innermost_engine_statement() {
        // A compose key inside a service: statements nest; the innermost starts the comment.
        let text = "services:\n  web:\n    image: a:latest\n";
        let file = SourceFile::new("/w/compose.yaml", text, FileKind::Compose);
        let at = text.find("a:latest").unwrap();
        let f = Finding::new(
            RuleId::LatestTag.code(),
            RuleId::LatestTag.name(),
            Severity::Warning,
            Span::new(at, at + 8),
            "m",
        );
        let e = ignore_edit(&file, &[(1, 3), (2, 3), (3, 3)], &f);
        assert_eq!(e.range.start, Position::new(2, 0));
        assert_eq!(e.new_text, "    # plimsoll ignore=PL101\n");
    }

    #[test]
    fn ignore_extends_an_existing_comment() {
        let text = "# plimsoll ignore=PL101 because\nFROM debian\n";
        let f = Finding::new(
            RuleId::LatestTagImplicit.code(),
            "x",
            Severity::Style,
            Span::new(37, 43),
            "m",
        );
        let r = report(text, vec![]);
        let e = ignore_edit(&r.report.file, &[], &f);
        assert_eq!(e.range.start, Position::new(0, 23));
        assert_eq!(e.new_text, ",PL102");
    }

    #[test]
    fn pins_unpinned_images_in_range() {
        let text = "FROM debian:12 AS a\nFROM alpine@sha256:00\nFROM $X\n";
        let file = SourceFile::new("/w/Dockerfile", text, FileKind::Dockerfile);
        let all = pinnable(&file, Span::new(0, text.len()));
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].text, "debian:12");
        let CodeActionOrCommand::CodeAction(a) =
            pin_action(&file, &uri(), &all[0], "sha256:abcdef0123456789")
        else {
            panic!("not an action")
        };
        let edits = &a.edit.unwrap().changes.unwrap()[&uri()];
        assert_eq!(edits[0].new_text, "debian:12@sha256:abcdef0123456789");
        assert_eq!(edits[0].range.start, Position::new(0, 5));
    }
}
