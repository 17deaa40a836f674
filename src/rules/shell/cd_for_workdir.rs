//! `cd-for-workdir`: a RUN that starts by changing directory, where `WORKDIR` says it once.

use crate::analysis::command::CommandContext as ShellContext;
use crate::rules::prelude::*;

pub struct CdForWorkdir;

impl Rule for CdForWorkdir {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        if at.instr.is_exec_form() {
            return;
        }
        let commands = cx.analysis().posix_run_commands(at.index, at.onbuild);
        // Only a `cd` that opens the RUN (after `set -eux`), with a directory, is what WORKDIR
        // replaces; a `cd`
        // into something the RUN itself unpacked, or inside `( … )`, `$( … )`, is not.
        let Some(first) = commands
            .iter()
            .find(|c| c.context == ShellContext::TopLevel && c.name_word().is_some() && !c.is("set"))
        else {
            return;
        };
        if !first.is("cd") || !first.wrappers().is_empty() {
            return;
        }
        let Some(dir) = first.operands().next() else {
            return;
        };
        if dir.as_str() == "-" {
            return;
        }
        let d = dir.as_str();
        let Some(name) = first.name_word() else { return };
        cx.report(
            Span::new(name.span.start as usize, dir.span.end as usize),
            format!(
                "this RUN starts with `cd {d}`, which every RUN working there must repeat: set `WORKDIR {d}` before it once, and later instructions start there too"
            ),
        );
    }
}
