//! `cpu-limit-missing`: a policy: a service without a CPU limit.

use crate::rules::prelude::*;

pub struct CpuLimitMissing;

impl Rule for CpuLimitMissing {
    fn check_service(&self, cx: &mut Context<'_>, service: &Service) {
        let limits = service.deploy_limits();
        // A key this file does not write may be written where the service is completed.
        if !service.container_is_complete()
            || service.cpus.is_some()
            || service.cpu_quota.is_some()
            || limits.is_some_and(|l| l.cpus.is_some())
        {
            return;
        }
        cx.report(
            service.name.span,
            format!(
                "service `{}` has no CPU limit: a busy loop or a flood of requests takes every \
                 core of the host from its neighbours; set `deploy.resources.limits.cpus` (or \
                 `cpus`)",
                service.name.value
            ),
        );
    }
}
