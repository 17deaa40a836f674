//! `too-many-stages`: a Dockerfile with more stages than `max-stages` allows.

use crate::model::dockerfile::Dockerfile;
use crate::rules::prelude::*;

pub struct TooManyStages;

impl Rule for TooManyStages {
    fn check_dockerfile(&self, cx: &mut Context<'_>, df: &Dockerfile) {
        let Some(max) = cx.options.policy.max_stages else {
            return;
        };
        let count = df.stages.len();
        // The first stage past the limit is where the file goes over it.
        let Some(stage) = df.stages.get(max) else {
            return;
        };
        let Some(from) = df.instrs.get(stage.from) else {
            return;
        };
        cx.report(
            from.keyword_span,
            format!(
                "this Dockerfile has {count} stages and `max-stages` allows {max}: this is stage {}; merge stages or move this build into a Dockerfile of its own",
                stage.index + 1
            ),
        );
    }
}
