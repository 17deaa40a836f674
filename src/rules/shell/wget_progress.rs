//! `wget-progress`: `wget` drawing its progress bar into the build log.

use crate::rules::prelude::*;

pub struct WgetProgress;

/// Options that quiet the progress display or send it to a file.
const QUIET: &[&str] = &[
    "-q",
    "--quiet",
    "-nv",
    "--no-verbose",
    "--progress",
    "-o",
    "--output-file",
    "-a",
    "--append-output",
    "--show-progress",
];

impl Rule for WgetProgress {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        for command in cx.analysis().posix_run_commands(at.index, at.onbuild) {
            if !command.is("wget")
                || command.has_any_flag(QUIET)
                || command.args().iter().any(|w| quiet_in_cluster(w.as_str()))
                || command.args().is_empty()
            {
                continue;
            }
            let Some(word) = command.name_word() else { continue };
            cx.report(
                word.span,
                "`wget` without `-q`, `-nv` or `--progress=…` writes its progress bar into the build log, one line per update (thousands for a large file): add `--progress=dot:giga` (GNU wget) or `-q`",
            );
        }
    }
}

/// `-q` inside a cluster whose later letters take a value (`-qO-`, `-qO /tmp/x`): wget reads
/// letters up to the first that takes a value, which takes the rest of the word.
fn quiet_in_cluster(word: &str) -> bool {
    let Some(cluster) = word.strip_prefix('-').filter(|c| !c.starts_with('-')) else {
        return false;
    };
    for c in cluster.chars() {
        if c == 'q' {
            return true;
        }
        if "oaOPetTwUiBQlARDIX".contains(c) || !c.is_ascii_alphabetic() {
            return false;
        }
    }
    false
}
