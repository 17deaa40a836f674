//! `secret-in-command`: a password or token passed as a literal on a command line
//! (`curl -u user:pass`, `--password X`, `docker login -p X`, `mysql -pX`) in a `RUN`, `CMD`,
//! `ENTRYPOINT` or `HEALTHCHECK`, or a compose `command:`, `entrypoint:` or healthcheck; and in
//! a string of arguments kept in an environment variable (`REDIS_ARGS="--requirepass X"`).

use crate::analysis::command::{
    Command, compose_commands, compose_shell_commands, container_commands, shell_commands,
};
use crate::analysis::secret::command_line::{CommandSecret, args_secrets, command_secrets};
use crate::analysis::variables::var_decls;
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
            InstructionKind::Env,
            InstructionKind::Arg,
        ]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        let allow = cx.analysis().secret_allowlist();
        let found = match at.instr.kind {
            InstructionKind::Run => on_command_lines(cx.commands(at), allow),
            InstructionKind::Env | InstructionKind::Arg => {
                let mut found = Vec::new();
                for d in var_decls(at.instr) {
                    if let Some((value, span)) = &d.value
                        && holds_arguments(value)
                    {
                        for c in shell_commands(value, span.start as usize) {
                            found.extend(args_secrets(&c.words, allow));
                        }
                    }
                }
                found
            }
            _ => on_command_lines(&container_commands(at.instr), allow),
        };
        report(cx, found);
    }

    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        // The whole file at once: services sharing an anchored command share its secret, which
        // is reported once.
        let allow = cx.analysis().secret_allowlist();
        let mut commands = Vec::new();
        let mut found = Vec::new();
        for s in compose.services() {
            let hc = s.healthcheck.as_ref().and_then(|h| h.test.as_ref());
            for cmd in [s.command.as_ref(), s.entrypoint.as_ref(), hc]
                .into_iter()
                .flatten()
            {
                commands.extend(compose_commands(cmd));
            }
            for kv in &s.environment {
                if let Some(value) = kv.value.as_ref().filter(|v| holds_arguments(&v.raw)) {
                    for c in compose_shell_commands(value) {
                        found.extend(args_secrets(&c.words, allow));
                    }
                }
            }
        }
        found.extend(on_command_lines(&commands, allow));
        report(cx, found);
    }
}

/// Whether a variable's value is a string of options (`--requirepass X --appendonly yes`).
fn holds_arguments(value: &str) -> bool {
    value.trim_start().starts_with("--") || value.contains(" --")
}

fn on_command_lines(
    commands: &[Command<'_>],
    allow: &crate::analysis::secret::allowlist::Allowlist,
) -> Vec<CommandSecret> {
    commands
        .iter()
        .flat_map(|c| command_secrets(c, allow))
        .collect()
}

fn report(cx: &mut Context<'_>, mut found: Vec<CommandSecret>) {
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
