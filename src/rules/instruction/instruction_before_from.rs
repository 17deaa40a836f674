//! `instruction-before-from`: an instruction other than ARG before the first FROM (BuildKit:
//! "no build stage in current context"), or a file without a FROM.

use crate::rules::prelude::*;

pub struct InstructionBeforeFrom;

impl Rule for InstructionBeforeFrom {
    fn check_dockerfile(&self, cx: &mut Context<'_>, df: &Dockerfile) {
        let first_from = df.stages.first().map_or(df.instrs.len(), |s| s.from);
        // Unknown instructions are unknown-instruction's finding.
        let misplaced = df.instrs.iter().take(first_from).find(|i| {
            !matches!(i.kind, InstructionKind::Arg | InstructionKind::Unknown)
        });
        if let Some(ins) = misplaced {
            let message = if df.stages.is_empty() {
                format!("`{}` has no stage to act on: the file has no FROM, and `docker build` has nothing to build", ins.keyword)
            } else {
                format!("`{}` comes before the first FROM, where only ARG may be, and `docker build` stops here: move it into a stage", ins.keyword)
            };
            cx.report(ins.keyword_span, message);
        } else if df.stages.is_empty()
            && let Some(first) = df.instrs.first().filter(|i| i.kind == InstructionKind::Arg)
        {
            cx.report(
                first.keyword_span,
                "The file has no FROM: there is no stage to build, and `docker build` fails",
            );
        }
    }
}
