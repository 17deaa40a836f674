//! `apt-missing-yes`: an apt-get install, upgrade or removal that can stop at a prompt.

use crate::analysis::command::Op;
use crate::analysis::packages::Manager;
use crate::rules::prelude::*;

pub struct AptMissingYes;

/// Options that answer apt's "Do you want to continue?" (`-qq` implies `-y`).
const YES: &[&str] = &["-y", "--yes", "--assume-yes", "-qq", "-q=2", "--quiet=2"];

impl Rule for AptMissingYes {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        let commands = cx.analysis().posix_run_commands(at.index, at.onbuild);
        let packages = cx.analysis().package_commands(at.index, at.onbuild);
        for (i, (command, pc)) in commands.iter().zip(packages).enumerate() {
            let Some(pc) = pc else {
                continue;
            };
            if pc.manager != Manager::Apt
                || !pc.prompts(YES)
                || assume_yes_option(command)
                || fed_by_yes(commands, i)
            {
                continue;
            }
            let (Some(sub), Some(head)) = (pc.subcommand, pc.name_to_subcommand()) else {
                continue;
            };
            let name = command.name().unwrap_or("apt-get");
            let message = format!(
                "`{name} {}` without `-y` stops at \"Do you want to continue?\" and the build fails as soon as it has more to install than it was asked; add `-y`",
                sub.as_str()
            );
            let fix = pc.insert_after_subcommand(cx.text(), "-y").map(|edit| Fix {
                description: "add `-y`".into(),
                // Where apt would have stopped and failed the build, it now goes on.
                applicability: Applicability::Unsafe,
                edits: vec![edit],
            });
            cx.report(head, message).fix = fix;
        }
    }
}

/// `-o APT::Get::Assume-Yes=true` (or `=1`).
fn assume_yes_option(command: &crate::analysis::command::Command<'_>) -> bool {
    command.args().windows(2).any(|w| {
        w[0].is("-o")
            && w[1]
                .as_str()
                .strip_prefix("APT::Get::Assume-Yes=")
                .is_some_and(|v| matches!(v, "true" | "1" | "yes"))
    })
}

/// `yes | apt-get install …`: the prompt is answered by the pipe.
fn fed_by_yes(commands: &[crate::analysis::command::Command<'_>], i: usize) -> bool {
    let Some(current) = commands.get(i) else {
        return false;
    };
    i.checked_sub(1)
        .and_then(|p| commands.get(p))
        .is_some_and(|prev| {
            prev.is("yes") && matches!(current.op_before, Some(Op::Pipe | Op::PipeAll))
        })
}
