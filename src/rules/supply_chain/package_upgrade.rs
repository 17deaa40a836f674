//! `package-upgrade` (off by default): the image upgrades every installed package
//! (`apt-get upgrade`, `apk upgrade`, `dnf update`, `zypper update`) instead of starting from an
//! up-to-date base image. Distribution upgrades are `dist-upgrade`'s.

use crate::analysis::packages::classify;
use crate::rules::prelude::*;

pub struct PackageUpgrade;

impl Rule for PackageUpgrade {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        for c in cx.commands(at) {
            let Some(pc) = classify(c) else { continue };
            if !pc.upgrades_everything() || pc.is_distribution_upgrade() {
                continue;
            }
            let (Some(sub), Some(span)) = (pc.subcommand, pc.name_to_subcommand()) else {
                continue;
            };
            cx.report(
                span,
                format!(
                    "`{} {}` upgrades every package of the base image: what the image contains \
                     then depends on the day it was built rather than on the base it names, and \
                     the fixes land only when this layer is rebuilt; rebuild on a patched base \
                     image instead, and upgrade named packages when one fix cannot wait",
                    c.name().unwrap_or(""),
                    sub.as_str()
                ),
            );
        }
    }
}
