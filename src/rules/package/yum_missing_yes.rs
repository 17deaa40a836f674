//! `yum-missing-yes`: a yum install, upgrade or removal that can stop at a prompt.

use crate::analysis::packages::{Manager, run_package_commands};
use crate::rules::prelude::*;

pub struct YumMissingYes;

impl Rule for YumMissingYes {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        for pc in run_package_commands(cx.analysis(), at.index, at.onbuild) {
            if pc.manager != Manager::Yum || !pc.prompts(&["-y", "--assumeyes"]) {
                continue;
            }
            cx.report_prompting_command(pc, "yum", "add `-y`");
        }
    }
}
