//! `go-install-unpinned`: `go install path@version` with a version that moves (`@latest`, a
//! branch name).

use crate::analysis::packages::{Manager, run_package_commands};
use crate::rules::prelude::*;

pub struct GoInstallUnpinned;

impl Rule for GoInstallUnpinned {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        for pc in run_package_commands(cx.analysis(), at.index, at.onbuild) {
            if pc.manager != Manager::Go || pc.command.subcommand() != Some("install") {
                continue;
            }
            for package in &pc.packages {
                // Without `@version`, `go install` builds the version the current module's
                // go.mod requires (or fails outside a module): that is a pin, not a float.
                let Some(version) = package.version.and_then(|v| v.strip_prefix('@')) else {
                    continue;
                };
                if is_fixed_version(version) {
                    continue;
                }
                let n = package.name;
                cx.report(
                    package.word.span,
                    format!(
                        "`{n}@{version}` moves: each build may compile different code from what was reviewed; install a release (`{n}@v1.2.3`) or a commit"
                    ),
                );
            }
        }
    }
}

/// A module version that names one thing forever: a semantic version (`v1.2.3`, pseudo-versions
/// included), a commit hash, or a variable the build supplies.
fn is_fixed_version(version: &str) -> bool {
    let semver = version
        .strip_prefix('v')
        .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()));
    let commit = version.len() >= 7 && version.bytes().all(|b| b.is_ascii_hexdigit());
    semver || commit || version.contains('$')
}
