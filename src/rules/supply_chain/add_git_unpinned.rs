//! `add-git-unpinned`: `ADD` of a Git repository at a branch, a tag or the default branch rather
//! than at a commit (`--checksum=<commit>`, `#<full commit id>`, `?checksum=`), so the code
//! the build takes can change under it. Refs built from `ARG` defaults are resolved.

use crate::analysis::remote_source::{AddSource, add_source, source_args};
use crate::rules::prelude::*;

pub struct AddGitUnpinned;

impl Rule for AddGitUnpinned {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Add]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        let ins = at.instr;
        if ins.flag("checksum").is_some() {
            return;
        }
        for src in source_args(cx.dockerfile(), ins, at.index) {
            let written = src.written;
            // A ref from a build argument without a default: whatever is passed may be a commit.
            let Some(expanded) = src.expanded else { continue };
            let AddSource::Git(git) = add_source(&expanded) else {
                continue;
            };
            if git.pins_commit() {
                continue;
            }
            let at_what = match git.git_ref {
                Some(r) if written != expanded => {
                    let from = written.split_once('#').map_or(written, |(_, f)| f);
                    format!("at `{r}` (`{from}`), a branch or tag")
                }
                Some(r) => format!("at `{r}`, a branch or tag"),
                None => "at its default branch".to_string(),
            };
            let span = src.span;
            cx.report(
                span,
                format!(
                    "`ADD` takes the repository `{}` {at_what}: it can be moved to other commits, \
                     so the build can take code nobody reviewed; pin the commit with \
                     `--checksum=<commit id>` (the ref is then checked against it) or a full \
                     commit id after `#`",
                    git.remote
                ),
            );
        }
    }
}
