//! `from-as-casing`: `FROM … as` or `from … AS` (BuildKit's FromAsCasing).

use crate::rules::prelude::*;

pub struct FromAsCasing;

impl Rule for FromAsCasing {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::From]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        if at.onbuild {
            return;
        }
        let Some(ins) = cx.tree_instruction(at) else {
            return;
        };
        let [_, as_word, _, ..] = ins.words() else {
            return;
        };
        let text = cx.text();
        let from = ins.keyword.text(text);
        let wanted = if from == from.to_lowercase() {
            as_word.value.to_lowercase()
        } else if from == from.to_uppercase() {
            as_word.value.to_uppercase()
        } else {
            // A mixed-case FROM is consistent-instruction-casing's finding.
            return;
        };
        if as_word.value == wanted {
            return;
        }
        let finding = cx.report(
            as_word.span,
            format!(
                "`{}` is not in the case of `{from}`: write `{from} … {wanted}`",
                as_word.value
            ),
        );
        if as_word.span.text(text) == as_word.value {
            finding.fix = Some(Fix {
                description: format!("write `{wanted}`"),
                applicability: Applicability::Safe,
                edits: vec![Edit::replace(as_word.span, wanted)],
            });
        }
    }
}
