//! `host-ipc`: a service that shares the host's IPC namespace (`ipc: host`).

use crate::analysis::compose::host_mode;
use crate::rules::prelude::*;

pub struct HostIpc;

impl Rule for HostIpc {
    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        for hit in host_mode(compose, |s| s.ipc.as_ref()) {
            let message = format!("`ipc: host` ({}) shares the host's System V IPC and POSIX shared memory: the container can read and write the shared memory of host processes; remove it, or share with one service (`ipc: service:<name>`)", hit.services_phrase());
            cx.report(hit.span, message);
        }
    }
}
