//! `secret-arg-env-name`: an ARG or ENV named for a secret (BuildKit's SecretsUsedInArgOrEnv).
//! BuildKit's own judgement of names, kept here rather than in the secret analysis, whose name
//! model (word splitting, camelCase, more words) serves the value-based rules.

use crate::rules::prelude::*;

pub struct SecretArgEnvName;

/// Parts that make a name a secret's.
const SECRET_PARTS: [&str; 10] = [
    "apikey",
    "auth",
    "credential",
    "credentials",
    "key",
    "password",
    "pword",
    "passwd",
    "secret",
    "token",
];

/// Parts that make a secret-looking name not one.
const ALLOWED_PARTS: [&str; 3] = ["public", "file", "version"];

/// BuildKit's test: a `_`-separated part is a secret word and no part is an allowed one.
fn names_a_secret(name: &str) -> bool {
    let is = |set: &[&str], p: &str| set.iter().any(|w| w.eq_ignore_ascii_case(p));
    name.split('_').any(|p| is(&SECRET_PARTS, p)) && !name.split('_').any(|p| is(&ALLOWED_PARTS, p))
}

impl Rule for SecretArgEnvName {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Arg, InstructionKind::Env]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        // BuildKit judges ARG and ENV where a stage runs them: not before the first FROM, not
        // inside ONBUILD.
        if at.onbuild || at.stage.is_none() {
            return;
        }
        let Some(ins) = cx.tree_instruction(at) else {
            return;
        };
        let keyword = at.instr.keyword.as_str();
        let names: Vec<(String, Span)> = match ins.kind {
            InstructionKind::Arg => ins
                .arg_decls()
                .iter()
                .map(|d| (d.name.to_string(), d.name_span))
                .collect(),
            _ => ins
                .pairs()
                .iter()
                .map(|p| (p.key.value.clone(), p.key.span))
                .collect(),
        };
        for (name, span) in names {
            if names_a_secret(&name) {
                cx.report(
                    span,
                    format!(
                        "`{keyword} {name}` is named for a secret: {} values are kept in the image ({}); pass secrets with `RUN --mount=type=secret`",
                        keyword,
                        if keyword == "ARG" { "build history" } else { "image config" }
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::names_a_secret;

    #[test]
    fn judges_names_as_buildkit() {
        for n in ["SECRET_PASSPHRASE", "SUPER_Secret", "password", "auth", "apikey", "git_key", "super_duper_secret_token"] {
            assert!(names_a_secret(n), "{n}");
        }
        for n in ["PUBLIC_KEY", "public_token", "SECRET_PASSPHRASE_FILE", "password_file", "secret_File", "AUTH_MODULE_VERSION", "sunflower", "KEYS", "monkey"] {
            assert!(!names_a_secret(n), "{n}");
        }
    }
}
