//! `multiple-entrypoint`: a ENTRYPOINT that a later ENTRYPOINT of the same stage replaces (BuildKit's
//! MultipleInstructionsDisallowed, hadolint's DL4004).

use crate::rules::prelude::*;

pub struct MultipleEntrypoint;

impl Rule for MultipleEntrypoint {
    fn check_dockerfile(&self, cx: &mut Context<'_>, df: &Dockerfile) {
        cx.report_overridden(df, InstructionKind::Entrypoint);
    }
}
