//! `multiple-cmd`: a CMD that a later CMD of the same stage replaces (BuildKit's
//! MultipleInstructionsDisallowed, hadolint's DL4003).

use crate::rules::prelude::*;

pub struct MultipleCmd;

impl Rule for MultipleCmd {
    fn check_dockerfile(&self, cx: &mut Context<'_>, df: &Dockerfile) {
        cx.report_overridden(df, InstructionKind::Cmd);
    }
}
