//! `pip-unpinned`: a pip install that names a package without a version.

use crate::analysis::packages::{Manager, unpinned_installs};
use crate::rules::prelude::*;

pub struct PipUnpinned;

impl Rule for PipUnpinned {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        for (command, package) in unpinned_installs(cx.analysis(), at.index, at.onbuild, &[Manager::Pip]) {
            if command.has_any_flag(&["-c", "--constraint"]) {
                // A constraints file pins whatever the command installs.
                continue;
            }
            let n = package.name;
            cx.report(
                package.word.span,
                format!(
                    "`{n}` is installed without a version, so each build gets whatever the package index holds that day: pin it as `{n}==<version>` (or install from a requirements or constraints file)"
                ),
            );
        }
    }
}
