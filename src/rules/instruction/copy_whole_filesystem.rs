//! `copy-whole-filesystem`: `COPY --from` of another stage's root.

use crate::analysis::command::copy_paths;
use crate::rules::prelude::*;

pub struct CopyWholeFilesystem;

impl Rule for CopyWholeFilesystem {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Copy, InstructionKind::Add]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        let Some(from) = at.instr.flag("from").and_then(|f| f.value.as_ref()) else {
            return;
        };
        if !at.onbuild && cx.dockerfile().is_some_and(|df| from_scratch_stage(df, at.instr)) {
            // A stage built on `scratch` holds only what was put in it: its root is artefacts.
            return;
        }
        let paths = copy_paths(at.instr);
        let Some((_, sources)) = paths.split_last() else { return };
        for (source, span) in sources {
            if !matches!(source.as_str(), "/" | "/." | "." | "./") {
                continue;
            }
            cx.report(
                *span,
                format!(
                    "This copies the whole filesystem of `{}` (package manager, caches, build \
                     tools, its `/etc`) into this stage: copy only the directories the image \
                     needs (`COPY --from={} /app/dist /app`)",
                    from.text, from.text
                ),
            );
        }
    }
}

/// Whether the `--from` of `ins` is a stage whose chain of bases starts at `scratch`.
fn from_scratch_stage(df: &Dockerfile, ins: &Instr) -> bool {
    use crate::model::dockerfile::{ImageSite, ImageTarget};
    let Some(used) = df
        .images
        .iter()
        .find(|u| u.site == ImageSite::CopyFrom && ins.span.contains(u.span.start as usize))
    else {
        return false;
    };
    let mut target = used.target.clone();
    // Each step goes to an earlier stage, so this ends within `stages.len()` steps.
    for _ in 0..=df.stages.len() {
        match target {
            ImageTarget::Scratch => return true,
            ImageTarget::Stage(i) => {
                let Some(base) = df.stages.get(i).and_then(|s| df.images.get(s.base)) else {
                    return false;
                };
                target = base.target.clone();
            }
            _ => return false,
        }
    }
    false
}
