//! `secret-in-command`: a password or token passed as a literal on a command line
//! (`curl -u user:pass`, `--password X`, `docker login -p X`, `mysql -pX`) in a `RUN`, `CMD`,
//! `ENTRYPOINT` or `HEALTHCHECK`, or a compose `command:`, `entrypoint:` or healthcheck.

use crate::analysis::command::{Command, compose_commands, container_commands};
use crate::analysis::secret::command_line::{CommandSecret, command_secrets};
use crate::finding::redact;
use crate::rules::prelude::*;

pub struct SecretInCommand;

impl Rule for SecretInCommand {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[
            InstructionKind::Run,
            InstructionKind::Cmd,
            InstructionKind::Entrypoint,
            InstructionKind::Healthcheck,
        ]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        if at.instr.kind == InstructionKind::Run {
            report(cx, cx.commands(at));
        } else {
            report(cx, &container_commands(at.instr));
        }
    }

    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        // The whole file at once: services sharing an anchored command share its secret, which
        // is reported once.
        let mut commands = Vec::new();
        for s in compose.services() {
            let hc = s.healthcheck.as_ref().and_then(|h| h.test.as_ref());
            for cmd in [s.command.as_ref(), s.entrypoint.as_ref(), hc]
                .into_iter()
                .flatten()
            {
                commands.extend(compose_commands(cmd));
            }
        }
        report(cx, &commands);
    }
}

fn report(cx: &mut Context<'_>, commands: &[Command<'_>]) {
    let allow = cx.analysis().secret_allowlist();
    let mut found: Vec<CommandSecret> = commands
        .iter()
        .flat_map(|c| command_secrets(c, allow))
        .collect();
    found.sort_by_key(|s| (s.secret.start, s.secret.end));
    found.dedup_by_key(|s| s.secret);
    for s in found {
        let message = format!(
            "a literal secret (`{}`) is passed with `{}`: it is kept in the image history and \
             shows in process lists; read it from a secret (`RUN --mount=type=secret`, compose \
             `secrets:`) or a variable",
            redact(&s.value),
            s.via
        );
        cx.report(s.secret, message).secret = Some(s.secret);
    }
}
