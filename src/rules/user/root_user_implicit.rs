//! `root-user-implicit`: the final stage never sets `USER`, so the image runs as its
//! base image's user, root for most images. On a Windows base there is no root: Nano Server
//! runs as `ContainerUser` (not flagged), Server Core as `ContainerAdministrator`. An image that
//! ships `gosu` or `su-exec` (or whose entrypoint calls one) starts as root on purpose and
//! steps down in its entrypoint: it is told so, at info level.

use crate::analysis::command::{basename, container_commands};
use crate::analysis::images::matches_image_globs;
use crate::analysis::platform::WindowsBase;
use crate::model::dockerfile::{ImageTarget, Stage};
use crate::rules::prelude::*;

/// Programs an entrypoint uses to drop from root to another user before it runs the service.
const STEP_DOWN: &[&str] = &["gosu", "su-exec", "setpriv", "runuser", "s6-setuidgid", "chpst"];

/// Of [`STEP_DOWN`], those an image installs only to step down with (`setpriv` and `runuser`
/// come with util-linux everywhere, so only a call says anything).
const STEP_DOWN_TOOLS: &[&str] = &["gosu", "su-exec"];

pub struct RootUserImplicit;

impl Rule for RootUserImplicit {
    fn check_dockerfile(&self, cx: &mut Context<'_>, df: &Dockerfile) {
        let Some(last) = df.final_stage() else { return };
        if last.user.is_some() {
            return;
        }
        let Some(root) = base_of_chain(df, last) else {
            return;
        };
        let Some(base) = df.images.get(root.base) else {
            return;
        };
        match base.target {
            ImageTarget::Scratch => {}
            ImageTarget::External => {
                if matches_image_globs(&base.resolved, &cx.options.nonroot_base_images) {
                    return;
                }
            }
            // Unknown base: it may well set a user; do not guess.
            _ => return,
        }
        let Some(from) = df.images.get(last.base) else {
            return;
        };
        match cx.analysis().platform().stages.get(last.index).and_then(|p| p.windows) {
            Some(WindowsBase::NanoServer) => return,
            Some(WindowsBase::Other) => {
                let msg = format!(
                    "the final stage sets no USER, so the container runs as `ContainerAdministrator`, the default user of `{}`: add `USER ContainerUser` unless the program needs administrator rights",
                    base.resolved
                );
                cx.report(from.span, msg);
                return;
            }
            None => {}
        }
        if let Some(tool) = steps_down(cx, df, last) {
            let msg = format!(
                "the final stage sets no USER, so the entrypoint starts as root; the image uses `{tool}`, which entrypoint scripts run to drop to an unprivileged user before the service starts: make sure every path through the entrypoint does (a `docker exec` still gets root), or add `USER <non-root user>` if nothing needs root at start"
            );
            cx.report_with(Severity::Info, from.span, msg);
            return;
        }
        let msg = if root.index == last.index {
            format!(
                "the final stage sets no USER, so the image runs as `{}`'s default user (root for most images): add `USER <non-root user>`",
                base.resolved
            )
        } else {
            format!(
                "the final stage (built on stage {}) never sets USER, so the image runs as `{}`'s default user (root for most images): add `USER <non-root user>`",
                root.name
                    .as_deref()
                    .map_or_else(|| root.index.to_string(), str::to_string),
                base.resolved
            )
        };
        cx.report(from.span, msg);
    }
}

/// The step-down program the final stage's chain uses: an `ENTRYPOINT` or `CMD` that calls one,
/// or a `gosu`/`su-exec` the image installs, downloads or copies in (for its entrypoint script,
/// which the Dockerfile does not show).
fn steps_down(cx: &Context<'_>, df: &Dockerfile, last: &Stage) -> Option<&'static str> {
    let mut stage = last;
    for _ in 0..=df.stages.len() {
        for index in stage.instrs.clone() {
            let ins = df.instrs.get(index)?;
            let called = match ins.kind {
                InstructionKind::Entrypoint | InstructionKind::Cmd => {
                    let words: Vec<String> = container_commands(ins)
                        .iter()
                        .flat_map(|c| c.words.iter().map(|w| w.as_str().to_string()))
                        .collect();
                    if words.iter().any(|w| w.starts_with("--userspec")) {
                        Some("chroot --userspec")
                    } else {
                        words.iter().find_map(|w| step_down_tool(w, STEP_DOWN))
                    }
                }
                InstructionKind::Run => cx
                    .analysis()
                    .run_commands(index, false)
                    .iter()
                    .flat_map(|c| c.words.iter())
                    .find_map(|w| step_down_tool(w.as_str(), STEP_DOWN_TOOLS)),
                InstructionKind::Copy | InstructionKind::Add => ins
                    .args
                    .iter()
                    .chain(ins.flags.iter().filter_map(|f| f.value.as_ref()))
                    .find_map(|w| step_down_tool(&w.text, STEP_DOWN_TOOLS)),
                _ => None,
            };
            if called.is_some() {
                return called;
            }
        }
        match df.images.get(stage.base).map(|u| &u.target) {
            Some(ImageTarget::Stage(i)) if *i < stage.index => stage = df.stages.get(*i)?,
            _ => return None,
        }
    }
    None
}

/// The tool of `tools` a word names: the program itself (`gosu`, `/usr/local/bin/gosu`), a
/// package (`apk add su-exec`), or an image (`COPY --from=tianon/gosu`).
fn step_down_tool(word: &str, tools: &[&'static str]) -> Option<&'static str> {
    // A byte scan for the end of the name: this runs on every word of the final stages.
    let end = word
        .bytes()
        .position(|b| b == b':' || b == b'@')
        .unwrap_or(word.len());
    let name = basename(word.get(..end).unwrap_or(word));
    tools.iter().copied().find(|t| name == *t)
}

/// The stage at the start of `stage`'s chain of `FROM <earlier stage>` (where the external or
/// scratch base is named). `None` on a cycle, which the model does not produce.
fn base_of_chain<'a>(df: &'a Dockerfile, stage: &'a Stage) -> Option<&'a Stage> {
    let mut current = stage;
    for _ in 0..=df.stages.len() {
        match df.images.get(current.base).map(|u| &u.target) {
            Some(ImageTarget::Stage(i)) if *i < current.index => current = df.stages.get(*i)?,
            _ => return Some(current),
        }
    }
    None
}
