//! `dist-upgrade`: a distribution upgrade inside the image (`apt-get dist-upgrade`,
//! `full-upgrade`, `zypper dist-upgrade`, `dnf distro-sync`), which may replace or remove
//! packages of the base image.

use crate::analysis::packages::classify;
use crate::rules::prelude::*;

pub struct DistUpgrade;

impl Rule for DistUpgrade {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        for c in cx.commands(at) {
            // Classify only the commands that name a distribution upgrade.
            let named = c.args().iter().any(|w| {
                matches!(
                    w.as_str(),
                    "dist-upgrade" | "full-upgrade" | "dup" | "distro-sync" | "system-upgrade"
                )
            });
            if !named {
                continue;
            }
            let Some(pc) = classify(c) else { continue };
            if !pc.is_distribution_upgrade() {
                continue;
            }
            let (Some(sub), Some(span)) = (pc.subcommand, pc.name_to_subcommand()) else {
                continue;
            };
            cx.report(
                span,
                format!(
                    "`{} {}` upgrades the distribution inside the image: it may remove or replace \
                     base-image packages as the new release requires, so the image no longer \
                     matches the base it names and differs from build to build; start from a \
                     newer base image instead (at most, `upgrade` the packages already there)",
                    c.name().unwrap_or(""),
                    sub.as_str()
                ),
            );
        }
    }
}
