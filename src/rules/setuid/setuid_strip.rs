//! `setuid-strip` (off by default): policy requiring the final stage to strip setuid and setgid
//! bits (`find / -perm /6000 -type f -exec chmod a-s {} +`) after its last package install.

use crate::analysis::command::effective_words;
use crate::analysis::packages::{Manager, classify};
use crate::analysis::permissions::{chmod_clears, strips_setuid};
use crate::model::dockerfile::ImageTarget;
use crate::rules::prelude::*;

pub struct SetuidStrip;

impl Rule for SetuidStrip {
    fn check_dockerfile(&self, cx: &mut Context<'_>, df: &Dockerfile) {
        let Some(stage) = df.final_stage() else { return };
        if df
            .images
            .get(stage.base)
            .is_some_and(|b| b.target == ImageTarget::Scratch)
        {
            return;
        }
        // Windows has no setuid bits.
        let platform = cx.analysis().platform();
        if platform
            .stages
            .get(stage.index)
            .is_some_and(|p| p.windows.is_some())
        {
            return;
        }
        let mut last_install: Option<Span> = None;
        let mut stripped = false;
        for index in stage.instrs.clone() {
            let cmds = cx.analysis().run_commands(index, false);
            let xargs_strips = cmds.iter().any(|c| chmod_clears(&c.words));
            for c in cmds {
                if installs_system_packages(c) {
                    last_install = Some(c.name_word().map_or(c.span, |w| w.span));
                    stripped = false;
                }
                if strips_setuid(effective_words(c), xargs_strips) {
                    stripped = true;
                }
            }
        }
        if stripped {
            return;
        }
        let Some(from) = df.instrs.get(stage.from).map(|i| i.keyword_span) else {
            return;
        };
        let (span, message) = match last_install {
            Some(span) => (
                span,
                "the final stage installs packages here and does not strip setuid/setgid bits \
                 afterwards: add `RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +` after \
                 the last install",
            ),
            None => (
                from,
                "the final stage does not strip setuid/setgid bits from its base image: add `RUN \
                 find / -xdev -perm /6000 -type f -exec chmod a-s {} +`",
            ),
        };
        cx.report(span, message);
    }
}

/// An install or upgrade by a system package manager, which may bring new setuid programs.
fn installs_system_packages(c: &crate::analysis::command::Command<'_>) -> bool {
    classify(c).is_some_and(|p| {
        p.installs()
            && matches!(
                p.manager,
                Manager::Apt
                    | Manager::Apk
                    | Manager::Yum
                    | Manager::Dnf
                    | Manager::Zypper
                    | Manager::Pacman
                    | Manager::Dpkg
                    | Manager::Rpm
            )
    })
}
