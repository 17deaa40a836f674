//! `yum-unpinned`: a yum install that names a package without a version.

use crate::analysis::packages::{Manager, unpinned_installs};
use crate::rules::prelude::*;

pub struct YumUnpinned;

impl Rule for YumUnpinned {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        for (_, package) in unpinned_installs(cx.analysis(), at.index, at.onbuild, &[Manager::Yum]) {
            let n = package.name;
            cx.report(
                package.word.span,
                format!(
                    "`{n}` is installed without a version, so each build gets whatever the repository holds that day: pin it as `{n}-<version>`"
                ),
            );
        }
    }
}
