//! `maintainer-deprecated`: the `MAINTAINER` instruction, deprecated since Docker 1.13.
//! The fix rewrites it as the OCI authors label.

use crate::rules::prelude::*;
use crate::syntax::dockerfile::Instruction;

pub struct MaintainerDeprecated;

/// The OCI annotation that replaces MAINTAINER.
const AUTHORS_LABEL: &str = "org.opencontainers.image.authors";

impl Rule for MaintainerDeprecated {
    fn check_dockerfile(&self, cx: &mut Context<'_>, _df: &Dockerfile) {
        let Some(tree) = cx.tree() else { return };
        let text = cx.text();
        for ins in &tree.instructions {
            if ins.kind != InstructionKind::Maintainer {
                continue;
            }
            let finding = cx.report(
                ins.keyword,
                format!("MAINTAINER is deprecated: use `LABEL {AUTHORS_LABEL}=\"…\"` instead"),
            );
            finding.fix = label_fix(ins, text, tree.escape);
        }
    }
}

/// Replaces the whole instruction with the label. Offered only for a one-line MAINTAINER with a
/// value (a continuation could hold comment lines the rewrite would drop).
fn label_fix(ins: &Instruction, text: &str, escape: char) -> Option<Fix> {
    let written = ins.span.text(text);
    if written.contains('\n') {
        return None;
    }
    let value = ins.shell_text()?.trim();
    if value.is_empty() {
        return None;
    }
    Some(Fix {
        description: format!("replace MAINTAINER with LABEL {AUTHORS_LABEL}"),
        applicability: Applicability::Safe,
        edits: vec![Edit::replace(
            ins.span,
            format!("LABEL {AUTHORS_LABEL}={}", quote(value, escape)),
        )],
    })
}

/// A double-quoted LABEL value that BuildKit reads back as `value`: MAINTAINER is taken
/// literally, but LABEL values expand variables and process escapes, so the escape character,
/// `"` and `$` are escaped with the file's escape character.
fn quote(value: &str, escape: char) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == escape || c == '"' || c == '$' {
            out.push(escape);
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quotes_and_escapes_for_the_files_escape_character() {
        assert_eq!(quote("Jo <jo@x.org>", '\\'), "\"Jo <jo@x.org>\"");
        assert_eq!(quote(r#"a"b\c$D"#, '\\'), r#""a\"b\\c\$D""#);
        assert_eq!(quote(r#"a"b\c$D`"#, '`'), r#""a`"b\c`$D``""#);
    }
}
