//! `add-local`: `ADD` of files from the build context, which `COPY` does without surprises.

use crate::analysis::command::json_strings;
use crate::rules::prelude::*;

pub struct AddLocal;

/// Names `ADD` unpacks when the source is a local file of that kind (it also sniffs the
/// content, whatever the name).
const ARCHIVES: &[&str] = &[
    ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz", ".tar.zst",
    ".tzst", ".gz", ".bz2", ".xz", ".zst",
];

/// Flags `COPY` accepts with the same meaning.
const SHARED_FLAGS: &[&str] = &["chown", "chmod", "link", "exclude"];

impl Rule for AddLocal {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Add]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        let ins = at.instr;
        if !ins.heredocs.is_empty() {
            return;
        }
        // The paths as BuildKit reads them: the JSON strings of the exec form, else the words.
        let paths: Vec<String> = if ins.is_exec_form() {
            json_strings(&ins.rest.text, ins.rest.span.start as usize)
                .into_iter()
                .map(|w| w.value.into_owned())
                .collect()
        } else {
            ins.args.iter().map(|w| w.text.clone()).collect()
        };
        let Some((_dest, sources)) = paths.split_last() else {
            return;
        };
        if sources.is_empty() {
            return;
        }
        for src in sources {
            let s = src.trim_matches(['"', '\'']);
            let lower = s.to_ascii_lowercase();
            // A URL, a git repository, a variable that may hold either, or an archive ADD is
            // meant to unpack: ADD is the right instruction (or another rule's concern).
            if s.contains("://")
                || s.starts_with("git@")
                || s.contains('$')
                || ARCHIVES.iter().any(|ext| lower.ends_with(ext))
            {
                return;
            }
        }
        let flags_ok = ins.flags.iter().all(|f| SHARED_FLAGS.contains(&f.name.as_str()));
        // A directory is copied as is; a file is unpacked when its content is an archive,
        // whatever its name, so only directory sources make COPY provably the same.
        let all_dirs = sources.iter().all(|t| {
            t == "." || t.ends_with('/') && !t.contains(['*', '?', '['])
        });
        let keyword = ins.keyword_span;
        let written = keyword.text(cx.text());
        let replacement = if written.chars().all(|c| c.is_ascii_lowercase()) {
            "copy"
        } else {
            "COPY"
        };
        let fix = flags_ok.then(|| Fix {
            description: "use COPY".into(),
            applicability: if all_dirs {
                Applicability::Safe
            } else {
                Applicability::Unsafe
            },
            edits: vec![Edit::replace(keyword, replacement)],
        });
        cx.report(
            keyword,
            "`ADD` of local files does what `COPY` does, plus unpacking any source that turns out to be a tar archive: use `COPY` and keep `ADD` for archives and URLs",
        )
        .fix = fix;
    }
}
