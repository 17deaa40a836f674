//! `zypper-missing-yes`: a zypper install, upgrade or removal that can stop at a prompt.

use crate::analysis::packages::{Manager, run_package_commands};
use crate::rules::prelude::*;

pub struct ZypperMissingYes;

impl Rule for ZypperMissingYes {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        for pc in run_package_commands(cx.analysis(), at.index, at.onbuild) {
            if pc.manager != Manager::Zypper || !pc.prompts(&["-n", "--non-interactive", "-y", "--no-confirm"]) {
                continue;
            }
            cx.report_prompting_command(pc, "zypper", "add `-n` (before the subcommand) or `-y`");
        }
    }
}
