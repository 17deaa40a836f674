//! `secret-in-command` (PL506): a password or token passed as a literal on a command line
//! (`curl -u user:pass`, `--password X`, `docker login -p X`, `mysql -pX`) in a `RUN` or a
//! compose `command:`, `entrypoint:` or healthcheck.

use super::allowlist::Allowlist;
use super::command::{
    Arg, CommandSecret, command_secrets, compose_commands, may_pass_secret, run_commands_where,
    shell_commands,
};
use crate::finding::redact;
use crate::rules::{Context, Rule};

pub struct SecretInCommand;

fn message(s: &CommandSecret) -> String {
    format!(
        "a literal secret (`{}`) is passed with `{}`: it is kept in the image history and shows \
         in process lists; read it from a secret (`RUN --mount=type=secret`, compose \
         `secrets:`) or a variable",
        redact(&s.value),
        s.via
    )
}

impl Rule for SecretInCommand {
    fn doc(&self) -> &'static str {
        include_str!("../../../rules/secret-in-command.md")
    }

    fn check(&self, cx: &mut Context<'_>) {
        let allow = Allowlist::cached(&cx.options.secret_allowlist);
        let text = cx.text();
        let mut commands: Vec<Vec<Arg>> = Vec::new();
        if let Some(df) = cx.dockerfile() {
            for ins in df
                .instrs
                .iter()
                .flat_map(|i| std::iter::once(i).chain(i.onbuild.as_deref()))
            {
                match ins.keyword.as_str() {
                    "RUN" => commands.extend(run_commands_where(ins, text, may_pass_secret)),
                    "CMD" | "ENTRYPOINT" | "HEALTHCHECK" if ins.is_exec_form() => {
                        commands.extend(run_commands_where(ins, text, may_pass_secret));
                    }
                    "CMD" | "ENTRYPOINT" | "HEALTHCHECK" => {
                        // Shell form: the model keeps commands for RUN only; parse the text here.
                        let rest = &ins.rest;
                        let mut line = rest.text.as_str();
                        let mut base = rest.span.start as usize;
                        if ins.keyword == "HEALTHCHECK" {
                            let Some(after) = line.trim_start().strip_prefix("CMD") else {
                                continue;
                            };
                            base += line.len() - after.len();
                            line = after;
                        }
                        commands.extend(shell_commands(line, base));
                    }
                    _ => {}
                }
            }
        } else if let Some(compose) = cx.compose() {
            for s in compose.services() {
                let hc = s.healthcheck.as_ref().and_then(|h| h.test.as_ref());
                for cmd in [s.command.as_ref(), s.entrypoint.as_ref(), hc]
                    .into_iter()
                    .flatten()
                {
                    commands.extend(compose_commands(cmd));
                }
            }
        }
        let mut found: Vec<CommandSecret> = commands
            .iter()
            .flat_map(|words| command_secrets(words, &allow))
            .collect();
        found.sort_by_key(|s| (s.secret.start, s.secret.end));
        found.dedup_by_key(|s| s.secret);
        for s in found {
            cx.report(s.secret, message(&s)).secret = Some(s.secret);
        }
    }
}
