//! `invalid-definition-description`: the comment above an ARG or a named stage does not start
//! with its name (BuildKit's experimental InvalidDefinitionDescription).

use crate::rules::prelude::*;

pub struct InvalidDefinitionDescription;

impl Rule for InvalidDefinitionDescription {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Arg, InstructionKind::From]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        if at.onbuild {
            return;
        }
        let Some(ins) = cx.tree_instruction(at) else {
            return;
        };
        let Some(comment) = ins.comments.last() else {
            return;
        };
        let (names, span): (Vec<String>, Span) = match ins.kind {
            InstructionKind::Arg => {
                let decls = ins.arg_decls();
                let Some(first) = decls.first() else { return };
                (
                    decls.iter().map(|d| d.name.to_string()).collect(),
                    first.name_span,
                )
            }
            _ => {
                let Some(name) = ins.from().and_then(|f| f.stage_name) else {
                    return;
                };
                // BuildKit compares with the stage's name as it stores it, lower-cased.
                (vec![name.value.to_lowercase()], name.span)
            }
        };
        let text = cx.text();
        let described = comment.buildkit_text(text);
        let first_word = described.split(' ').next().unwrap_or("");
        if names.iter().any(|n| n == first_word) {
            return;
        }
        let example = match names.as_slice() {
            [one] => one.clone(),
            _ => "<name>".to_string(),
        };
        let what = if ins.kind == InstructionKind::Arg {
            "build argument"
        } else {
            "stage"
        };
        cx.report(
            span,
            format!(
                "The comment above reads as this {what}'s description but does not start with its name: write `# {example} <description>`, or put an empty `#` line between them"
            ),
        )
        .related
        .push(Related::new(comment.span, "the comment"));
    }
}
