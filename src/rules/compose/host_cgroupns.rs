//! `host-cgroupns`: a service that shares the host's cgroup namespace (`cgroup: host`).

use crate::analysis::compose::host_mode;
use crate::rules::prelude::*;

pub struct HostCgroupns;

impl Rule for HostCgroupns {
    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        for hit in host_mode(compose, |s| s.cgroup.as_ref()) {
            let message = format!("`cgroup: host` ({}) shares the host's cgroup namespace: the container sees the host's whole cgroup tree instead of its own; remove it (or write `cgroup: private`)", hit.services_phrase());
            cx.report(hit.span, message);
        }
    }
}
