//! `apt-recommends`: `apt-get install` that also installs every recommended package.

use crate::analysis::packages::{Action, Manager, run_package_commands};
use crate::rules::prelude::*;

pub struct AptRecommends;

impl Rule for AptRecommends {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        for pc in run_package_commands(cx.analysis(), at.index, at.onbuild) {
            if pc.manager != Manager::Apt || pc.action != Action::Install {
                continue;
            }
            let aptitude = pc.command.is("aptitude");
            let off = if aptitude {
                pc.has_any_flag(&["-R", "--without-recommends"])
            } else {
                pc.has_flag("--no-install-recommends") || recommends_option_off(pc.command)
            };
            let (Some(sub), Some(head)) = (pc.subcommand, pc.name_to_subcommand()) else {
                continue;
            };
            if off || sub.as_str() != "install" {
                continue;
            }
            // An earlier instruction that writes apt's configuration (`APT::Install-Recommends
            // "false";` into /etc/apt/apt.conf.d) turns recommends off for every later install.
            // Looked for only here, at a candidate, so that RUNs without one cost nothing.
            let before = cx
                .text()
                .get(..at.instr.span.start as usize)
                .unwrap_or("");
            if before.contains("Install-Recommends") {
                return;
            }
            let flag = if aptitude {
                "--without-recommends"
            } else {
                "--no-install-recommends"
            };
            let name = pc.command.name().unwrap_or("apt-get");
            let message = format!(
                "`{name} install` also installs every package the named ones recommend, which the image rarely needs and which grow it; add `{flag}` and name what you need"
            );
            let fix = pc.insert_after_subcommand(cx.text(), flag).map(|edit| Fix {
                description: format!("add `{flag}`"),
                // Fewer packages end up in the image: a program may have relied on one.
                applicability: Applicability::Unsafe,
                edits: vec![edit],
            });
            cx.report(head, message)
                .fix = fix;
        }
    }
}

/// `-o APT::Install-Recommends=false` (or `0`).
fn recommends_option_off(command: &crate::analysis::command::Command<'_>) -> bool {
    command.args().windows(2).any(|w| {
        w[0].is("-o")
            && w[1]
                .as_str()
                .strip_prefix("APT::Install-Recommends=")
                .is_some_and(|v| matches!(v, "false" | "0" | "no"))
    })
}
