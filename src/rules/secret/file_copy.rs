//! `secret-file-copy` (PL504): `COPY`/`ADD` of a key or credential file (`id_rsa`, `*.pem`,
//! `.env`, `.npmrc`, `.aws/credentials`, …) into an image layer.

use super::files::credential_file;
use crate::model::dockerfile::{Dockerfile, Instr};
use crate::rules::{Context, Rule};
use crate::source::Span;

pub struct SecretFileCopy;

/// `(span of the path, message)` for each credential file a `COPY`/`ADD` puts into the image.
pub fn hits(df: &Dockerfile) -> Vec<(Span, String)> {
    let mut out = Vec::new();
    for ins in df
        .instrs
        .iter()
        .flat_map(|i| std::iter::once(i).chain(i.onbuild.as_deref()))
    {
        if !matches!(ins.keyword.as_str(), "COPY" | "ADD") {
            continue;
        }
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
                out.push((
                    span,
                    format!(
                        "`{} {path}` puts {what} into an image layer, where it stays even if a \
                         later step deletes it: mount it only where needed (`RUN \
                         --mount=type=secret` or `--mount=type=ssh`) and list it in \
                         .dockerignore",
                        ins.keyword
                    ),
                ));
            }
        }
    }
    out
}

/// Source paths (and the destination) of a `COPY`/`ADD`, in shell or JSON form.
fn paths(ins: &Instr) -> Vec<(String, Span)> {
    if ins.args.first().is_some_and(|w| w.text.starts_with('[')) {
        // JSON form: the parser keeps the words as written; take the strings out of the array.
        let text = &ins.rest.text;
        let base = ins.rest.span.start as usize;
        let mut out = Vec::new();
        let mut in_str = None;
        for (i, c) in text.char_indices() {
            match (c, in_str) {
                ('"', None) => in_str = Some(i + 1),
                ('"', Some(s)) => {
                    if let Some(p) = text.get(s..i) {
                        out.push((p.to_string(), Span::new(base + s, base + i)));
                    }
                    in_str = None;
                }
                _ => {}
            }
        }
        return out;
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

impl Rule for SecretFileCopy {
    fn doc(&self) -> &'static str {
        include_str!("../../../rules/secret-file-copy.md")
    }

    fn check(&self, cx: &mut Context<'_>) {
        let Some(df) = cx.dockerfile() else { return };
        for (span, message) in hits(df) {
            cx.report(span, message);
        }
    }
}
