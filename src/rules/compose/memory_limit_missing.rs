//! `memory-limit-missing`: a policy: a service without a memory limit.

use crate::rules::prelude::*;

pub struct MemoryLimitMissing;

impl Rule for MemoryLimitMissing {
    fn check_service(&self, cx: &mut Context<'_>, service: &Service) {
        let limits = service.deploy_limits();
        // A key this file does not write may be written where the service is completed.
        if !service.container_is_complete()
            || service.mem_limit.is_some()
            || limits.is_some_and(|l| l.memory.is_some())
        {
            return;
        }
        cx.report(
            service.name.span,
            format!(
                "service `{}` has no memory limit: a leak or a flood of requests takes the \
                 host's memory until the kernel kills processes, its neighbours' too; set \
                 `deploy.resources.limits.memory` (or `mem_limit`)",
                service.name.value
            ),
        );
    }
}
