//! `zypper-cache-kept`: a zypper install whose cache stays in the layer.

use crate::analysis::packages::{Manager, leaves_in_image, uncleaned_install};
use crate::rules::prelude::*;

pub struct ZypperCacheKept;

impl Rule for ZypperCacheKept {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        let Some(df) = cx.dockerfile() else { return };
        // Build stages the final image is not built on, and cache mounts, leave nothing.
        if !leaves_in_image(df, at.instr, at.stage, at.onbuild, "/var/cache/zypp") {
            return;
        }
        let commands = cx.analysis().posix_run_commands(at.index, at.onbuild);
        let Some(install) = uncleaned_install(commands, &[Manager::Zypper], &[Manager::Zypper]) else {
            return;
        };
        let Some(name) = install.name_word() else { return };
        cx.report(
            name.span,
            "the downloaded packages and metadata of this install stay in the layer, and no later RUN can take them out: end the same RUN with `zypper clean --all`",
        );
    }
}
