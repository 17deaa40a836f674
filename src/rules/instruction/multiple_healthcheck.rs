//! `multiple-healthcheck`: a HEALTHCHECK that a later HEALTHCHECK of the same stage replaces (BuildKit's
//! MultipleInstructionsDisallowed, hadolint's DL3012).

use crate::rules::prelude::*;

pub struct MultipleHealthcheck;

impl Rule for MultipleHealthcheck {
    fn check_dockerfile(&self, cx: &mut Context<'_>, df: &Dockerfile) {
        cx.report_overridden(df, InstructionKind::Healthcheck);
    }
}
