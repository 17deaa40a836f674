//! `copy-relative-no-workdir`: COPY or ADD to a relative destination before any `WORKDIR`.

use crate::analysis::command::json_strings;
use crate::model::dockerfile::ImageTarget;
use crate::rules::prelude::*;

pub struct CopyRelativeNoWorkdir;

impl Rule for CopyRelativeNoWorkdir {
    fn check_dockerfile(&self, cx: &mut Context<'_>, df: &Dockerfile) {
        // One pass in file order, tracking whether a WORKDIR is in effect; a stage built on
        // another starts with that stage's state. ONBUILD COPYs run in the child image, whose
        // WORKDIR this file cannot see, and are not judged.
        let mut stage_ends: Vec<bool> = Vec::with_capacity(df.stages.len());
        for stage in &df.stages {
            let mut workdir = match df.images.get(stage.base).map(|u| &u.target) {
                Some(ImageTarget::Stage(b)) => stage_ends.get(*b).copied().unwrap_or(false),
                _ => false,
            };
            for index in stage.instrs.clone() {
                let Some(ins) = df.instrs.get(index) else { continue };
                match ins.kind {
                    InstructionKind::Workdir => workdir = true,
                    InstructionKind::Copy | InstructionKind::Add if !workdir => {
                        check_destination(cx, ins);
                    }
                    _ => {}
                }
            }
            stage_ends.push(workdir);
        }
    }
}

/// Reports a relative destination.
fn check_destination(cx: &mut Context<'_>, ins: &Instr) {
    let dest = if ins.is_exec_form() {
        json_strings(&ins.rest.text, ins.rest.span.start as usize)
            .pop()
            .map(|w| (w.value.into_owned(), w.span))
    } else if ins.heredocs.is_empty() || ins.args.len() > 1 {
        ins.args.last().map(|w| (w.text.clone(), w.span))
    } else {
        None
    };
    let Some((dest, span)) = dest else { return };
    let d = dest.trim_matches(['"', '\'']);
    let absolute = d.starts_with('/')
        || d.starts_with('$')
        || d.starts_with('\\')
        || d.as_bytes().get(1) == Some(&b':');
    if absolute {
        return;
    }
    cx.report(
        span,
        format!(
            "`{d}` is relative and no WORKDIR is set in this stage, so where the files land depends on the base image's working directory (often `/`): set `WORKDIR` first, or write an absolute path"
        ),
    );
}
