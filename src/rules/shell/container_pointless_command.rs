//! `container-pointless-command`: interactive and machine-administration commands in a RUN.

use crate::rules::prelude::*;

pub struct ContainerPointlessCommand;

/// Commands for a person at a terminal, or for a running machine, and why each is pointless in
/// a build step.
const POINTLESS: &[(&str, &str)] = &[
    ("ssh", "opens a remote session no one can use"),
    ("vim", "waits for a keyboard"),
    ("nano", "waits for a keyboard"),
    ("shutdown", "acts on a machine the image is not"),
    ("reboot", "acts on a machine the image is not"),
    ("service", "starts or stops a daemon that dies with the step"),
    ("systemctl", "starts or stops a daemon that dies with the step"),
    ("ps", "lists the processes of a step that is thrown away"),
    ("free", "prints the memory of the build machine to a log"),
    ("top", "prints the processes of the build machine to a log"),
    ("htop", "waits for a keyboard"),
    ("kill", "signals processes of a step that is thrown away"),
    ("killall", "signals processes of a step that is thrown away"),
    ("pkill", "signals processes of a step that is thrown away"),
    ("mount", "mounts over the build step only, never in the image"),
    ("umount", "acts on mounts of the build step only"),
    ("ifconfig", "configures a network interface of the build step only"),
];

/// `systemctl` subcommands that only write unit links and are meaningful in an image.
const SYSTEMCTL_OFFLINE: &[&str] = &["enable", "disable", "mask", "unmask", "set-default"];

impl Rule for ContainerPointlessCommand {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        for command in cx.analysis().posix_run_commands(at.index, at.onbuild) {
            let Some(name) = command.name() else { continue };
            let Some((_, why)) = POINTLESS.iter().find(|(n, _)| *n == name) else {
                continue;
            };
            let Some(word) = command.name_word() else { continue };
            if word.has_expansion {
                continue;
            }
            if name == "systemctl"
                && command
                    .subcommand()
                    .is_some_and(|s| SYSTEMCTL_OFFLINE.contains(&s))
            {
                continue;
            }
            cx.report(
                word.span,
                format!(
                    "`{name}` in a RUN {why}: a build step runs once, without a terminal, in a \
                     container thrown away afterwards. Remove it, or do this in the \
                     container's CMD or ENTRYPOINT"
                ),
            );
        }
    }
}
