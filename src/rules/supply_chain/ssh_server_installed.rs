//! `ssh-server-installed`: the final image installs an SSH server (`openssh-server`,
//! `dropbear`, Debian's `ssh`, Alpine's `openssh`), in the final stage or a stage it builds on.

use crate::analysis::packages::{Action, Manager, classify};
use crate::analysis::stages::final_image_stages;
use crate::rules::prelude::*;

pub struct SshServerInstalled;

impl Rule for SshServerInstalled {
    fn check_dockerfile(&self, cx: &mut Context<'_>, df: &Dockerfile) {
        for s in final_image_stages(df) {
            let Some(stage) = df.stages.get(s) else { continue };
            for i in stage.instrs.clone() {
                for c in cx.analysis().run_commands(i, false) {
                    // Classify only the commands that name an SSH server package.
                    if !c.args().iter().any(|w| SSH_SERVERS.contains(&w.as_str())) {
                        continue;
                    }
                    let Some(pc) = classify(c) else { continue };
                    if pc.action != Action::Install {
                        continue;
                    }
                    for p in &pc.packages {
                        if !is_ssh_server(pc.manager, p.name) {
                            continue;
                        }
                        cx.report(
                            p.word.span,
                            format!(
                                "`{}` puts an SSH server in the image: another way in, with host \
                                 keys, accounts and passwords to keep safe, for what `docker exec` \
                                 (or `kubectl exec`) already does; leave it out, or install it in \
                                 a separate debugging image",
                                p.name
                            ),
                        );
                    }
                }
            }
        }
    }
}

/// Package names that install an SSH daemon (with some managers, see [`is_ssh_server`]).
const SSH_SERVERS: &[&str] = &[
    "openssh-server",
    "dropbear",
    "dropbear-bin",
    "tinysshd",
    "tinyssh",
    "ssh",
    "openssh",
];

/// Packages that install an SSH daemon.
fn is_ssh_server(manager: Manager, name: &str) -> bool {
    match name {
        "openssh-server" | "dropbear" | "dropbear-bin" | "tinysshd" | "tinyssh" => true,
        // Debian's `ssh` metapackage pulls in openssh-server; Alpine's `openssh` does too.
        "ssh" => manager == Manager::Apt,
        "openssh" => manager == Manager::Apk,
        _ => false,
    }
}
