//! `label-key-invalid`: a `LABEL` key outside Docker's key format, or in a reserved namespace.

use crate::rules::prelude::*;

pub struct LabelKeyInvalid;

/// Namespaces Docker keeps for its own labels.
const RESERVED: &[&str] = &["com.docker.", "io.docker.", "org.dockerproject."];

impl Rule for LabelKeyInvalid {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Label]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        for (key, _) in &at.instr.pairs {
            let text = unquoted(&key.text);
            if text.contains('$') {
                continue;
            }
            let Some(problem) = problem(text) else { continue };
            cx.report(
                key.span,
                format!(
                    "Label key `{text}` {problem}: write keys as lower-case words separated by \
                     single dots or dashes, in your own reverse-DNS namespace \
                     (`com.example.build-id`)"
                ),
            );
        }
    }
}

/// The key with one pair of surrounding quotes removed.
fn unquoted(key: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = key.strip_prefix(q).and_then(|k| k.strip_suffix(q)) {
            return inner;
        }
    }
    key
}

/// What is wrong with a key, if anything.
fn problem(key: &str) -> Option<&'static str> {
    if let Some(ns) = RESERVED.iter().find(|ns| key.starts_with(**ns)) {
        return Some(match *ns {
            "com.docker." => "is in `com.docker.*`, a namespace Docker reserves",
            "io.docker." => "is in `io.docker.*`, a namespace Docker reserves",
            _ => "is in `org.dockerproject.*`, a namespace Docker reserves",
        });
    }
    if key.is_empty() {
        return Some("is empty");
    }
    if key.bytes().any(|b| b.is_ascii_uppercase()) {
        return Some("has upper-case letters");
    }
    if !key
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-/".contains(&b))
    {
        return Some("has characters other than lower-case letters, digits, `.` and `-`");
    }
    let first = key.bytes().next().unwrap_or(b'.');
    let last = key.bytes().last().unwrap_or(b'.');
    if !first.is_ascii_lowercase() || !last.is_ascii_lowercase() {
        return Some("does not start and end with a letter");
    }
    if key.contains("..") || key.contains("--") {
        return Some("has `..` or `--`");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::problem;

    #[test]
    fn keys_are_judged_as_docker_asks() {
        for ok in ["a", "a.b-c", "a_b", "a.-b", "x.1a", "org.opencontainers.image.title", "a/b"] {
            assert_eq!(problem(ok), None, "{ok}");
        }
        for bad in ["A", "aB", "1a", "a-", ".a", "a.", "a..b", "a--b", "a b", "a:b", "x.a-", "com.docker.x", "io.docker.y", "org.dockerproject.z"] {
            assert!(problem(bad).is_some(), "{bad}");
        }
    }
}
