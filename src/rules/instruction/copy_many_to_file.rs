//! `copy-many-to-file`: COPY or ADD of several sources to a destination without a trailing `/`.

use crate::analysis::command::json_strings;
use crate::rules::prelude::*;

pub struct CopyManyToFile;

impl Rule for CopyManyToFile {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Copy, InstructionKind::Add]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        let ins = at.instr;
        if !ins.heredocs.is_empty() {
            return;
        }
        // (value, span as written) of each path.
        let paths: Vec<(String, Span)> = if ins.is_exec_form() {
            json_strings(&ins.rest.text, ins.rest.span.start as usize)
                .into_iter()
                .map(|w| (w.value.into_owned(), w.span))
                .collect()
        } else {
            ins.args.iter().map(|w| (w.text.clone(), w.span)).collect()
        };
        let Some(((dest, dest_span), sources)) = paths.split_last() else {
            return;
        };
        let dest = dest.trim_matches(['"', '\'']);
        if sources.len() < 2 || dest.ends_with('/') || dest.ends_with('\\') || dest.contains('$') {
            return;
        }
        let fix = (!ins.is_exec_form() && dest_span.text(cx.text()) == dest).then(|| Fix {
            description: format!("write `{dest}/`"),
            // The build failed before; with the fix it copies: not the same build.
            applicability: Applicability::Unsafe,
            edits: vec![Edit::insert(dest_span.end as usize, "/")],
        });
        cx.report(
            *dest_span,
            format!(
                "{} sources are copied to `{dest}`, which does not end with `/`: BuildKit refuses a COPY of several sources to anything but a directory; write `{dest}/`",
                sources.len()
            ),
        )
        .fix = fix;
    }
}
