//! `sh-symlink`: a RUN replacing `/bin/sh` with a link to another shell.

use crate::rules::prelude::*;

pub struct ShSymlink;

impl Rule for ShSymlink {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        for command in cx.analysis().posix_run_commands(at.index, at.onbuild) {
            if !command.is("ln") {
                continue;
            }
            // `ln [-sf] TARGET LINK`: the last operand is the link made.
            let Some(link) = command.operands().last() else { continue };
            if !matches!(link.as_str(), "/bin/sh" | "/usr/bin/sh") {
                continue;
            }
            let target = command
                .operands()
                .next()
                .map_or("another shell", |w| w.as_str());
            cx.report(
                link.span,
                format!(
                    "relinking `{}` to `{target}` changes the shell of every later RUN and of every program in the image that runs `sh`: to run RUNs in another shell, write `SHELL [\"{target}\", \"-c\"]`",
                    link.as_str()
                ),
            );
        }
    }
}
