//! `root-user-sudo`: `sudo` in a RUN. A build step already runs as the `USER` in effect, root
//! unless changed; `sudo` either does nothing useful (as root) or works only because the image
//! lets that user become root without a password.

use crate::analysis::command::basename;
use crate::analysis::stages::user_at;
use crate::model::dockerfile::is_root_user;
use crate::rules::prelude::*;

pub struct RootUserSudo;

impl Rule for RootUserSudo {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        // The user the step runs as, looked up only once a `sudo` is found.
        let mut user: Option<Option<String>> = None;
        let mut seen = Vec::new();
        for c in cx.commands(at) {
            // `sudo` is a wrapper before the command, or the command itself (`sudo -i`).
            let Some(sudo) = c
                .words
                .get(..=c.start)
                .unwrap_or(&[])
                .iter()
                .find(|w| w.as_str().ends_with("sudo") && w.is_literal() && basename(w.as_str()) == "sudo")
            else {
                continue;
            };
            if seen.contains(&sudo.span) {
                continue;
            }
            seen.push(sudo.span);
            let user = user.get_or_insert_with(|| match (at.onbuild, cx.dockerfile()) {
                (false, Some(df)) => user_at(df, at.index),
                _ => None,
            });
            let message = match user.as_deref() {
                Some(u) if !is_root_user(u) => format!(
                    "`sudo` works here only because the image lets `{u}` become root without a \
                     password: anything running as `{u}` can do the same; run this step as root \
                     (`USER root`, then `USER {u}` again) and remove the sudo rights"
                ),
                _ => "`sudo` in a build step that already runs as root adds nothing but a \
                      setuid program to depend on, and often a sudoers rule left in the image; \
                      drop it (change users with `USER`, or with `gosu`/`su-exec` in an \
                      entrypoint)"
                    .to_string(),
            };
            cx.report(sudo.span, message);
        }
    }
}
