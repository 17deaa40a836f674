//! `copy-ignored-file`: COPY/ADD of a file `.dockerignore` excludes (BuildKit's
//! CopyIgnoredFile).

use crate::rules::prelude::*;
use crate::syntax::dockerignore::clean;

pub struct CopyIgnoredFile;

impl Rule for CopyIgnoredFile {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Copy, InstructionKind::Add]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        if at.onbuild || at.stage.is_none() {
            return;
        }
        let analysis = cx.analysis();
        let words = analysis.dispatch().words_of(at.index);
        if words.is_empty() {
            return;
        }
        let Some(ignore) = analysis.dockerignore() else {
            return;
        };
        // Exceptions make the question undecidable without the files (BuildKit skips it too).
        if ignore.patterns.has_exclusions() {
            return;
        }
        let verb = at.instr.keyword.as_str();
        for word in words {
            let Some(src) = word.value.as_deref() else {
                continue;
            };
            if is_remote(src) {
                continue;
            }
            let path = clean(src);
            let excluded = if path == "." || path == "/" {
                ignore.patterns.excludes_root_entries()
            } else {
                ignore.patterns.excludes(&path)
            };
            if excluded {
                cx.report(
                    word.span,
                    format!(
                        "`{path}` is excluded from the build context by {}: this {verb} fails with \"not found\" (or copies less than it says); remove the pattern or the {verb}",
                        ignore.name
                    ),
                );
            }
        }
    }
}

/// URLs and git repositories are fetched, not read from the context.
fn is_remote(src: &str) -> bool {
    src.contains("://") || src.starts_with("git@")
}
