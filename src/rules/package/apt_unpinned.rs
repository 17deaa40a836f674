//! `apt-unpinned`: a apt install that names a package without a version.

use crate::analysis::packages::{Manager, unpinned_installs};
use crate::rules::prelude::*;

pub struct AptUnpinned;

impl Rule for AptUnpinned {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        for (_, package) in unpinned_installs(cx.analysis(), at.index, at.onbuild, &[Manager::Apt]) {
            let n = package.name;
            cx.report(
                package.word.span,
                format!(
                    "`{n}` is installed without a version, so each build gets whatever the Debian/Ubuntu archive holds that day: pin it as `{n}=<version>`"
                ),
            );
        }
    }
}
