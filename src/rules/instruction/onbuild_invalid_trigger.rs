//! `onbuild-invalid-trigger`: `ONBUILD ONBUILD`, `ONBUILD FROM`, `ONBUILD MAINTAINER`.

use crate::rules::prelude::*;

pub struct OnbuildInvalidTrigger;

impl Rule for OnbuildInvalidTrigger {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Onbuild]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        if at.onbuild {
            return;
        }
        let Some(inner) = cx.tree_instruction(at).and_then(|i| i.onbuild()) else {
            return;
        };
        let why = match inner.kind {
            InstructionKind::Onbuild => "triggers do not chain",
            InstructionKind::From => "a trigger runs inside the downstream stage and cannot start another",
            InstructionKind::Maintainer => "MAINTAINER is deprecated and refused as a trigger",
            _ => return,
        };
        cx.report(
            inner.keyword,
            format!(
                "`ONBUILD {}` stops the build: {why}. Write it in the downstream Dockerfile \
                 instead",
                inner.kind
            ),
        );
    }
}
