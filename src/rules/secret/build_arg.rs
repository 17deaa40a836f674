//! `secret-build-arg` (PL502): a secret-looking `ARG` (with no value, a placeholder, or a
//! reference), or an `ENV` copying a variable into a secret-looking name. The value is not in
//! the file, but it ends up in the image: build arguments are recorded in its history, and
//! `ENV` keeps the value in every container's environment.

use super::names::{is_placeholder, is_reference, is_secret_name};
use super::variable::var_decls;
use crate::model::dockerfile::Dockerfile;
use crate::rules::{Context, Rule};
use crate::source::Span;

pub struct SecretBuildArg;

/// `(span of the name, message)` for each secret passed through a build argument or `ENV`.
pub fn hits(df: &Dockerfile) -> Vec<(Span, String)> {
    let mut out = Vec::new();
    for ins in df
        .instrs
        .iter()
        .flat_map(|i| std::iter::once(i).chain(i.onbuild.as_deref()))
    {
        for d in var_decls(ins) {
            if !is_secret_name(&d.name) {
                continue;
            }
            let value = d.value.as_ref().map(|(v, _)| v.as_str());
            let message = match (d.keyword, value) {
                ("ARG", None) => format!(
                    "build argument `{}` looks like a secret: build arguments are recorded in the \
                     image history; use `RUN --mount=type=secret,id={}` instead",
                    d.name,
                    d.name.to_ascii_lowercase()
                ),
                ("ARG", Some(v)) if is_placeholder(v) => format!(
                    "build argument `{}` looks like a secret: the value given at build time is \
                     recorded in the image history; use `RUN --mount=type=secret` instead",
                    d.name
                ),
                ("ENV", Some(v)) if is_reference(v) => format!(
                    "`ENV {}` copies `{v}` into the image's environment, where anyone who runs or \
                     inspects the image can read it; read the secret in the `RUN` that needs it \
                     (`RUN --mount=type=secret`) or pass it at run time",
                    d.name
                ),
                _ => continue,
            };
            out.push((d.name_span, message));
        }
    }
    out
}

impl Rule for SecretBuildArg {
    fn doc(&self) -> &'static str {
        include_str!("../../../rules/secret-build-arg.md")
    }

    fn check(&self, cx: &mut Context<'_>) {
        let Some(df) = cx.dockerfile() else { return };
        for (span, message) in hits(df) {
            cx.report(span, message);
        }
    }
}
