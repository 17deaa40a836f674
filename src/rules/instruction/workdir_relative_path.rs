//! `workdir-relative-path`: a stage's first WORKDIR is relative (BuildKit's WorkdirRelativePath,
//! hadolint's DL3000).

use crate::rules::prelude::*;

pub struct WorkdirRelativePath;

impl Rule for WorkdirRelativePath {
    fn check_dockerfile(&self, cx: &mut Context<'_>, df: &Dockerfile) {
        let dispatch = cx.analysis().dispatch();
        let windows = cx.analysis().build.target.os == "windows";
        // Whether each stage ends with a WORKDIR set in the file (its own or its base stage's).
        let mut set_at_end: Vec<bool> = Vec::with_capacity(df.stages.len());
        for stage in &df.stages {
            let mut set = df
                .base_stage(stage)
                .and_then(|b| set_at_end.get(b).copied())
                .unwrap_or(false);
            for i in stage.instrs.clone() {
                if df.instrs.get(i).is_none_or(|ins| ins.kind != InstructionKind::Workdir) {
                    continue;
                }
                let Some(word) = dispatch.words_of(i).first() else {
                    continue;
                };
                let path = word.value.as_deref().unwrap_or_default();
                if !set && !is_absolute(path, windows) {
                    cx.report(
                        word.span,
                        format!(
                            "`WORKDIR {path}` is relative to the base image's working directory, which can change: write an absolute path (such as `/{}`)",
                            path.trim_start_matches("./")
                        ),
                    );
                }
                set = true;
            }
            set_at_end.push(set);
        }
    }
}

/// Whether a WORKDIR path is absolute for the target OS.
fn is_absolute(path: &str, windows: bool) -> bool {
    if path.starts_with('/') {
        return true;
    }
    if !windows {
        return false;
    }
    let b = path.as_bytes();
    path.starts_with('\\')
        || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':')
}
