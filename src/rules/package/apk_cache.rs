//! `apk-cache`: `apk add` without `--no-cache`, leaving the package index in the layer.

use crate::analysis::packages::{Action, Manager, PkgOp, op, run_package_commands};
use crate::rules::prelude::*;

pub struct ApkCache;

impl Rule for ApkCache {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        let commands = cx.analysis().posix_run_commands(at.index, at.onbuild);
        // A clean-up in the same RUN (`rm -rf /var/cache/apk/*`, `apk cache clean`) or a cache
        // mount keeps the index out of the layer as well as `--no-cache` does.
        if commands
            .iter()
            .any(|c| op(c) == Some(PkgOp::Cleanup(Manager::Apk)))
            || at.instr.flags.iter().any(|f| {
                f.name == "mount"
                    && f.value.as_ref().is_some_and(|v| v.text.contains("/var/cache/apk"))
            })
        {
            return;
        }
        for pc in run_package_commands(cx.analysis(), at.index, at.onbuild) {
            if pc.manager != Manager::Apk
                || pc.action != Action::Install
                || pc.has_flag("--no-cache")
                // Nothing is downloaded, so nothing is cached.
                || pc.has_flag("--no-network")
            {
                continue;
            }
            let Some(head) = pc.name_to_subcommand() else { continue };
            let fix = pc.insert_after_subcommand(cx.text(), "--no-cache").map(|edit| Fix {
                description: "add `--no-cache`".into(),
                // apk then fetches a fresh index for this command instead of reading the one
                // on disk: the same packages as a rule, but not provably the same build.
                applicability: Applicability::Unsafe,
                edits: vec![edit],
            });
            cx.report(
                head,
                "`apk add` without `--no-cache` leaves the package index in /var/cache/apk, in the image for good: write `apk add --no-cache` (no `apk update` needed)",
            )
            .fix = fix;
        }
    }
}
