//! `copy-from-later-stage`: `COPY --from` / `RUN --mount=from=` naming the stage itself or a
//! later one (BuildKit: "cannot copy from stage …", "circular dependency detected").

use crate::rules::prelude::*;

pub struct CopyFromLaterStage;

impl Rule for CopyFromLaterStage {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Copy, InstructionKind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        // ONBUILD runs in another build, with that build's stages.
        let (false, Some(stage), Some(df)) = (at.onbuild, at.stage, cx.dockerfile()) else {
            return;
        };
        for (value, span) in sources(at.instr) {
            if value.contains('$') {
                continue;
            }
            let lower = value.to_ascii_lowercase();
            let target = match lower.parse::<usize>() {
                Ok(n) => Some(n),
                Err(_) => df
                    .stages
                    .iter()
                    .rev()
                    .find(|s| s.name.as_deref() == Some(lower.as_str()))
                    .map(|s| s.index),
            };
            let Some(target) = target else { continue };
            let message = if target == stage.index {
                format!(
                    "`{value}` is this stage itself: a stage cannot use its own result (a circular dependency)"
                )
            } else if target > stage.index {
                let line = df
                    .stages
                    .get(target)
                    .and_then(|s| df.instrs.get(s.from))
                    .map(|from| cx.file.line_col(from.span.start as usize).line);
                match line {
                    Some(line) => format!(
                        "Stage `{value}` is defined later (line {line}): BuildKit builds stages in file order, so it cannot be used here"
                    ),
                    None => format!("The file has no stage {target}: stages are numbered from 0"),
                }
            } else {
                continue;
            };
            cx.report(span, format!("{message}; `docker build` stops here"));
        }
    }
}

/// The stage references of a COPY (`--from`) or RUN (`--mount=…,from=…`), with their spans.
fn sources(ins: &Instr) -> Vec<(String, Span)> {
    let mut out = Vec::new();
    match ins.kind {
        InstructionKind::Copy => {
            if let Some(v) = ins.flag("from").and_then(|f| f.value.as_ref()) {
                out.push((v.text.clone(), v.span));
            }
        }
        _ => {
            for f in ins.flags.iter().filter(|f| f.name == "mount") {
                let Some(v) = &f.value else { continue };
                for field in v.text.split(',') {
                    if let Some(from) = field.strip_prefix("from=") {
                        out.push((from.to_string(), v.span));
                    }
                }
            }
        }
    }
    out
}
