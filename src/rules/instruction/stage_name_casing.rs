//! `stage-name-casing`: a stage name with upper-case letters (BuildKit's StageNameCasing).

use crate::rules::prelude::*;

pub struct StageNameCasing;

impl Rule for StageNameCasing {
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
        // BuildKit judges the third word of a three-word FROM.
        let [_, _, name] = ins.words() else { return };
        let lower = name.value.to_lowercase();
        if name.value == lower {
            return;
        }
        let written = name.span.text(cx.text());
        let finding = cx.report(
            name.span,
            format!(
                "Stage name `{}` has upper-case letters; BuildKit names the stage `{lower}`, and `FROM {}` would not find it: write `{lower}`",
                name.value, name.value
            ),
        );
        // A name written with quotes or escapes is left alone.
        if written == name.value {
            finding.fix = Some(Fix {
                description: format!("lower-case the stage name to `{lower}`"),
                applicability: Applicability::Safe,
                edits: vec![Edit::replace(name.span, lower)],
            });
        }
    }
}
