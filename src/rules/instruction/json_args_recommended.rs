//! `json-args-recommended`: `CMD` or `ENTRYPOINT` in shell form in a stage without a `SHELL`
//! (BuildKit's JSONArgsRecommended, hadolint's DL3025).

use crate::rules::prelude::*;
use crate::syntax::dockerfile::Args;

pub struct JsonArgsRecommended;

impl Rule for JsonArgsRecommended {
    fn check_dockerfile(&self, cx: &mut Context<'_>, df: &Dockerfile) {
        let Some(tree) = cx.tree() else { return };
        let text = cx.text();
        // Whether each stage ends with a SHELL set (its own or its base stage's).
        let mut shell_at_end: Vec<bool> = Vec::with_capacity(df.stages.len());
        for stage in &df.stages {
            let mut shell = df
                .base_stage(stage)
                .and_then(|b| shell_at_end.get(b).copied())
                .unwrap_or(false);
            for ins in stage
                .instrs
                .clone()
                .filter_map(|i| tree.instructions.get(i))
            {
                match ins.kind {
                    InstructionKind::Shell => shell = true,
                    InstructionKind::Cmd | InstructionKind::Entrypoint if !shell => {
                        let Args::Text(t) = &ins.args else { continue };
                        let command = ins.text_of(t).trim();
                        let flagged = !ins.flags.is_empty();
                        let finding = cx.report(
                            t.span,
                            format!(
                                "`{}` in shell form runs under `/bin/sh -c`, which does not pass signals on: `docker stop` cannot stop the process cleanly; write it as JSON, `{} [\"…\"]`",
                                ins.kind, ins.kind
                            ),
                        );
                        // With flags (which BuildKit refuses here) the line is not touched.
                        if !flagged {
                            finding.fix = json_fix(ins.kind, command, t.span, text);
                        }
                    }
                    _ => {}
                }
            }
            shell_at_end.push(shell);
        }
    }
}

/// The exec form of a one-line command of plain words (no quotes, variables, operators, globs,
/// escapes, comments, or an environment assignment the shell would apply).
fn json_fix(kind: InstructionKind, command: &str, span: Span, text: &str) -> Option<Fix> {
    if span.text(text).trim() != command || command.is_empty() {
        return None;
    }
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-./:=,@%+".contains(c);
    let words: Vec<&str> = command.split_ascii_whitespace().collect();
    if !command.chars().all(|c| plain(c) || c == ' ' || c == '\t')
        || words.first().is_none_or(|w| w.contains('='))
    {
        return None;
    }
    let json = format!(
        "[{}]",
        words
            .iter()
            .map(|w| format!("\"{w}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Some(Fix {
        description: format!("write the {kind} as JSON (no shell: variables are no longer expanded)"),
        applicability: Applicability::Unsafe,
        edits: vec![Edit::replace(span, json)],
    })
}
