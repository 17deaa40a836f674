//! `root-user-password`: a RUN sets an account password: `chpasswd`, `passwd --stdin` or
//! `passwd` fed by a pipe, `passwd -d` (an empty password), `useradd`/`usermod -p HASH`.

use crate::analysis::command::{Op, basename};
use crate::rules::prelude::*;

pub struct RootUserPassword;

impl Rule for RootUserPassword {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        for c in cx.commands(at) {
            let Some(name_word) = c.name_word().filter(|w| w.is_literal()) else {
                continue;
            };
            let piped = matches!(c.op_before, Some(Op::Pipe | Op::PipeAll))
                || c.redirects.iter().any(|r| r.op.starts_with("<<") || r.op == "<");
            let name = name_word.as_str();
            let set = match basename(name) {
                "chpasswd" | "chgpasswd" => true,
                "passwd" if c.has_flag("-d") || c.has_flag("--delete") => false,
                "passwd" if c.has_flag("--stdin") || piped => true,
                "useradd" | "usermod" | "adduser" => {
                    let hash = c.flag_value("-p").or_else(|| c.flag_value("--password"));
                    // `-p '*'` or `-p '!'` lock the account instead.
                    match hash {
                        Some(h) if !matches!(h.value, "*" | "!" | "!!" | "x") => true,
                        _ => continue,
                    }
                }
                _ => continue,
            };
            let message = if set {
                format!(
                    "`{name}` sets a password in the image: every container starts with it in \
                     `/etc/shadow`, and its value is in the Dockerfile or the build history, so \
                     anyone with the image can log in or `su` with it; leave accounts locked and \
                     give credentials at run time (keys, secrets)"
                )
            } else {
                format!(
                    "`{name} -d` leaves the account with an empty password in the image: anyone \
                     with a shell in a container can `su` to it, and log in where a login service \
                     runs; lock it instead (`passwd -l`)"
                )
            };
            cx.report(name_word.span, message);
        }
    }
}
