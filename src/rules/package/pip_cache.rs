//! `pip-cache`: `pip install` writing its download cache into the layer.

use crate::analysis::packages::{Action, Manager, leaves_in_image, run_package_commands};
use crate::analysis::variables::var_decls;
use crate::rules::prelude::*;

pub struct PipCache;

impl Rule for PipCache {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        let Some(df) = cx.dockerfile() else { return };
        let Some(stage) = at.stage else { return };
        // Build stages the final image is not built on, and cache mounts, leave nothing.
        if !leaves_in_image(df, at.instr, at.stage, at.onbuild, ".cache") {
            return;
        }
        let commands = cx.analysis().posix_run_commands(at.index, at.onbuild);
        if commands.iter().any(removes_pip_cache) {
            return;
        }
        // Looked up once a RUN installs with pip: a walk back over the stage for every RUN
        // would be quadratic in the number of RUNs.
        let mut env_checked = false;
        for pc in run_package_commands(cx.analysis(), at.index, at.onbuild) {
            if pc.manager != Manager::Pip
                || !matches!(pc.action, Action::Install | Action::Upgrade)
                || pc.has_any_flag(&["--no-cache-dir", "--no-cache"])
            {
                continue;
            }
            if !env_checked {
                if cache_disabled_by_env(df, stage, at.index) {
                    return;
                }
                env_checked = true;
            }
            let Some(head) = pc.name_to_subcommand() else { continue };
            let fix = pc.insert_after_subcommand(cx.text(), "--no-cache-dir").map(|edit| Fix {
                description: "add `--no-cache-dir`".into(),
                // pip installs the same files and only stops keeping its download cache, but
                // that rests on knowing pip: the project's fix oracle (which runs the shell,
                // not pip) cannot prove a changed command the same, so it is not offered as safe.
                applicability: Applicability::Unsafe,
                edits: vec![edit],
            });
            cx.report(
                head,
                "`pip install` keeps every downloaded wheel in ~/.cache/pip, which stays in the image: add `--no-cache-dir`",
            )
            .fix = fix;
        }
    }
}

/// An `ENV PIP_NO_CACHE_DIR=…` before instruction `index` in its stage, or in the stage it is
/// built on (pip reads the variable as `--no-cache-dir`).
fn cache_disabled_by_env(df: &Dockerfile, stage: &crate::model::dockerfile::Stage, index: usize) -> bool {
    let set_here = stage
        .instrs
        .clone()
        .take_while(|&i| i < index)
        .filter_map(|i| df.instrs.get(i))
        .flat_map(var_decls)
        .any(|d| d.keyword == "ENV" && d.name == "PIP_NO_CACHE_DIR");
    let inherited = df
        .images
        .get(stage.base)
        .and_then(|u| match u.target {
            crate::model::dockerfile::ImageTarget::Stage(b) => df.stages.get(b),
            _ => None,
        })
        .is_some_and(|base| base.env.contains_key("PIP_NO_CACHE_DIR"));
    set_here || inherited
}

/// `rm -rf ~/.cache/pip` (or `/root/.cache`), `pip cache purge`.
fn removes_pip_cache(command: &crate::analysis::command::Command<'_>) -> bool {
    if command.is("rm") {
        return command.operands().any(|w| {
            let v = w.as_str().trim_end_matches(['/', '*']);
            v.ends_with(".cache/pip") || v.ends_with(".cache")
        });
    }
    crate::analysis::packages::head(command)
        .is_some_and(|pc| pc.manager == Manager::Pip && pc.action == Action::Clean)
}
