//! `unknown-instruction`: a line that starts with no instruction BuildKit knows.

use crate::rules::prelude::*;
use crate::syntax::suggest::suggest;

pub struct UnknownInstruction;

/// BuildKit's instructions, as its "did you mean" lists them.
const INSTRUCTIONS: [&str; 18] = [
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

impl Rule for UnknownInstruction {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Unknown]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        // What an ONBUILD wraps is read in the build that uses the image.
        if at.onbuild {
            return;
        }
        let Some(ins) = cx.tree_instruction(at) else {
            return;
        };
        let word = ins.keyword.text(cx.text());
        if word.is_empty() {
            cx.report(
                ins.span,
                "A line holding only a continuation character is an empty instruction, and `docker build` stops here: remove it",
            );
            return;
        }
        let hint = suggest(word, INSTRUCTIONS, false)
            .map_or(String::new(), |s| format!(" (did you mean `{s}`?)"));
        cx.report(
            ins.keyword,
            format!("`{word}` is not a Dockerfile instruction, and `docker build` stops here{hint}"),
        );
    }
}
