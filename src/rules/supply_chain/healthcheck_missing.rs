//! `healthcheck-missing` (off by default): the final image declares no `HEALTHCHECK` (neither in
//! its stage nor in a stage it builds on), so nothing but the process's exit tells an
//! orchestrator that the container stopped working.

use crate::analysis::stages::final_image_stages;
use crate::rules::prelude::*;

pub struct HealthcheckMissing;

impl Rule for HealthcheckMissing {
    fn check_dockerfile(&self, cx: &mut Context<'_>, df: &Dockerfile) {
        let stages = final_image_stages(df);
        let declared = stages.iter().filter_map(|s| df.stages.get(*s)).any(|s| {
            s.instrs.clone().any(|i| {
                df.instrs
                    .get(i)
                    .is_some_and(|ins| ins.kind == InstructionKind::Healthcheck)
            })
        });
        if declared {
            return;
        }
        let Some(from) = df
            .final_stage()
            .and_then(|s| df.instrs.get(s.from))
            .map(|i| i.keyword_span)
        else {
            return;
        };
        cx.report(
            from,
            "the final image declares no `HEALTHCHECK`: a container whose process hangs or stops \
             serving still counts as running, so nothing restarts or replaces it; add \
             `HEALTHCHECK CMD <a command that fails when the service is unhealthy>`, or \
             `HEALTHCHECK NONE` to say that none applies",
        );
    }
}
