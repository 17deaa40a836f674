//! `apt-interactive-cli`: `apt`, the command meant for people at a terminal, in a build.

use crate::analysis::packages::run_package_commands;
use crate::rules::prelude::*;

pub struct AptInteractiveCli;

/// Subcommands `apt-get` has with the same meaning, so `apt X` → `apt-get X` is mechanical.
const SHARED: &[&str] = &[
    "install",
    "update",
    "remove",
    "purge",
    "autoremove",
    "clean",
    "autoclean",
    "build-dep",
    "source",
    "download",
];

impl Rule for AptInteractiveCli {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        for pc in run_package_commands(cx.analysis(), at.index, at.onbuild) {
            if !pc.command.is("apt") {
                continue;
            }
            let Some(name) = pc.command.name_word() else {
                continue;
            };
            let sub = pc.subcommand.map(|w| w.as_str()).unwrap_or("");
            let plain = name.is_literal() && name.span.text(cx.text()) == name.as_str();
            let fix = (plain && SHARED.contains(&sub)).then(|| Fix {
                description: "use `apt-get`".into(),
                // Same packages, but not the same program: progress output and defaults
                // differ, so the build is not provably unchanged.
                applicability: Applicability::Unsafe,
                edits: vec![Edit::replace(name.span, format!("{}-get", name.as_str()))],
            });
            cx.report(
                name.span,
                "`apt` is made for people at a terminal and warns that its interface may change between releases; in a build use `apt-get` (or `apt-cache`)",
            )
            .fix = fix;
        }
    }
}
