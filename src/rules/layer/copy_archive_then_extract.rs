//! `copy-archive-then-extract`: a tar archive COPYed, then unpacked by a later RUN.

use crate::analysis::command::{Command, basename, copy_paths};
use crate::rules::prelude::*;

pub struct CopyArchiveThenExtract;

/// Names of the tar archives ADD unpacks (by their content; the name says what is meant).
const TAR_SUFFIXES: &[&str] = &[
    ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz",
];

impl Rule for CopyArchiveThenExtract {
    fn check_dockerfile(&self, cx: &mut Context<'_>, df: &Dockerfile) {
        for stage in &df.stages {
            for i in stage.instrs.clone() {
                let Some(ins) = df.instrs.get(i) else { continue };
                if ins.kind != InstructionKind::Copy || ins.flag("from").is_some() {
                    continue;
                }
                let paths = copy_paths(ins);
                let Some(((dest, _), sources)) = paths.split_last() else { continue };
                for (source, span) in sources {
                    let name = basename(source);
                    if source.contains(['$', '*', '?', '[']) || !is_tar(name) {
                        continue;
                    }
                    // Where it lands: the destination's own name unless it is a directory.
                    let landed = if sources.len() == 1 && !dest.ends_with('/') && is_tar(basename(dest)) {
                        basename(dest)
                    } else {
                        name
                    };
                    let Some(tar) = (i + 1..stage.instrs.end)
                        .filter(|j| df.instrs.get(*j).is_some_and(|r| r.kind == InstructionKind::Run))
                        .flat_map(|j| cx.analysis().posix_run_commands(j, false))
                        .find(|c| extracts(c, landed))
                    else {
                        continue;
                    };
                    let tar_span = tar.name_word().map_or(tar.span, |w| w.span);
                    cx.report(
                        *span,
                        format!(
                            "`{name}` is copied and then unpacked by a RUN: the archive stays in \
                             this COPY's layer even after it is deleted. `ADD {source} <dir>` \
                             unpacks a local tar archive in one step without storing it"
                        ),
                    )
                    .related
                    .push(Related::new(tar_span, "unpacked here"));
                }
            }
        }
    }
}

fn is_tar(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    TAR_SUFFIXES.iter().any(|s| lower.ends_with(s) && lower.len() > s.len())
}

/// Whether `cmd` is a `tar` that extracts a file named `archive`.
fn extracts(cmd: &Command<'_>, archive: &str) -> bool {
    if !cmd.is("tar") {
        return false;
    }
    let args = cmd.args();
    // `tar xzf a.tgz`: the first word is an option cluster even without a dash.
    let old_style = args
        .first()
        .is_some_and(|w| !w.as_str().starts_with('-') && w.as_str().contains('x'));
    let extract = old_style
        || cmd.has_any_flag(&["-x", "--extract", "--get"])
        || args.iter().any(|w| {
            w.as_str()
                .strip_prefix('-')
                .is_some_and(|c| !c.starts_with('-') && c.contains('x'))
        });
    extract
        && args
            .iter()
            .any(|w| w.is_literal() && basename(w.as_str()) == archive)
}
