//! `secret-build-arg`: a secret-looking `ARG` (with no value, a placeholder, or a
//! reference), or an `ENV` copying a variable into a secret-looking name. The value is not in
//! the file, but it ends up in the image: build arguments are recorded in its history, and
//! `ENV` keeps the value in every container's environment.

use crate::analysis::secret::names::{is_placeholder, is_reference, is_secret_name};
use crate::analysis::variables::var_decls;
use crate::rules::prelude::*;

pub struct SecretBuildArg;

impl Rule for SecretBuildArg {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Arg, InstructionKind::Env]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        {
        for d in var_decls(at.instr) {
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
            cx.report(d.name_span, message);
        }
        }
    }
}
