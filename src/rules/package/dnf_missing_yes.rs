//! `dnf-missing-yes`: a dnf install, upgrade or removal that can stop at a prompt.

use crate::analysis::packages::{Manager, run_package_commands};
use crate::rules::prelude::*;

pub struct DnfMissingYes;

impl Rule for DnfMissingYes {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        for pc in run_package_commands(cx.analysis(), at.index, at.onbuild) {
            if pc.manager != Manager::Dnf || !pc.prompts(&["-y", "--assumeyes"]) {
                continue;
            }
            // microdnf never asks: it always assumes yes.
            if pc.command.is("microdnf") {
                continue;
            }
            cx.report_prompting_command(pc, "dnf", "add `-y`");
        }
    }
}
