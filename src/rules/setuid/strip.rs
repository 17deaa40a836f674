//! `setuid-strip` (PL402, off by default): policy requiring the final stage to strip setuid and
//! setgid bits (`find / -perm /6000 -type f -exec chmod a-s {} +`) after its last package
//! install.

use super::command::{chmod_clears, strips_setuid};
use crate::model::dockerfile::{Dockerfile, ImageTarget};
use crate::rules::secret::command::{Arg, command_name, run_commands_where, unwrap_command};
use crate::rules::{Context, Rule};
use crate::source::Span;

pub struct SetuidStrip;

/// Whether a command installs OS packages (which may bring setuid programs).
fn installs_packages(words: &[Arg]) -> bool {
    let words = unwrap_command(words);
    let Some(name) = words.first().map(|w| command_name(&w.value)) else {
        return false;
    };
    let has = |s: &str| words.iter().skip(1).any(|w| w.value == s);
    match name {
        "apt-get" | "apt" | "aptitude" | "yum" | "dnf" | "microdnf" | "tdnf" => {
            has("install") || has("reinstall") || has("upgrade") || has("dist-upgrade")
        }
        "apk" => has("add") || has("upgrade"),
        "zypper" => has("install") || has("in") || has("update") || has("up"),
        "pacman" => words
            .iter()
            .skip(1)
            .any(|w| w.value.starts_with("-S") || w.value.starts_with("-U")),
        "dpkg" => words
            .iter()
            .skip(1)
            .any(|w| w.value == "-i" || w.value == "--install"),
        "rpm" => words
            .iter()
            .skip(1)
            .any(|w| w.value.starts_with("-i") || w.value.starts_with("-U")),
        _ => false,
    }
}

/// `(span, message)` when the final stage does not strip special bits after its last install.
pub fn violation(text: &str, df: &Dockerfile) -> Option<(Span, String)> {
    let stage = df.final_stage()?;
    if df
        .images
        .get(stage.base)
        .is_some_and(|b| b.target == ImageTarget::Scratch)
    {
        return None;
    }
    let mut last_install: Option<Span> = None;
    let mut stripped = false;
    for ins in df.instrs.get(stage.instrs.clone()).unwrap_or(&[]) {
        if ins.keyword != "RUN" {
            continue;
        }
        let relevant = |ws: &[crate::model::dockerfile::Word]| {
            ws.iter().any(|w| {
                matches!(
                    command_name(&w.text),
                    "find"
                        | "chmod"
                        | "apt-get"
                        | "apt"
                        | "aptitude"
                        | "yum"
                        | "dnf"
                        | "microdnf"
                        | "tdnf"
                        | "apk"
                        | "zypper"
                        | "pacman"
                        | "dpkg"
                        | "rpm"
                )
            })
        };
        let cmds = run_commands_where(ins, text, relevant);
        let xargs_strips = cmds.iter().any(|c| chmod_clears(c));
        // Order within one RUN matters too: an install after the strip brings new binaries.
        for c in &cmds {
            if installs_packages(c) {
                last_install = Some(c.first().map_or(ins.span, |w| w.span));
                stripped = false;
            }
            if strips_setuid(c, xargs_strips) {
                stripped = true;
            }
        }
    }
    if stripped {
        return None;
    }
    let from = df.instrs.get(stage.from).map(|i| i.keyword_span)?;
    Some(match last_install {
        Some(span) => (
            span,
            "the final stage installs packages here and does not strip setuid/setgid bits \
             afterwards: add `RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +` after \
             the last install"
                .to_string(),
        ),
        None => (
            from,
            "the final stage does not strip setuid/setgid bits from its base image: add `RUN \
             find / -xdev -perm /6000 -type f -exec chmod a-s {} +`"
                .to_string(),
        ),
    })
}

impl Rule for SetuidStrip {
    fn doc(&self) -> &'static str {
        include_str!("../../../rules/setuid-strip.md")
    }

    fn check(&self, cx: &mut Context<'_>) {
        let Some(df) = cx.dockerfile() else { return };
        if let Some((span, message)) = violation(cx.text(), df) {
            cx.report(span, message);
        }
    }
}
