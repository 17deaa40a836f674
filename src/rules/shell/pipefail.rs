//! `pipefail`: a pipe in a RUN whose shell only checks the last command's exit status.

use crate::analysis::command::{Command, Op};
use crate::model::dockerfile::ImageTarget;
use crate::rules::prelude::*;

pub struct Pipefail;

/// Commands whose place upstream of a pipe cannot hide a failure worth stopping for.
const HARMLESS: &[&str] = &["echo", "printf", "yes", "true", "cat"];

impl Rule for Pipefail {
    fn check_dockerfile(&self, cx: &mut Context<'_>, df: &Dockerfile) {
        // One pass in file order, tracking whether the SHELL in effect has pipefail; a stage
        // built on another starts with that stage's last SHELL. (A per-RUN look back would be
        // quadratic in the number of RUNs.)
        let mut stage_ends: Vec<bool> = Vec::with_capacity(df.stages.len());
        for stage in &df.stages {
            let mut pipefail = match df.images.get(stage.base).map(|u| &u.target) {
                Some(ImageTarget::Stage(b)) => stage_ends.get(*b).copied().unwrap_or(false),
                _ => false,
            };
            for index in stage.instrs.clone() {
                let Some(ins) = df.instrs.get(index) else { continue };
                match ins.kind {
                    InstructionKind::Shell => pipefail = ins.rest.text.contains("pipefail"),
                    InstructionKind::Run if !pipefail && !ins.is_exec_form() => {
                        let commands = cx.analysis().posix_run_commands(index, false);
                        check_run(cx, commands);
                    }
                    _ => {}
                }
            }
            stage_ends.push(pipefail);
        }
    }
}

/// Reports the first command of a RUN whose failure a pipe hides, if any.
fn check_run(cx: &mut Context<'_>, commands: &[Command<'_>]) {
    let first_set = commands.iter().position(sets_pipefail);
    for (i, command) in commands.iter().enumerate() {
        if !matches!(command.op_after, Some(Op::Pipe | Op::PipeAll)) {
            continue;
        }
        let harmless = command.name().is_none_or(|n| {
            HARMLESS.contains(&n) && !(n == "cat" && command.operands().next().is_some())
        });
        if harmless || first_set.is_some_and(|p| p < i) {
            continue;
        }
        let name = command.name().unwrap_or("the command");
        let Some(word) = command.name_word() else { continue };
        cx.report(
            word.span,
            format!(
                "`{name}` feeds a pipe, and without `pipefail` the shell takes only the last command's exit status: if `{name}` fails, the RUN still succeeds; start the RUN with `set -o pipefail &&` (bash, ash) or set `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before it"
            ),
        );
        // One finding per RUN: the first pipe that can hide a failure says what to do.
        return;
    }
}

/// `set -o pipefail`, `set -euo pipefail`, `bash -o pipefail -c …`.
fn sets_pipefail(command: &Command<'_>) -> bool {
    (command.is("set") || command.name().is_some_and(crate::analysis::command::is_shell))
        && command.args().iter().any(|w| w.is("pipefail"))
}
