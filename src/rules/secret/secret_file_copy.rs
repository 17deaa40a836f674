//! `secret-file-copy`: `COPY`/`ADD` of a key or credential file (`id_rsa`, `*.pem`,
//! `.env`, `.npmrc`, `.aws/credentials`, …) into an image layer.

use crate::analysis::command::json_strings;
use crate::analysis::secret::files::credential_file;
use crate::rules::prelude::*;

pub struct SecretFileCopy;

impl Rule for SecretFileCopy {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Copy, InstructionKind::Add]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        let ins = at.instr;
        let mut paths = paths(ins);
        // The destination counts only when no source is flagged and it names a file (`COPY key
        // /root/.ssh/id_rsa`), not a directory the sources go into.
        let dest = paths.pop();
        let mut flagged: Vec<(String, Span)> = paths
            .into_iter()
            .filter(|(p, _)| credential_file(p).is_some())
            .collect();
        if flagged.is_empty()
            && let Some((d, span)) = dest
            && !d.ends_with('/')
            && !matches!(d.rsplit('/').next(), Some(".ssh" | ".gnupg" | ".aws"))
            && credential_file(&d).is_some()
        {
            flagged.push((d, span));
        }
        for (path, span) in flagged {
            if let Some(what) = credential_file(&path) {
                cx.report(
                    span,
                    format!(
                        "`{} {path}` puts {what} into an image layer, where it stays even if a \
                         later step deletes it: mount it only where needed (`RUN \
                         --mount=type=secret` or `--mount=type=ssh`) and list it in \
                         .dockerignore",
                        ins.kind
                    ),
                );
            }
        }
    }
}

/// Source paths (and the destination) of a `COPY`/`ADD`, in shell or JSON form.
fn paths(ins: &Instr) -> Vec<(String, Span)> {
    if ins.args.first().is_some_and(|w| w.text.starts_with('[')) {
        // JSON form: the parser keeps the words as written; take the strings out of the array.
        let text = &ins.rest.text;
        let lead = text.len() - text.trim_start().len();
        return json_strings(text.trim_start(), ins.rest.span.start as usize + lead)
            .into_iter()
            .map(|w| (w.value.into_owned(), w.span))
            .collect();
    }
    ins.args
        .iter()
        .filter(|w| !w.text.starts_with("<<"))
        .map(|w| {
            let unquoted = w.text.trim_matches(|c| c == '"' || c == '\'');
            // JSON-form words come unquoted with their quotes in the span: point inside them.
            let span = if w.span.len() == unquoted.len() + 2 {
                Span::new(w.span.start as usize + 1, w.span.end as usize - 1)
            } else {
                w.span
            };
            (unquoted.to_string(), span)
        })
        .collect()
}
