//! `apt-lists-kept`: `apt-get update` in a RUN that leaves the package lists in the image.

use crate::analysis::packages::{Action, Manager, leaves_in_image, run_package_commands};
use crate::rules::prelude::*;

pub struct AptListsKept;

impl Rule for AptListsKept {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        let Some(df) = cx.dockerfile() else { return };
        // Build stages the final image is not built on, and cache mounts, leave nothing.
        if !leaves_in_image(df, at.instr, at.stage, at.onbuild, "/var/lib/apt") {
            return;
        }
        let commands = cx.analysis().posix_run_commands(at.index, at.onbuild);
        if commands.iter().any(removes_lists) {
            return;
        }
        for pc in run_package_commands(cx.analysis(), at.index, at.onbuild) {
            if pc.manager != Manager::Apt || pc.action != Action::Update {
                continue;
            }
            let start = pc.command.name_word().map_or(pc.command.span.start, |w| w.span.start);
            let end = pc.subcommand.map_or(pc.command.span.end, |w| w.span.end);
            cx.report(
                Span::new(start as usize, end as usize),
                "the package lists this update downloads stay in the image (tens of MB that go stale): end the same RUN with `rm -rf /var/lib/apt/lists/*`",
            );
        }
    }
}

/// `rm -rf /var/lib/apt/lists/*` (or the directory itself), or `apt-get dist-clean` (apt 2.7
/// and later), which removes the lists with the cache.
fn removes_lists(command: &crate::analysis::command::Command<'_>) -> bool {
    if command.is("rm") {
        return command
            .operands()
            .any(|w| w.as_str().starts_with("/var/lib/apt/lists"));
    }
    crate::analysis::packages::head(command).is_some_and(|h| {
        h.manager == Manager::Apt && h.subcommand.is_some_and(|w| w.is("dist-clean"))
    })
}
