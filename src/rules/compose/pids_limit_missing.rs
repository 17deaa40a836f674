//! `pids-limit-missing`: a policy: a service without a limit on its number of processes.

use crate::rules::prelude::*;

pub struct PidsLimitMissing;

impl Rule for PidsLimitMissing {
    fn check_service(&self, cx: &mut Context<'_>, service: &Service) {
        let deploy_pids = service.deploy_limits()
            .and_then(|l| l.pids.as_ref());
        // `-1` and `0` mean no limit.
        let limited = |n: &crate::model::compose::Num| n.value.is_none_or(|v| v > 0);
        let written = service.pids_limit.as_ref().or(deploy_pids);
        // A key this file does not write may be written where the service is completed.
        if written.is_some_and(limited) || (written.is_none() && !service.container_is_complete()) {
            return;
        }
        let at = written.map_or(service.name.span, |n| n.text.span);
        cx.report(
            at,
            format!(
                "service `{}` has no limit on its processes: a fork bomb or a runaway pool fills \
                 the host's process table; set `pids_limit` (or \
                 `deploy.resources.limits.pids`) to a positive number",
                service.name.value
            ),
        );
    }
}
