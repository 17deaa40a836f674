//! `host-pid`: a service that shares the host's process namespace (`pid: host`).

use crate::analysis::compose::host_mode;
use crate::rules::prelude::*;

pub struct HostPid;

impl Rule for HostPid {
    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        for hit in host_mode(compose, |s| s.pid.as_ref()) {
            let message = format!("`pid: host` ({}) shares the host's process table: the container sees every host process with its arguments, and as root can signal them (and trace them with `SYS_PTRACE`); remove it", hit.services_phrase());
            cx.report(hit.span, message);
        }
    }
}
