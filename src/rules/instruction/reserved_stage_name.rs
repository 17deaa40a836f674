//! `reserved-stage-name`: a stage named `scratch` or `context` (BuildKit's ReservedStageName).

use crate::rules::prelude::*;

pub struct ReservedStageName;

impl Rule for ReservedStageName {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::From]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        if at.onbuild {
            return;
        }
        let Some(name) = cx
            .tree_instruction(at)
            .and_then(|i| i.from())
            .and_then(|f| f.stage_name)
        else {
            return;
        };
        let meaning = match name.value.to_lowercase().as_str() {
            "scratch" => "the empty image",
            "context" => "the build context",
            _ => return,
        };
        cx.report(
            name.span,
            format!(
                "`{}` is reserved for {meaning}: the stage cannot be used by this name; choose another",
                name.value
            ),
        );
    }
}
